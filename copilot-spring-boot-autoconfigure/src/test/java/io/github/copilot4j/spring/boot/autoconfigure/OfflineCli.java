package io.github.copilot4j.spring.boot.autoconfigure;

import io.github.copilot4j.devruntime.OfflineCopilot;
import java.util.Map;
import org.springframework.test.context.DynamicPropertyRegistry;

/** The real CLI offline, configured only through {@code copilot.*} properties, as an application would. */
final class OfflineCli {
    private OfflineCli() {}

    static void register(OfflineCopilot offline, DynamicPropertyRegistry registry) {
        registry.add("copilot.transport", () -> "stdio");
        registry.add("copilot.cli.path", () -> offline.cliPath().toString());
        registry.add(
                "copilot.cli.working-directory",
                () -> offline.environment().workDir().toString());
        registry.add("copilot.cli.inherit-environment", () -> "false");
        for (Map.Entry<String, String> e : offline.environment().env().entrySet()) {
            registry.add("copilot.cli.environment[" + e.getKey() + "]", e::getValue);
        }
        var args = offline.environment().cliArgs();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            registry.add("copilot.cli.args[" + i + "]", () -> a);
        }
        registry.add("copilot.start-timeout", () -> "90s");
        registry.add("copilot.request-timeout", () -> "30s");
    }
}
