package io.github.copilot4j.opentelemetry;

import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.spi.TransportChannel;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** A transport that keeps a copy of every byte the client writes to the runtime: what went on the wire. */
final class WireRecorder implements Transport {
    private final Transport delegate;
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

    WireRecorder(Transport delegate) {
        this.delegate = delegate;
    }

    String sent() {
        synchronized (sent) {
            return sent.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public TransportChannel open() throws IOException {
        TransportChannel ch = delegate.open();
        OutputStream tee = new FilterOutputStream(ch.output()) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                synchronized (sent) {
                    sent.write(b, off, len);
                }
                out.write(b, off, len);
            }

            @Override
            public void write(int b) throws IOException {
                synchronized (sent) {
                    sent.write(b);
                }
                out.write(b);
            }
        };
        return new TransportChannel() {
            public InputStream input() {
                return ch.input();
            }

            public OutputStream output() {
                return tee;
            }

            public Optional<String> connectionToken() {
                return ch.connectionToken();
            }

            public boolean ownsRuntime() {
                return ch.ownsRuntime();
            }

            public String describeTermination(Throwable readError, Duration wait) {
                return ch.describeTermination(readError, wait);
            }

            public boolean isAlive() {
                return ch.isAlive();
            }

            public void close(Duration grace) {
                ch.close(grace);
            }
        };
    }
}
