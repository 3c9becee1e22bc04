package io.github.copilot4j.spring.boot.autoconfigure;

import io.github.copilot4j.micrometer.CopilotMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link CopilotMetrics} (copilot-micrometer) on the application's {@link MeterRegistry}, and its
 * {@link ObservationRegistry} when there is one (turns then also become spans with Micrometer
 * Tracing); the client picks it up as an observer.
 */
@AutoConfiguration(
        before = CopilotAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
            "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"
        })
@ConditionalOnClass({CopilotMetrics.class, MeterRegistry.class})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "copilot.enabled", matchIfMissing = true)
public class CopilotMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public CopilotMetrics copilotMetrics(MeterRegistry meters, ObjectProvider<ObservationRegistry> observations) {
        CopilotMetrics.Builder b = CopilotMetrics.builder(meters);
        ObservationRegistry o = observations.getIfAvailable();
        if (o != null && !o.isNoop()) {
            b.observationRegistry(o);
        }
        return b.build();
    }
}
