package io.github.copilot4j.testing.runtime;

import io.github.copilot4j.internal.BytePipe;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.spi.TransportChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Transport} to a {@link FakeRuntime} in the same JVM, over bounded in-memory pipes. Each
 * {@link #open()} is a new connection to the same runtime (its sessions survive reconnects, like
 * a CLI's home directory).
 */
public final class InMemoryTransport implements Transport {
    private final FakeRuntime runtime;
    private final String token;
    private final int pipeBytes;

    private InMemoryTransport(FakeRuntime runtime, String token, int pipeBytes) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.token = token;
        this.pipeBytes = pipeBytes;
    }

    /** A transport to {@code runtime}. */
    public static InMemoryTransport to(FakeRuntime runtime) {
        return new InMemoryTransport(runtime, null, 1 << 20);
    }

    /** The same, sending {@code token} in the handshake. */
    public InMemoryTransport withConnectionToken(String connectionToken) {
        return new InMemoryTransport(runtime, connectionToken, pipeBytes);
    }

    @Override
    public TransportChannel open() throws IOException {
        BytePipe toRuntime = new BytePipe(pipeBytes);
        BytePipe toClient = new BytePipe(pipeBytes);
        FakeRuntime.Connection conn = runtime.accept(toRuntime.input(), toClient.output());
        return new Channel(toClient.input(), toRuntime.output(), conn, token);
    }

    @Override
    public String describe() {
        return "in-memory:" + runtime.name();
    }

    private static final class Channel implements TransportChannel {
        private final InputStream in;
        private final OutputStream out;
        private final FakeRuntime.Connection conn;
        private final String token;

        Channel(InputStream in, OutputStream out, FakeRuntime.Connection conn, String token) {
            this.in = in;
            this.out = out;
            this.conn = conn;
            this.token = token;
        }

        @Override
        public InputStream input() {
            return in;
        }

        @Override
        public OutputStream output() {
            return out;
        }

        @Override
        public Optional<String> connectionToken() {
            return Optional.ofNullable(token);
        }

        @Override
        public boolean ownsRuntime() {
            return true;
        }

        @Override
        public String describeTermination(Throwable readError, Duration wait) {
            String why = conn.terminationReason();
            if (why != null) {
                return why;
            }
            return "in-memory runtime connection ended" + (readError == null ? "" : ": " + readError.getMessage());
        }

        @Override
        public boolean isAlive() {
            return conn.isOpen();
        }

        @Override
        public void close(Duration grace) {
            try {
                out.close();
            } catch (IOException ignored) {
                // in-memory
            }
            conn.close();
            try {
                in.close();
            } catch (IOException ignored) {
                // in-memory
            }
        }
    }
}
