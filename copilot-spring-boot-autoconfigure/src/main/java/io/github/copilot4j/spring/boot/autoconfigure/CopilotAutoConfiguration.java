package io.github.copilot4j.spring.boot.autoconfigure;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.SessionFsOptions;
import io.github.copilot4j.spi.ClientObserver;
import io.github.copilot4j.spi.SessionStateStore;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.store.InMemorySessionStore;
import java.net.InetAddress;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * A {@link CopilotClient} bean from the {@code copilot.*} properties ({@link CopilotProperties}),
 * with its transport and session store, started and closed by a {@link CopilotClientLifecycle}.
 * Every bean backs off when the application defines its own of the same type.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "copilot.enabled", matchIfMissing = true)
@EnableConfigurationProperties(CopilotProperties.class)
public class CopilotAutoConfiguration {

    /** The transport named by {@code copilot.transport}. */
    @Bean
    @ConditionalOnMissingBean
    public Transport copilotTransport(CopilotProperties props) {
        ClassLoader cl = CopilotAutoConfiguration.class.getClassLoader();
        switch (props.getTransport()) {
            case STDIO:
                require(cl, "io.github.copilot4j.transport.stdio.StdioTransport", "copilot-transport-stdio", "stdio");
                return CliTransports.stdio(props);
            case TCP:
                require(cl, "io.github.copilot4j.transport.tcp.TcpTransport", "copilot-transport-tcp", "tcp");
                return CliTransports.tcpConnect(props);
            default:
                require(cl, "io.github.copilot4j.transport.tcp.TcpTransport", "copilot-transport-tcp", "tcp-spawn");
                return CliTransports.tcpSpawn(props);
        }
    }

    private static void require(ClassLoader cl, String className, String module, String kind) {
        if (!ClassUtils.isPresent(className, cl)) {
            throw new IllegalStateException("copilot.transport=" + kind + " needs " + module + " on the class path"
                    + " (the copilot-spring-boot-starter brings it), or define your own Transport bean");
        }
    }

    /** In memory, when no JDBC store was configured (no DataSource, or {@code copilot.store.type=memory}). */
    @Bean
    @ConditionalOnMissingBean
    public SessionStore copilotSessionStore(CopilotProperties props) {
        if (props.getStore().getType() == CopilotProperties.StoreKind.JDBC) {
            throw new IllegalStateException(
                    "copilot.store.type=jdbc needs a DataSource bean and copilot-store-jdbc on the class path;"
                            + " add spring-boot-starter-jdbc and spring.datasource.*, or set copilot.store.type=auto/memory");
        }
        return new InMemorySessionStore();
    }

    /** The client (not started: {@link CopilotClientLifecycle} starts it). Closing it does not close the store. */
    @Bean
    @ConditionalOnMissingBean
    public CopilotClient copilotClient(
            CopilotProperties props,
            Transport transport,
            SessionStore store,
            ObjectProvider<SessionStateStore> stateStore,
            ObjectProvider<ClientObserver> observers,
            ObjectProvider<CopilotClientBuilderCustomizer> customizers,
            Environment env) {
        CopilotClient.Builder b = CopilotClient.builder()
                .transport(transport)
                .sessionStore(store)
                .requestTimeout(props.getRequestTimeout())
                .startTimeout(props.getStartTimeout())
                .closeTimeout(props.getCloseTimeout())
                .clientName(props.getClientName())
                .maxUnsavedEvents(props.getMaxUnsavedEvents());
        if (props.getSessionFs().isEnabled()) {
            SessionStateStore state = stateStore.getIfAvailable();
            if (state == null) {
                throw new IllegalStateException(
                        "copilot.session-fs.enabled=true needs a SessionStateStore: a DataSource and"
                                + " copilot-store-jdbc (then a JdbcSessionStateStore is configured on it), or a SessionStateStore bean of your own");
            }
            b.sessionFs(state, sessionFsOptions(props.getSessionFs(), env));
        }
        observers.orderedStream().forEach(b::observer);
        customizers.orderedStream().forEach(c -> c.customize(b));
        return b.build();
    }

    static SessionFsOptions sessionFsOptions(CopilotProperties.SessionFs fs, Environment env) {
        SessionFsOptions.Builder o = SessionFsOptions.builder()
                .holderId(
                        fs.getHolderId() != null && !fs.getHolderId().isBlank()
                                ? fs.getHolderId()
                                : defaultHolderId(env));
        if (fs.getLeaseDuration() != null) {
            o.leaseDuration(fs.getLeaseDuration());
        }
        if (fs.getLeaseWait() != null) {
            o.leaseWait(fs.getLeaseWait());
        }
        return o.build();
    }

    /** {@code spring.application.name@hostname}: the same after a restart of this instance, different on another host. */
    static String defaultHolderId(Environment env) {
        String app = env.getProperty("spring.application.name", "copilot4j");
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return app + "@" + host;
    }

    /** Reconnects after the runtime went away ({@code copilot.reconnect.enabled}, default on). */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "copilot.reconnect.enabled", matchIfMissing = true)
    public CopilotReconnector copilotReconnector(CopilotProperties props) {
        return new CopilotReconnector(props.getReconnect().getDelay());
    }

    @Bean
    @ConditionalOnMissingBean
    public CopilotClientLifecycle copilotClientLifecycle(CopilotClient client, CopilotProperties props) {
        return new CopilotClientLifecycle(client, props.isFailOnStartError());
    }
}
