package io.github.copilot4j.benchmarks.cli;

import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.spi.TransportChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wraps a {@link Transport} and time-stamps frames where they cross between the transport and the
 * client, without touching the client: a frame "arrives" when the {@code read} that completes it
 * returns from the transport's input stream; a request "leaves" when the client hands it to the
 * transport's output stream. The time between the client's call and the request leaving, and
 * between a frame arriving and the listener or future that it completes, is the client's own time;
 * the rest is the runtime's (and the pipe's).
 *
 * <p>The wrapper scans the frames for {@code session.send} requests and {@code session.event}
 * notifications (a byte search, on the thread that reads or writes, so its cost of a microsecond
 * or two per frame is counted as client time: the split errs against the client).
 *
 * <p>Threading: the input side runs on the client's reader thread, the output side on whichever
 * thread writes (the client serializes writes); the per-session records are thread-safe.
 */
public final class TimingTransport implements Transport {
    private final Transport delegate;
    private final Map<String, SessionTimes> sessions = new ConcurrentHashMap<>();
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();

    /** Timestamps of one session's frames (System.nanoTime). */
    public static final class SessionTimes {
        private volatile long sendWrittenAt;
        private volatile long idleArrivedAt;

        public long sendWrittenAt() {
            return sendWrittenAt;
        }

        public long idleArrivedAt() {
            return idleArrivedAt;
        }
    }

    public TimingTransport(Transport delegate) {
        this.delegate = delegate;
    }

    public SessionTimes times(String sessionId) {
        return sessions.computeIfAbsent(sessionId, k -> new SessionTimes());
    }

    /** Takes the arrival time (System.nanoTime) of the event frame with this id, or -1 if none was seen. */
    public long takeArrival(String eventId) {
        Long t = arrivals.remove(eventId);
        return t == null ? -1 : t;
    }

    /** Forgets recorded event arrivals (those no listener took). */
    public void clearArrivals() {
        arrivals.clear();
    }

    @Override
    public TransportChannel open() throws IOException {
        return new Channel(delegate.open());
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    private static int indexOf(byte[] b, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (b[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The JSON string value that follows {@code key} (which ends with the opening quote), or null. */
    private static String stringAfter(byte[] b, int from, int to, byte[] key) {
        int at = indexOf(b, from, to, key);
        if (at < 0) {
            return null;
        }
        int start = at + key.length;
        int end = start;
        while (end < to && b[end] != '"') {
            end++;
        }
        return new String(b, start, end - start, StandardCharsets.UTF_8);
    }

    /** The envelope's id comes after the event's data in the CLI's frames: the last "id" of the frame. */
    private static String lastStringAfter(byte[] b, int from, int to, byte[] key) {
        for (int i = to - key.length; i >= from; i--) {
            if (b[i] == key[0] && indexOf(b, i, i + key.length, key) == i) {
                return stringAfter(b, i, to, key);
            }
        }
        return null;
    }

    private static final byte[] EVENT_ID = "\"id\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SESSION_ID = "\"sessionId\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SESSION_EVENT = "\"method\":\"session.event\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SESSION_SEND = "\"method\":\"session.send\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] IDLE = "\"type\":\"session.idle\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEADER_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final class Channel implements TransportChannel {
        private final TransportChannel ch;
        private final InputStream in;
        private final OutputStream out;

        Channel(TransportChannel ch) {
            this.ch = ch;
            InputStream raw = ch.input();
            OutputStream rawOut = ch.output();
            this.in = new InputStream() {
                // The frame being assembled: header then body.
                private byte[] frame = new byte[64 * 1024];
                private int have;
                private int bodyStart = -1;
                private int bodyLength;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = raw.read(b, off, len);
                    if (n > 0) {
                        long now = System.nanoTime();
                        scan(b, off, n, now);
                    }
                    return n;
                }

                private void scan(byte[] b, int off, int n, long now) {
                    int p = off;
                    int end = off + n;
                    while (p < end) {
                        if (bodyStart < 0) {
                            // header: copy until CRLFCRLF
                            append(b[p++]);
                            if (have >= 4
                                    && frame[have - 1] == '\n'
                                    && frame[have - 2] == '\r'
                                    && frame[have - 3] == '\n'
                                    && frame[have - 4] == '\r') {
                                String header = new String(frame, 0, have, StandardCharsets.US_ASCII);
                                int colon = header.toLowerCase(Locale.ROOT).indexOf("content-length:");
                                int lineEnd = header.indexOf('\r', colon);
                                bodyLength = Integer.parseInt(
                                        header.substring(colon + 15, lineEnd).trim());
                                bodyStart = have;
                                ensure(bodyStart + bodyLength);
                            }
                        } else {
                            int take = Math.min(end - p, bodyStart + bodyLength - have);
                            System.arraycopy(b, p, frame, have, take);
                            have += take;
                            p += take;
                        }
                        if (bodyStart >= 0 && have == bodyStart + bodyLength) {
                            onFrame(frame, bodyStart, have, now);
                            have = 0;
                            bodyStart = -1;
                        }
                    }
                }

                private void append(byte x) {
                    ensure(have + 1);
                    frame[have++] = x;
                }

                private void ensure(int size) {
                    if (size > frame.length) {
                        frame = java.util.Arrays.copyOf(frame, Math.max(size, frame.length * 2));
                    }
                }
            };
            this.out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    rawOut.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    long now = System.nanoTime();
                    int bodyAt = indexOf(b, off, off + len, HEADER_END);
                    if (bodyAt >= 0 && indexOf(b, bodyAt, off + len, SESSION_SEND) >= 0) {
                        String sid = stringAfter(b, bodyAt, off + len, SESSION_ID);
                        if (sid != null) {
                            times(sid).sendWrittenAt = now;
                        }
                    }
                    rawOut.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    rawOut.flush();
                }

                @Override
                public void close() throws IOException {
                    rawOut.close();
                }
            };
        }

        private void onFrame(byte[] f, int from, int to, long arrivedAt) {
            if (indexOf(f, from, to, SESSION_EVENT) < 0) {
                return;
            }
            String sid = stringAfter(f, from, to, SESSION_ID);
            if (sid == null) {
                return;
            }
            SessionTimes t = times(sid);
            String eventId = lastStringAfter(f, from, to, EVENT_ID);
            if (eventId != null) {
                arrivals.put(eventId, arrivedAt);
            }
            if (indexOf(f, from, to, IDLE) >= 0) {
                t.idleArrivedAt = arrivedAt;
            }
            if (DUMP && dumped++ < 12) {
                System.out.println("frame: " + new String(f, from, Math.min(to - from, 400), StandardCharsets.UTF_8));
            }
        }

        private int dumped;

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
            return ch.connectionToken();
        }

        @Override
        public boolean ownsRuntime() {
            return ch.ownsRuntime();
        }

        @Override
        public String describeTermination(Throwable readError, Duration wait) {
            return ch.describeTermination(readError, wait);
        }

        @Override
        public boolean isAlive() {
            return ch.isAlive();
        }

        @Override
        public void close(Duration grace) {
            ch.close(grace);
        }
    }

    static final boolean DUMP = Boolean.getBoolean("bench.dumpFrames");
}
