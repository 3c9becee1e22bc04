package io.github.copilot4j.testing.reliability;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.spi.TransportChannel;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * Child JVM of {@link LargeFrameHeapTest}: a real {@link CopilotClient} whose runtime is the parent
 * test, reached over this process's stdin (frames in) and stdout (frames out). It starts, sends one
 * ping, and prints the outcome as one line {@code RESULT <class>: <message>} on stderr.
 *
 * <p>Arguments: {@code default} (the built-in frame cap) or the {@code maxFrameBytes} to set.
 */
public final class LargeFrameChild {
    private LargeFrameChild() {}

    public static void main(String[] args) {
        OutputStream frames = new FileOutputStream(FileDescriptor.out);
        InputStream input = new FileInputStream(FileDescriptor.in);
        System.setOut(System.err); // stdout carries frames only
        Transport transport = new Transport() {
            @Override
            public TransportChannel open() {
                return new TransportChannel() {
                    @Override
                    public InputStream input() {
                        return input;
                    }

                    @Override
                    public OutputStream output() {
                        return frames;
                    }

                    @Override
                    public boolean ownsRuntime() {
                        return false;
                    }

                    @Override
                    public String describeTermination(Throwable readError, Duration wait) {
                        return "the parent test is still running but its output ended";
                    }

                    @Override
                    public boolean isAlive() {
                        return true;
                    }

                    @Override
                    public void close(Duration grace) {
                        try {
                            input.close();
                        } catch (IOException ignored) {
                            // the parent notices the closed pipe
                        }
                    }
                };
            }

            @Override
            public String describe() {
                return "the parent test";
            }
        };
        CopilotClient.Builder builder = CopilotClient.builder()
                .transport(transport)
                .requestTimeout(Duration.ofSeconds(60))
                .closeTimeout(Duration.ofSeconds(2));
        if (!args[0].equals("default")) {
            builder.maxFrameBytes(Integer.parseInt(args[0]));
        }
        String result;
        try (CopilotClient client = builder.build()) {
            client.start();
            client.ping();
            result = "ping answered";
        } catch (Throwable t) {
            result = t.getClass().getName() + ": " + t.getMessage();
        }
        System.err.println("RESULT " + result.replace('\n', ' '));
        System.err.flush();
        Runtime.getRuntime().halt(0);
    }
}
