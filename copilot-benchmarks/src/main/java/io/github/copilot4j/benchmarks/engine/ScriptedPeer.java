package io.github.copilot4j.benchmarks.engine;

import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.spi.TransportChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The cheapest possible scripted runtime, to measure the client alone: a {@link Transport} whose
 * channel answers the client's requests at once (on the client's writing thread, with a byte scan
 * instead of a JSON parser) and lets the benchmark {@link #feed} pre-encoded frames into the
 * client's input as fast as the client reads them (no pipe, no copying beyond one {@code
 * arraycopy} into the client's buffer).
 *
 * <p>Answers: {@code connect} and {@code ping} (protocol 3), {@code session.send} ({@code
 * messageId}, optionally followed by a whole turn's events), everything else an empty object. It
 * keeps no per-session state.
 *
 * <p>Threading: the client reads the input from its reader thread; requests are answered on the
 * thread that writes them; {@link #feed} may be called from any thread. One open channel at a
 * time.
 */
public final class ScriptedPeer implements Transport {
    private static final byte[] END = new byte[0];
    private volatile Channel current;
    private final boolean turns;

    /** A peer that answers {@code session.send} with a message id only. */
    public ScriptedPeer() {
        this(false);
    }

    /**
     * @param turns true: after answering {@code session.send}, also play a whole turn like the CLI's
     *     (user.message, assistant.turn_start, assistant.message, assistant.turn_end, session.idle)
     */
    public ScriptedPeer(boolean turns) {
        this.turns = turns;
    }

    @Override
    public TransportChannel open() {
        Channel c = new Channel();
        current = c;
        return c;
    }

    @Override
    public String describe() {
        return "scripted-peer";
    }

    /** Queues bytes (whole frames) for the client to read. */
    public void feed(byte[] frames) {
        Channel c = current;
        if (c == null) {
            throw new IllegalStateException("no open channel");
        }
        c.chunks.add(frames);
    }

    /** A {@code Content-Length} frame around a JSON text. */
    public static byte[] frame(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] f = new byte[head.length + body.length];
        System.arraycopy(head, 0, f, 0, head.length);
        System.arraycopy(body, 0, f, head.length, body.length);
        return f;
    }

    /** A {@code session.event} notification frame, shaped like the CLI's. */
    public static byte[] eventFrame(
            String sessionId, String eventId, String parentId, String type, boolean ephemeral, String dataJson) {
        return frame("{\"jsonrpc\":\"2.0\",\"method\":\"session.event\",\"params\":{\"sessionId\":\"" + sessionId
                + "\",\"event\":{"
                + "\"type\":\"" + type + "\",\"data\":" + dataJson + ",\"id\":\"" + eventId + "\","
                + "\"timestamp\":\"2025-11-02T10:15:30.123Z\",\"parentId\":"
                + (parentId == null ? "null" : "\"" + parentId + "\"")
                + (ephemeral ? ",\"ephemeral\":true" : "") + "}}}");
    }

    /** Concatenates frames into one blob. */
    public static byte[] concat(java.util.List<byte[]> frames) {
        int n = 0;
        for (byte[] f : frames) {
            n += f.length;
        }
        byte[] all = new byte[n];
        int p = 0;
        for (byte[] f : frames) {
            System.arraycopy(f, 0, all, p, f.length);
            p += f.length;
        }
        return all;
    }

    private final class Channel implements TransportChannel {
        final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        private volatile boolean closed;
        private final InputStream in = new InputStream() {
            private byte[] chunk;
            private int pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (chunk == null || pos == chunk.length) {
                    if (chunk == END) {
                        return -1;
                    }
                    try {
                        chunk = chunks.poll(100, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException();
                    }
                    pos = 0;
                    if (chunk == null && closed) {
                        chunk = END;
                    }
                }
                int n = Math.min(len, chunk.length - pos);
                System.arraycopy(chunk, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        private final OutputStream out = new OutputStream() {
            private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (closed) {
                    throw new IOException("scripted peer closed");
                }
                pending.write(b, off, len);
                drainFrames();
            }

            private void drainFrames() {
                byte[] buf = pending.toByteArray();
                int p = 0;
                while (true) {
                    int headerEnd = indexOf(buf, p, "\r\n\r\n");
                    if (headerEnd < 0) {
                        break;
                    }
                    String header = new String(buf, p, headerEnd - p, StandardCharsets.US_ASCII);
                    int len = Integer.parseInt(
                            header.substring(header.indexOf(':') + 1).trim());
                    int bodyStart = headerEnd + 4;
                    if (buf.length - bodyStart < len) {
                        break;
                    }
                    answer(new String(buf, bodyStart, len, StandardCharsets.UTF_8));
                    p = bodyStart + len;
                }
                pending.reset();
                pending.write(buf, p, buf.length - p);
            }
        };

        private void answer(String request) {
            int m = request.indexOf("\"method\":\"");
            int idAt = request.indexOf("\"id\":");
            if (m < 0 || idAt < 0) {
                return; // a notification or a response: nothing to answer
            }
            String method = request.substring(m + 10, request.indexOf('"', m + 10));
            int idEnd = idAt + 5;
            while (idEnd < request.length() && Character.isDigit(request.charAt(idEnd))) {
                idEnd++;
            }
            String id = request.substring(idAt + 5, idEnd);
            String result = switch (method) {
                case "connect", "ping" ->
                    "{\"ok\":true,\"message\":\"pong\",\"protocolVersion\":3,\"version\":\"scripted-peer\"}";
                case "session.send" -> "{\"messageId\":\"m" + id + "\"}";
                default -> "{}";
            };
            byte[] response = frame("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}");
            if (turns && method.equals("session.send")) {
                int sidAt = request.indexOf("\"sessionId\":\"");
                String sid = request.substring(sidAt + 13, request.indexOf('"', sidAt + 13));
                String mid = "m" + id;
                String t = "t" + id;
                chunks.add(concat(java.util.List.of(
                        response,
                        eventFrame(
                                sid,
                                t + "-1",
                                null,
                                "user.message",
                                false,
                                "{\"content\":\"hello\",\"messageId\":\"" + mid + "\",\"interactionId\":\"" + t
                                        + "\"}"),
                        eventFrame(
                                sid,
                                t + "-2",
                                t + "-1",
                                "assistant.turn_start",
                                false,
                                "{\"turnId\":\"0\",\"interactionId\":\"" + t + "\"}"),
                        eventFrame(
                                sid,
                                t + "-3",
                                t + "-2",
                                "assistant.message",
                                false,
                                "{\"messageId\":\"r" + id
                                        + "\",\"content\":\"ECHO: hello\",\"toolRequests\":[],\"interactionId\":\"" + t
                                        + "\"}"),
                        eventFrame(sid, t + "-4", t + "-3", "assistant.turn_end", false, "{\"turnId\":\"0\"}"),
                        eventFrame(sid, t + "-5", t + "-4", "session.idle", true, "{}"))));
            } else {
                chunks.add(response);
            }
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
        public boolean ownsRuntime() {
            return true;
        }

        @Override
        public String describeTermination(Throwable readError, Duration wait) {
            return "scripted peer closed";
        }

        @Override
        public boolean isAlive() {
            return !closed;
        }

        @Override
        public void close(Duration grace) {
            closed = true;
            chunks.add(END);
        }
    }

    private static int indexOf(byte[] buf, int from, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = from; i <= buf.length - n.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (buf[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
