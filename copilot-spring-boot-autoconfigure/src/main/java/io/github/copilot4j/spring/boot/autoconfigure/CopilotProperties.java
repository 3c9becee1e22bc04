package io.github.copilot4j.spring.boot.autoconfigure;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** The {@code copilot.*} properties of the auto-configured {@code CopilotClient}. */
@ConfigurationProperties("copilot")
public class CopilotProperties {

    /** How the client reaches the Copilot runtime. */
    public enum TransportKind {
        /** Spawn the CLI and talk over its stdin/stdout. */
        STDIO,
        /** Connect to a running CLI server ({@code copilot.tcp.address}). */
        TCP,
        /** Spawn the CLI as a TCP server on a loopback port. */
        TCP_SPAWN
    }

    /** Where sessions are recorded. */
    public enum StoreKind {
        /** JDBC on the application's DataSource when there is one (and copilot-store-jdbc is present), else in memory. */
        AUTO,
        /** Always the JDBC store on the application's DataSource. */
        JDBC,
        /** Always in memory (nothing kept across restarts). */
        MEMORY
    }

    /** Whether to auto-configure a CopilotClient at all. */
    private boolean enabled = true;

    /** How to reach the runtime: stdio (spawn the CLI, the default), tcp (connect to a server) or tcp-spawn. */
    private TransportKind transport = TransportKind.STDIO;

    /** Timeout of each request to the runtime. */
    private Duration requestTimeout = Duration.ofSeconds(60);

    /** Timeout of the handshake at start (a first CLI start unpacks itself). */
    private Duration startTimeout = Duration.ofSeconds(60);

    /** How long closing the client at shutdown may take in all: turns in flight finish or fail within it. */
    private Duration closeTimeout = Duration.ofSeconds(10);

    /** Sent to the runtime as clientName (ends up in its User-Agent). */
    private String clientName = "copilot4j-spring-boot";

    /** Events one session may keep in memory while the store cannot take them. */
    private int maxUnsavedEvents = 100_000;

    /** Whether start() failing at application start fails the application (false: it starts DOWN and logs). */
    private boolean failOnStartError = true;

    private final Reconnect reconnect = new Reconnect();
    private final Cli cli = new Cli();
    private final Tcp tcp = new Tcp();
    private final Store store = new Store();
    private final SessionFs sessionFs = new SessionFs();

    /** Reconnecting when the runtime went away (the CLI died, the server went down). */
    public static class Reconnect {
        /** Whether the client reconnects on its own after it lost the runtime (sessions are not resumed). */
        private boolean enabled = true;
        /** Wait before each attempt. */
        private Duration delay = Duration.ofSeconds(5);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getDelay() {
            return delay;
        }

        public void setDelay(Duration delay) {
            this.delay = delay;
        }
    }

    /** The CLI the client spawns (stdio, tcp-spawn). */
    public static class Cli {
        /** Path to the native copilot binary; default: COPILOT_CLI_PATH, then an npm install of @github/copilot, then PATH. */
        private Path path;
        /** GitHub token for the CLI, passed through an environment variable (never the command line); e.g. ${COPILOT_GITHUB_TOKEN:}. */
        private String githubToken;
        /** Whether the CLI may use the logged-in user's stored credentials (default: only when no token is set). */
        private Boolean useLoggedInUser;
        /** Extra command line arguments for the CLI. */
        private List<String> args = new ArrayList<>();
        /** Environment variables for the CLI process (added to the inherited ones). */
        private Map<String, String> environment = new LinkedHashMap<>();
        /** Whether the CLI inherits this JVM's environment (false: it gets only copilot.cli.environment). */
        private boolean inheritEnvironment = true;
        /** Working directory of the CLI process. */
        private Path workingDirectory;
        /** The CLI's log level (e.g. info, debug). */
        private String logLevel;
        /** The runtime's own OpenTelemetry export (off unless an OTLP endpoint or a file is set). */
        private final Telemetry telemetry = new Telemetry();

        public Telemetry getTelemetry() {
            return telemetry;
        }

        public Path getPath() {
            return path;
        }

        public void setPath(Path path) {
            this.path = path;
        }

        public String getGithubToken() {
            return githubToken;
        }

        public void setGithubToken(String githubToken) {
            this.githubToken = githubToken;
        }

        public Boolean getUseLoggedInUser() {
            return useLoggedInUser;
        }

        public void setUseLoggedInUser(Boolean useLoggedInUser) {
            this.useLoggedInUser = useLoggedInUser;
        }

        public List<String> getArgs() {
            return args;
        }

        public void setArgs(List<String> args) {
            this.args = args;
        }

        public Map<String, String> getEnvironment() {
            return environment;
        }

        public void setEnvironment(Map<String, String> environment) {
            this.environment = environment;
        }

        public boolean isInheritEnvironment() {
            return inheritEnvironment;
        }

        public void setInheritEnvironment(boolean inheritEnvironment) {
            this.inheritEnvironment = inheritEnvironment;
        }

        public Path getWorkingDirectory() {
            return workingDirectory;
        }

        public void setWorkingDirectory(Path workingDirectory) {
            this.workingDirectory = workingDirectory;
        }

        public String getLogLevel() {
            return logLevel;
        }

        public void setLogLevel(String logLevel) {
            this.logLevel = logLevel;
        }
    }

    /** The runtime's own OpenTelemetry export: its spans and metrics (turns, model calls, tools). */
    public static class Telemetry {
        /** OTLP collector base URL, e.g. http://127.0.0.1:4318 (the runtime posts to /v1/traces and /v1/metrics). */
        private URI otlpEndpoint;
        /** OTLP protocol: http/json, http/protobuf or grpc (default: the runtime's). */
        private String otlpProtocol;
        /** A JSON-lines file for the spans, instead of a collector. */
        private Path file;
        /** The instrumentation source name the runtime reports. */
        private String sourceName;
        /** Whether spans may carry prompts and answers (they may hold personal data). */
        private boolean captureMessageContent;

        public URI getOtlpEndpoint() {
            return otlpEndpoint;
        }

        public void setOtlpEndpoint(URI otlpEndpoint) {
            this.otlpEndpoint = otlpEndpoint;
        }

        public String getOtlpProtocol() {
            return otlpProtocol;
        }

        public void setOtlpProtocol(String otlpProtocol) {
            this.otlpProtocol = otlpProtocol;
        }

        public Path getFile() {
            return file;
        }

        public void setFile(Path file) {
            this.file = file;
        }

        public String getSourceName() {
            return sourceName;
        }

        public void setSourceName(String sourceName) {
            this.sourceName = sourceName;
        }

        public boolean isCaptureMessageContent() {
            return captureMessageContent;
        }

        public void setCaptureMessageContent(boolean captureMessageContent) {
            this.captureMessageContent = captureMessageContent;
        }
    }

    /** A CLI server over TCP. */
    public static class Tcp {
        /** host:port of a running CLI server (transport tcp). */
        private String address;
        /** Connection token of the server (COPILOT_CONNECTION_TOKEN it was started with); for tcp-spawn, default random. */
        private String connectionToken;
        /** Port for tcp-spawn (0: a free one). */
        private int port;
        /** Timeout of the TCP connect. */
        private Duration connectTimeout = Duration.ofSeconds(10);

        public String getAddress() {
            return address;
        }

        public void setAddress(String address) {
            this.address = address;
        }

        public String getConnectionToken() {
            return connectionToken;
        }

        public void setConnectionToken(String connectionToken) {
            this.connectionToken = connectionToken;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }
    }

    /** The session store. */
    public static class Store {
        /** auto (JDBC on the app's DataSource if any, else memory), jdbc or memory. */
        private StoreKind type = StoreKind.AUTO;
        /** Whether the JDBC store creates/upgrades its tables at start; false when Flyway or Liquibase applies the shipped SQL. */
        private boolean migrate = true;

        public StoreKind getType() {
            return type;
        }

        public void setType(StoreKind type) {
            this.type = type;
        }

        public boolean isMigrate() {
            return migrate;
        }

        public void setMigrate(boolean migrate) {
            this.migrate = migrate;
        }
    }

    /** Session state in the database (sessionFs with leases), so any instance can resume any session. */
    public static class SessionFs {
        /** Whether the client is the CLI's session filesystem, on the application's DataSource. */
        private boolean enabled;
        /** This instance's lease holder id; default: spring.application.name@hostname (stable across restarts). */
        private String holderId;
        /** How long a lease lasts without renewal. */
        private Duration leaseDuration;
        /** How long a resume waits for another holder's lease (0: fail at once). */
        private Duration leaseWait;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getHolderId() {
            return holderId;
        }

        public void setHolderId(String holderId) {
            this.holderId = holderId;
        }

        public Duration getLeaseDuration() {
            return leaseDuration;
        }

        public void setLeaseDuration(Duration leaseDuration) {
            this.leaseDuration = leaseDuration;
        }

        public Duration getLeaseWait() {
            return leaseWait;
        }

        public void setLeaseWait(Duration leaseWait) {
            this.leaseWait = leaseWait;
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public TransportKind getTransport() {
        return transport;
    }

    public void setTransport(TransportKind transport) {
        this.transport = transport;
    }

    public Duration getRequestTimeout() {
        return requestTimeout;
    }

    public void setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    public Duration getStartTimeout() {
        return startTimeout;
    }

    public void setStartTimeout(Duration startTimeout) {
        this.startTimeout = startTimeout;
    }

    public Duration getCloseTimeout() {
        return closeTimeout;
    }

    public void setCloseTimeout(Duration closeTimeout) {
        this.closeTimeout = closeTimeout;
    }

    public String getClientName() {
        return clientName;
    }

    public void setClientName(String clientName) {
        this.clientName = clientName;
    }

    public int getMaxUnsavedEvents() {
        return maxUnsavedEvents;
    }

    public void setMaxUnsavedEvents(int maxUnsavedEvents) {
        this.maxUnsavedEvents = maxUnsavedEvents;
    }

    public boolean isFailOnStartError() {
        return failOnStartError;
    }

    public void setFailOnStartError(boolean failOnStartError) {
        this.failOnStartError = failOnStartError;
    }

    public Reconnect getReconnect() {
        return reconnect;
    }

    public Cli getCli() {
        return cli;
    }

    public Tcp getTcp() {
        return tcp;
    }

    public Store getStore() {
        return store;
    }

    public SessionFs getSessionFs() {
        return sessionFs;
    }
}
