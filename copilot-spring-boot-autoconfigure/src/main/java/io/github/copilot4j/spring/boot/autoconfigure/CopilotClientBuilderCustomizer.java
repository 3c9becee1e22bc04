package io.github.copilot4j.spring.boot.autoconfigure;

import io.github.copilot4j.CopilotClient;

/**
 * Changes the auto-configured client's builder before it is built, for what properties do not
 * cover (e.g. a callback executor, a store-failure handler). Beans of this type are applied in
 * their {@code @Order}.
 */
@FunctionalInterface
public interface CopilotClientBuilderCustomizer {
    void customize(CopilotClient.Builder builder);
}
