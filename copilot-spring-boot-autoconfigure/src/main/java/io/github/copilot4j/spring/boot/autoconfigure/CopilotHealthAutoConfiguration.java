package io.github.copilot4j.spring.boot.autoconfigure;

import io.github.copilot4j.CopilotClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/** The {@code copilot} health indicator ({@code management.health.copilot.enabled}, default on). */
@AutoConfiguration(after = CopilotAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(CopilotClient.class)
@ConditionalOnEnabledHealthIndicator("copilot")
public class CopilotHealthAutoConfiguration {

    @Bean(name = "copilotHealthIndicator")
    @ConditionalOnMissingBean(name = "copilotHealthIndicator")
    public CopilotHealthIndicator copilotHealthIndicator(
            CopilotClient client, ObjectProvider<CopilotReconnector> reconnector) {
        return new CopilotHealthIndicator(client, reconnector.getIfAvailable());
    }
}
