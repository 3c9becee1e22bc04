package io.github.copilot4j.transport.tcp;

import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.spi.TransportChannel;
import io.github.copilot4j.transport.stdio.CliLauncher;
import io.github.copilot4j.transport.stdio.CliProcess;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Talks JSON-RPC to the Copilot CLI over a plain TCP socket (same {@code Content-Length} framing as
 * stdio; no HTTP, no TLS), in one of two modes:
 *
 * <ul>
 *   <li>{@link #connect(String)}: to a server someone else runs ({@code copilot --headless --port
 *       4321}); the channel does not own the runtime. An optional connection token (the server's
 *       {@code COPILOT_CONNECTION_TOKEN}) is handed to the client for the {@code connect} request.
 *   <li>{@link #spawn()}: starts the CLI itself ({@code <cli> [extra…] --headless --no-auto-update
 *       [--log-level L] [--port N] [--auth-token-env …] [--no-auto-login]}) with a fresh random
 *       connection token in its environment, waits until it prints {@code listening on port N} on
 *       stdout, then connects to 127.0.0.1:N. The channel owns the runtime: closing it closes the
 *       socket and stops the process and only its own descendants.
 * </ul>
 *
 * <pre>{@code
 * Transport shared = TcpTransport.connect("tcp://127.0.0.1:4321").connectionToken(secret).build();
 * Transport own = TcpTransport.spawn().githubToken(token).build();
 * }</pre>
 *
 * <p>Read timeout: none by default. The runtime sends nothing while no session is busy, so a read
 * timeout ({@code SO_TIMEOUT}) fires on an idle but healthy connection, and the client treats that
 * read failure as a dead connection. Set one only if dropping idle connections is what you want.
 * TCP keep-alive is on, so a vanished peer is still detected eventually.
 *
 * <p>Immutable and thread-safe. {@link #open()} runs on the caller's thread and blocks up to the
 * announce timeout (spawn) plus the connect timeout. {@link #describe()} and every message are
 * free of the connection token.
 */
public final class TcpTransport implements Transport {
    /** Default time allowed for the TCP connect. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default time a spawned CLI gets to announce its port. */
    public static final Duration DEFAULT_ANNOUNCE_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(TcpTransport.class);
    private static final Pattern ANNOUNCEMENT = Pattern.compile("(?i)listening on port (\\d+)");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TcpAddress address; // connect mode; null in spawn mode
    private final CliLauncher launcher; // spawn mode; null in connect mode
    private final int spawnPort;
    private final String fixedToken;
    private final Duration announceTimeout;
    private final Duration connectTimeout;
    private final Duration readTimeout; // null: none
    private final boolean tcpNoDelay;

    private TcpTransport(
            TcpAddress address,
            CliLauncher launcher,
            int spawnPort,
            String token,
            Duration announceTimeout,
            Duration connectTimeout,
            Duration readTimeout,
            boolean tcpNoDelay) {
        this.address = address;
        this.launcher = launcher;
        this.spawnPort = spawnPort;
        this.fixedToken = token;
        this.announceTimeout = announceTimeout;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.tcpNoDelay = tcpNoDelay;
    }

    /**
     * A transport to a running server at {@code address}: {@code "4321"} (127.0.0.1), {@code
     * "host:4321"}, {@code "tcp://host:4321"}, {@code "http://host:4321"} or {@code "[::1]:4321"}.
     *
     * @throws IllegalArgumentException if the address has none of these forms
     */
    public static ConnectBuilder connect(String address) {
        return new ConnectBuilder(TcpAddress.parse(address));
    }

    /** A transport that starts its own CLI in TCP mode and connects to it. */
    public static SpawnBuilder spawn() {
        return new SpawnBuilder();
    }

    /** Whether channels of this transport own (spawn) their runtime. */
    public boolean spawnsRuntime() {
        return launcher != null;
    }

    @Override
    public TransportChannel open() throws IOException {
        return launcher == null ? openConnect() : openSpawn();
    }

    private TransportChannel openConnect() throws IOException {
        Socket socket = connectSocket(address);
        LOG.debug("Connected to the Copilot CLI server at {}", address.hostPort());
        return new TcpChannel(socket, address, fixedToken, null, CliLauncher.DEFAULT_SHUTDOWN_GRACE, readTimeout);
    }

    private TransportChannel openSpawn() throws IOException {
        String token = fixedToken != null ? fixedToken : randomToken();
        List<String> modeArgs = spawnPort > 0 ? List.of("--port", Integer.toString(spawnPort)) : List.of();
        CompletableFuture<Integer> announced = new CompletableFuture<>();
        Consumer<String> watcher = line -> {
            if (!announced.isDone()) {
                Matcher m = ANNOUNCEMENT.matcher(line);
                if (m.find()) {
                    try {
                        announced.complete(Integer.parseInt(m.group(1)));
                    } catch (NumberFormatException e) {
                        announced.completeExceptionally(e);
                    }
                }
            }
        };
        CliProcess process = launcher.launch(modeArgs, Map.of(CliLauncher.CONNECTION_TOKEN_ENV, token), watcher);
        try {
            process.stdin().close(); // TCP mode reads no stdin
        } catch (IOException ignored) {
            // nothing was written; the CLI does not care
        }
        int port = awaitAnnouncement(process, announced);
        TcpAddress target = new TcpAddress("127.0.0.1", port);
        Socket socket;
        try {
            socket = connectSocket(target);
        } catch (IOException e) {
            throw failStart(process, "announced port " + port + " but the connection failed (" + e.getMessage() + ")");
        }
        LOG.debug("Connected to {} on port {}", process, port);
        try {
            return new TcpChannel(socket, target, token, process, launcher.shutdownGrace(), readTimeout);
        } catch (IOException e) {
            closeQuietly(socket);
            throw failStart(
                    process,
                    "accepted a connection on port " + port + " that could not be used (" + e.getMessage() + ")");
        }
    }

    private int awaitAnnouncement(CliProcess process, CompletableFuture<Integer> announced) throws IOException {
        String expected = "(expected a line 'listening on port N' on its stdout)";
        try {
            CompletableFuture.anyOf(announced, process.onExit()).get(announceTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw failStart(process, "did not announce its port within " + seconds(announceTimeout) + " " + expected);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.stop(Duration.ZERO, launcher.shutdownGrace());
            throw new InterruptedIOException("Interrupted while waiting for the Copilot CLI to announce its port; "
                    + "the CLI has been stopped");
        } catch (ExecutionException e) {
            throw failStart(process, "printed an unusable port announcement " + expected);
        }
        if (announced.isDone() && !announced.isCompletedExceptionally()) {
            int port = announced.join();
            if (port >= 1 && port <= 65535) {
                return port;
            }
            throw failStart(process, "announced an invalid port " + port);
        }
        if (announced.isCompletedExceptionally()) {
            throw failStart(process, "printed an unusable port announcement " + expected);
        }
        throw failStart(process, "exited before announcing its port " + expected);
    }

    /** Describes the failed start (with the CLI's output), stops the process, returns the exception to throw. */
    private IOException failStart(CliProcess process, String problem) {
        String message = process.describeStartupFailure(problem, Duration.ofMillis(500));
        process.stop(Duration.ZERO, launcher.shutdownGrace());
        return new IOException(message + "\nThe CLI process has been stopped.");
    }

    private Socket connectSocket(TcpAddress target) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(tcpNoDelay);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(target.host(), target.port()), timeoutMillis(connectTimeout));
            socket.setSoTimeout(readTimeout == null ? 0 : timeoutMillis(readTimeout));
            return socket;
        } catch (IOException e) {
            closeQuietly(socket);
            throw new IOException(connectFailure(target, e), e);
        }
    }

    private String connectFailure(TcpAddress target, IOException e) {
        String where = "the Copilot CLI server at " + target.hostPort();
        String why;
        if (e instanceof ConnectException) {
            why = "connection refused (nothing listens there)";
        } else if (e instanceof SocketTimeoutException) {
            why = "no answer within " + seconds(connectTimeout) + " (connect timeout)";
        } else if (e instanceof UnknownHostException) {
            why = "unknown host '" + target.host() + "'";
        } else if (e instanceof NoRouteToHostException) {
            why = "no route to host";
        } else {
            why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        return "Could not connect to " + where + ": " + why + ". Next step: start a server there (copilot "
                + "--headless --port " + target.port() + ") or fix the address"
                + (e instanceof SocketTimeoutException ? ", or raise the connect timeout." : ".");
    }

    private static int timeoutMillis(Duration d) {
        long ms = d.toMillis();
        return ms <= 0 ? 1 : (int) Math.min(Integer.MAX_VALUE, ms);
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** {@code tcp://host:port} or {@code tcp-spawn:<cli>}; never the token. */
    @Override
    public String describe() {
        return launcher == null ? "tcp://" + address.hostPort() : "tcp-spawn:" + launcher.describe();
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Options for {@link TcpTransport#connect(String)}. */
    public static final class ConnectBuilder {
        private final TcpAddress address;
        private String connectionToken;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout;
        private boolean tcpNoDelay = true;

        private ConnectBuilder(TcpAddress address) {
            this.address = address;
        }

        /** The server's shared secret (its {@code COPILOT_CONNECTION_TOKEN}), sent in {@code connect}. Never logged. */
        public ConnectBuilder connectionToken(String token) {
            if (token == null || token.isEmpty()) {
                throw new IllegalArgumentException("connectionToken must not be empty");
            }
            this.connectionToken = token;
            return this;
        }

        /** How long the TCP connect may take. Default 10 s. */
        public ConnectBuilder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * A socket read timeout ({@code SO_TIMEOUT}). Default: none. Caution: an idle runtime sends
         * nothing, so this also ends healthy idle connections; see the class comment.
         */
        public ConnectBuilder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /** {@code TCP_NODELAY} (default true: small JSON-RPC frames go out at once). */
        public ConnectBuilder tcpNoDelay(boolean noDelay) {
            this.tcpNoDelay = noDelay;
            return this;
        }

        /** Builds the transport. */
        public TcpTransport build() {
            return new TcpTransport(address, null, 0, connectionToken, null, connectTimeout, readTimeout, tcpNoDelay);
        }
    }

    /**
     * Options for {@link TcpTransport#spawn()}: every CLI option of {@link CliLauncher.BaseBuilder}
     * (path, extra args, environment, working directory, GitHub token, login, log level, shutdown
     * grace, stderr tail) plus port, connection token and timeouts.
     */
    public static final class SpawnBuilder extends CliLauncher.BaseBuilder<SpawnBuilder> {
        private int port;
        private String connectionToken;
        private Duration announceTimeout = DEFAULT_ANNOUNCE_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout;
        private boolean tcpNoDelay = true;

        private SpawnBuilder() {}

        /** The port for the CLI to listen on (127.0.0.1 only); 0 (default) lets it pick a free one. */
        public SpawnBuilder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * A fixed connection token. Default: a fresh random one (256 bits from {@link SecureRandom})
         * for every spawned process. Passed to the CLI only in its environment; never logged.
         */
        public SpawnBuilder connectionToken(String token) {
            if (token == null || token.isEmpty()) {
                throw new IllegalArgumentException("connectionToken must not be empty");
            }
            this.connectionToken = token;
            return this;
        }

        /** How long the CLI may take to print {@code listening on port N}. Default 30 s. */
        public SpawnBuilder announceTimeout(Duration timeout) {
            this.announceTimeout = positive(timeout, "announceTimeout");
            return this;
        }

        /** How long the TCP connect may take. Default 10 s. */
        public SpawnBuilder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** A socket read timeout; default none. See {@link ConnectBuilder#readTimeout(Duration)}. */
        public SpawnBuilder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /** {@code TCP_NODELAY} (default true). */
        public SpawnBuilder tcpNoDelay(boolean noDelay) {
            this.tcpNoDelay = noDelay;
            return this;
        }

        /** Builds the transport. */
        public TcpTransport build() {
            return new TcpTransport(
                    null,
                    buildLauncher(),
                    port,
                    connectionToken,
                    announceTimeout,
                    connectTimeout,
                    readTimeout,
                    tcpNoDelay);
        }
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }
}
