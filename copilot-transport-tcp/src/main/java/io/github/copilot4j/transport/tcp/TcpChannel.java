package io.github.copilot4j.transport.tcp;

import io.github.copilot4j.spi.TransportChannel;
import io.github.copilot4j.transport.stdio.CliProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * The channel of {@link TcpTransport}: a connected socket, plus the CLI process behind it in spawn
 * mode.
 *
 * <p>Threading: one reader, serialized writers (see {@link TransportChannel}); {@link
 * #close(Duration)} from any thread, idempotent. This class starts no thread; in spawn mode the
 * {@link CliProcess} owns its stdout/stderr drain threads and ends them when stopped.
 */
final class TcpChannel implements TransportChannel {
    private final Socket socket;
    private final TcpAddress address;
    private final String connectionToken; // never logged, never in messages
    private final CliProcess process; // null: an external server
    private final Duration defaultGrace;
    private final Duration readTimeout; // null: none
    private final InputStream input;
    private final OutputStream output;
    private final Object lock = new Object();
    private volatile boolean closed;

    TcpChannel(
            Socket socket,
            TcpAddress address,
            String connectionToken,
            CliProcess process,
            Duration defaultGrace,
            Duration readTimeout)
            throws IOException {
        this.socket = socket;
        this.address = address;
        this.connectionToken = connectionToken;
        this.process = process;
        this.defaultGrace = defaultGrace;
        this.readTimeout = readTimeout;
        this.input = socket.getInputStream();
        this.output = socket.getOutputStream();
    }

    Socket socket() {
        return socket;
    }

    TcpAddress address() {
        return address;
    }

    /** The spawned CLI, or empty for an external server. */
    Optional<CliProcess> process() {
        return Optional.ofNullable(process);
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public Optional<String> connectionToken() {
        return Optional.ofNullable(connectionToken);
    }

    @Override
    public boolean ownsRuntime() {
        return process != null;
    }

    @Override
    public String describeTermination(Throwable readError, Duration wait) {
        String where = "the Copilot CLI server at " + address.hostPort();
        StringBuilder sb = new StringBuilder();
        if (closed) {
            sb.append("The connection to ").append(where).append(" was closed by copilot4j");
        } else if (readError == null) {
            sb.append(capitalize(where)).append(" closed the connection");
        } else if (readError instanceof SocketTimeoutException && readTimeout != null) {
            sb.append("No data from ")
                    .append(where)
                    .append(" within the read timeout of ")
                    .append(readTimeout.toMillis())
                    .append(" ms; the connection is treated as dead");
        } else {
            sb.append("The connection to ").append(where).append(" failed: ").append(describe(readError));
        }
        if (process != null) {
            if (process.awaitExit(wait == null ? Duration.ZERO : wait).isPresent()) {
                sb.append(". ").append(process.describeTermination(null, Duration.ZERO));
            } else {
                sb.append(". The ")
                        .append(process)
                        .append(" behind it is still running.\nNext step: close the ")
                        .append("client (which stops that process) and start it again; if this repeats, check ")
                        .append("the CLI's logs under $COPILOT_HOME/logs (default ~/.copilot/logs).");
            }
        } else if (!closed) {
            sb.append(".\nNext step: check that the server is still running and reachable at ")
                    .append(address.hostPort())
                    .append(" (e.g. copilot --headless --port ")
                    .append(address.port())
                    .append("), then start the client again.");
        }
        return sb.toString();
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String describe(Throwable t) {
        String msg = t.getMessage();
        return t.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    @Override
    public boolean isAlive() {
        if (closed || socket.isClosed() || socket.isInputShutdown()) {
            return false;
        }
        return process == null || process.isAlive();
    }

    /**
     * Closes the socket; in spawn mode then SIGTERMs the CLI and its descendants and kills what still
     * runs, all within {@code grace} (see {@link CliProcess#stopWithin(Duration, boolean)}).
     */
    @Override
    public void close(Duration grace) {
        synchronized (lock) {
            if (!closed) {
                closed = true;
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
        if (process != null) {
            process.stopWithin(grace == null ? defaultGrace : grace, false);
        }
    }

    @Override
    public void close() {
        close(defaultGrace);
    }

    @Override
    public String toString() {
        return "tcp channel to " + address.hostPort() + (process != null ? " (" + process + ")" : "");
    }
}
