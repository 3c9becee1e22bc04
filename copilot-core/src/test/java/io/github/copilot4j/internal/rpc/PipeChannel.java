package io.github.copilot4j.internal.rpc;

import io.github.copilot4j.internal.BytePipe;
import io.github.copilot4j.spi.TransportChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/** Test channel: the test plays the runtime through {@link #peerIn} / {@link #peerOut}. */
final class PipeChannel implements TransportChannel {
    final BytePipe toClient = new BytePipe(1 << 20);
    final BytePipe toPeer = new BytePipe(1 << 20);
    volatile String termination = "peer went away";
    volatile boolean closed;

    InputStream peerIn() {
        return toPeer.input();
    }

    OutputStream peerOut() {
        return toClient.output();
    }

    @Override
    public InputStream input() {
        return toClient.input();
    }

    @Override
    public OutputStream output() {
        return toPeer.output();
    }

    @Override
    public boolean ownsRuntime() {
        return true;
    }

    @Override
    public String describeTermination(Throwable readError, Duration wait) {
        return termination;
    }

    @Override
    public boolean isAlive() {
        return !closed;
    }

    @Override
    public void close(Duration grace) {
        closed = true;
        try {
            toPeer.output().close();
            toClient.output().close();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
