package io.github.copilot4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.micrometer.CopilotMetrics;
import io.github.copilot4j.spi.ClientObserver;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.store.InMemorySessionStore;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import io.github.copilot4j.testing.runtime.FakeRuntime;
import io.github.copilot4j.testing.runtime.InMemoryTransport;
import io.github.copilot4j.transport.stdio.StdioTransport;
import io.github.copilot4j.transport.tcp.TcpTransport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Which beans the auto-configuration makes and when it backs off. The client talks to the in-JVM
 * fake runtime here (these tests are about the wiring); the real CLI runs in {@link
 * CopilotStarterRealCliTest}.
 */
class CopilotAutoConfigurationTest {
    final FakeRuntime runtime = FakeRuntime.create();

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    CopilotAutoConfiguration.class,
                    CopilotJdbcStoreAutoConfiguration.class,
                    CopilotMetricsAutoConfiguration.class,
                    CopilotHealthAutoConfiguration.class))
            .withBean(Transport.class, () -> InMemoryTransport.to(runtime));

    @AfterEach
    void closeRuntime() {
        runtime.close();
    }

    @Test
    void withoutADataSourceSessionsAreKeptInMemoryAndTheClientIsStartedAndClosed() {
        CopilotClient[] seen = new CopilotClient[1];
        runner.withPropertyValues("copilot.request-timeout=7s", "copilot.close-timeout=3s")
                .run(ctx -> {
                    assertThat(ctx)
                            .hasSingleBean(CopilotClient.class)
                            .hasSingleBean(CopilotClientLifecycle.class)
                            .hasSingleBean(CopilotHealthIndicator.class);
                    assertThat(ctx.getBean(SessionStore.class)).isInstanceOf(InMemorySessionStore.class);
                    seen[0] = ctx.getBean(CopilotClient.class);
                    assertThat(seen[0].state()).isEqualTo(ClientState.CONNECTED);
                    assertThat(ctx).doesNotHaveBean(CopilotMetrics.class);
                });
        assertThat(seen[0].state()).isEqualTo(ClientState.CLOSED);
    }

    @Test
    void aDataSourceGetsTheJdbcStoreUnlessMemoryIsAsked() {
        ApplicationContextRunner withDb = runner.withConfiguration(
                        AutoConfigurations.of(DataSourceAutoConfiguration.class))
                .withPropertyValues(
                        "spring.datasource.url=jdbc:h2:mem:boot-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        withDb.run(ctx -> assertThat(ctx.getBean(SessionStore.class)).isInstanceOf(JdbcSessionStore.class));
        withDb.withPropertyValues("copilot.store.type=memory")
                .run(ctx -> assertThat(ctx.getBean(SessionStore.class)).isInstanceOf(InMemorySessionStore.class));
    }

    @Test
    void jdbcWithoutADataSourceFailsAndSaysWhy() {
        runner.withPropertyValues("copilot.store.type=jdbc")
                .run(ctx -> assertThat(ctx)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("copilot.store.type=jdbc needs a DataSource"));
    }

    @Test
    void theApplicationsOwnBeansWin() {
        InMemorySessionStore mine = new InMemorySessionStore();
        runner.withBean("myStore", SessionStore.class, () -> mine).run(ctx -> {
            assertThat(ctx.getBean(SessionStore.class)).isSameAs(mine);
            assertThat(ctx.getBean(CopilotClient.class).sessionStore()).isSameAs(mine);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnClient {
        static final AtomicBoolean built = new AtomicBoolean();

        @Bean
        CopilotClient myClient(Transport transport) {
            built.set(true);
            return CopilotClient.builder()
                    .transport(transport)
                    .clientName("mine")
                    .requestTimeout(Duration.ofSeconds(3))
                    .build();
        }
    }

    @Test
    void aUserDefinedClientWinsAndIsStillStartedByTheLifecycle() {
        runner.withUserConfiguration(OwnClient.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(CopilotClient.class);
            assertThat(ctx).getBean("myClient").isSameAs(ctx.getBean(CopilotClient.class));
            assertThat(ctx).doesNotHaveBean("copilotClient");
            assertThat(ctx.getBean(CopilotClient.class).state()).isEqualTo(ClientState.CONNECTED);
        });
    }

    @Test
    void aMeterRegistryBringsCopilotMetricsAsAnObserverOfTheClient() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(ctx -> {
            assertThat(ctx).hasSingleBean(CopilotMetrics.class);
            MeterRegistry meters = ctx.getBean(MeterRegistry.class);
            assertThat(meters.find(CopilotMetrics.SESSIONS_OPEN).gauge())
                    .as("attached to the client")
                    .isNotNull();
            assertThat(meters.find(CopilotMetrics.RPC).tag("method", "connect").timer())
                    .isNotNull();
        });
    }

    @Test
    void anOpenTelemetryBeanBringsCopilotTracing() {
        runner.run(ctx -> assertThat(ctx).doesNotHaveBean(io.github.copilot4j.opentelemetry.CopilotTracing.class));
        runner.withBean(io.opentelemetry.api.OpenTelemetry.class, io.opentelemetry.api.OpenTelemetry::noop)
                .withConfiguration(AutoConfigurations.of(CopilotTracingAutoConfiguration.class))
                .run(ctx -> assertThat(ctx).hasSingleBean(io.github.copilot4j.opentelemetry.CopilotTracing.class));
    }

    @Test
    void applicationObserversAndCustomizersAreApplied() {
        AtomicBoolean connected = new AtomicBoolean();
        runner.withBean(ClientObserver.class, () -> new ClientObserver() {
                    @Override
                    public void connected(CopilotClient client, boolean reconnect) {
                        connected.set(true);
                    }
                })
                .withBean(CopilotClientBuilderCustomizer.class, () -> b -> b.clientName("customized"))
                .run(ctx -> {
                    assertThat(connected).isTrue();
                });
    }

    @Test
    void propertiesBuildTheNamedTransport() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(CopilotAutoConfiguration.class))
                .withPropertyValues(
                        "copilot.transport=tcp",
                        "copilot.tcp.address=127.0.0.1:1",
                        "copilot.fail-on-start-error=false",
                        "copilot.start-timeout=2s")
                .run(ctx -> {
                    assertThat(ctx.getBean(Transport.class)).isInstanceOf(TcpTransport.class);
                    assertThat(ctx.getBean(Transport.class).describe()).isEqualTo("tcp://127.0.0.1:1");
                    assertThat(ctx.getBean(CopilotClient.class).state()).isEqualTo(ClientState.DISCONNECTED);
                });
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(CopilotAutoConfiguration.class))
                .withPropertyValues("copilot.transport=tcp")
                .run(ctx -> assertThat(ctx)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("copilot.tcp.address"));
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(CopilotAutoConfiguration.class))
                .withPropertyValues("copilot.cli.path=/nonexistent/copilot", "copilot.fail-on-start-error=false")
                .run(ctx -> {
                    assertThat(ctx.getBean(Transport.class)).isInstanceOf(StdioTransport.class);
                    assertThat(ctx.getBean(Transport.class).describe()).contains("/nonexistent/copilot");
                    assertThat(ctx.getBean(CopilotClient.class).state()).isEqualTo(ClientState.DISCONNECTED);
                });
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(CopilotAutoConfiguration.class))
                .withPropertyValues("copilot.cli.path=/nonexistent/copilot")
                .run(ctx -> assertThat(ctx)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("copilot.fail-on-start-error=false"));
    }
}
