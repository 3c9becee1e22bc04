package io.github.copilot4j.spring.boot.autoconfigure;

import io.github.copilot4j.opentelemetry.CopilotTracing;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link CopilotTracing} (copilot-opentelemetry) when the application has an {@link OpenTelemetry}
 * bean: the caller's trace context goes with each prompt and tool handlers run in child spans.
 */
@AutoConfiguration(
        before = CopilotAutoConfiguration.class,
        afterName = "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration")
@ConditionalOnClass({CopilotTracing.class, OpenTelemetry.class})
@ConditionalOnBean(OpenTelemetry.class)
@ConditionalOnBooleanProperty(name = "copilot.enabled", matchIfMissing = true)
public class CopilotTracingAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public CopilotTracing copilotTracing(OpenTelemetry otel) {
        return CopilotTracing.create(otel);
    }
}
