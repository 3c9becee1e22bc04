package io.github.copilot4j.internal.rpc;

import io.github.copilot4j.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads LSP-style frames ({@code Content-Length: N\r\n\r\nbody}) from a stream. Only the reader
 * thread uses an instance. Memory is bounded: a header line is at most {@value #MAX_HEADER_LINE}
 * bytes, at most {@value #MAX_HEADERS} headers, and a body at most the configured cap, checked
 * before anything is allocated. It buffers the stream itself (no per-byte calls on the stream).
 */
public final class FrameReader {
    static final int MAX_HEADER_LINE = 8 * 1024;
    static final int MAX_HEADERS = 32;
    /** The largest default frame cap, whatever the heap. */
    public static final int DEFAULT_MAX_FRAME_CAP = 64 * 1024 * 1024;
    /** The smallest default frame cap, whatever the heap. */
    public static final int DEFAULT_MAX_FRAME_FLOOR = 1024 * 1024;
    /**
     * The default cap is this fraction of the max heap: reading a frame and parsing it into a JSON
     * tree takes several times its size (the bytes, the parser's char buffer and the strings).
     */
    public static final int DEFAULT_HEAP_DIVISOR = 16;

    private final InputStream in;
    private final int maxFrameBytes;
    private final byte[] lineBuf = new byte[MAX_HEADER_LINE];
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private int limit;
    private long frameLength = -1;
    static final int BUFFER = 64 * 1024;

    public FrameReader(InputStream in, int maxFrameBytes) {
        this.in = in;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The default frame cap for this JVM: see {@link #defaultMaxFrameBytes(long)} with {@link Runtime#maxMemory()}. */
    public static int defaultMaxFrameBytes() {
        return defaultMaxFrameBytes(Runtime.getRuntime().maxMemory());
    }

    /**
     * The default frame cap for a heap of {@code maxHeapBytes}: 1/{@value #DEFAULT_HEAP_DIVISOR} of
     * it, at least {@value #DEFAULT_MAX_FRAME_FLOOR} and at most {@value #DEFAULT_MAX_FRAME_CAP}
     * bytes (64 MiB from a 1 GiB heap up; 8 MiB with 128 MiB).
     */
    public static int defaultMaxFrameBytes(long maxHeapBytes) {
        if (maxHeapBytes <= 0 || maxHeapBytes == Long.MAX_VALUE) {
            return DEFAULT_MAX_FRAME_CAP;
        }
        return (int)
                Math.max(DEFAULT_MAX_FRAME_FLOOR, Math.min(DEFAULT_MAX_FRAME_CAP, maxHeapBytes / DEFAULT_HEAP_DIVISOR));
    }

    /**
     * The Content-Length of the frame being read or last read (-1 before the first): what an
     * {@link OutOfMemoryError} while reading or parsing it is about.
     */
    public long frameLength() {
        return frameLength;
    }

    /**
     * Reads the next frame's body.
     *
     * @return the body bytes, or null at a clean end of stream between frames
     * @throws ProtocolException if the framing is broken (the stream cannot be resynchronized)
     * @throws IOException if the stream fails or ends inside a frame
     */
    public byte[] next() throws IOException {
        long length = -1;
        int headers = 0;
        while (true) {
            int n = readLine();
            if (n < 0) {
                if (headers == 0 && length < 0) {
                    return null;
                }
                throw new EOFException("stream ended inside a frame header");
            }
            if (n == 0) {
                if (headers == 0) {
                    continue; // tolerate blank lines between frames
                }
                break;
            }
            if (++headers > MAX_HEADERS) {
                throw new ProtocolException("more than " + MAX_HEADERS + " header lines in one frame");
            }
            String line = new String(lineBuf, 0, n, StandardCharsets.US_ASCII);
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("malformed frame header line: '" + printable(line) + "'");
            }
            String name = line.substring(0, colon).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                String value = line.substring(colon + 1).trim();
                try {
                    length = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new ProtocolException("Content-Length is not a number: '" + printable(value) + "'");
                }
                if (length < 0) {
                    throw new ProtocolException("negative Content-Length: " + length);
                }
                if (length > maxFrameBytes) {
                    throw new ProtocolException("frame of " + length + " bytes exceeds the maximum of "
                            + maxFrameBytes + " bytes (CopilotClient.Builder.maxFrameBytes; by default 1/"
                            + DEFAULT_HEAP_DIVISOR
                            + " of the max heap, at most 64 MiB). If such frames are legitimate, "
                            + "raise maxFrameBytes and give the JVM a heap of at least " + DEFAULT_HEAP_DIVISOR
                            + " times that (-Xmx)");
                }
            }
        }
        if (length < 0) {
            throw new ProtocolException("frame without a Content-Length header");
        }
        frameLength = length;
        byte[] body = new byte[(int) length];
        int off = Math.min(body.length, limit - pos);
        System.arraycopy(buf, pos, body, 0, off);
        pos += off;
        while (off < body.length) {
            int r = in.read(body, off, body.length - off);
            if (r < 0) {
                throw new EOFException("stream ended after " + off + " of " + length + " body bytes");
            }
            off += r;
        }
        return body;
    }

    /** Reads one CRLF- (or LF-) terminated line into lineBuf; returns its length, or -1 at EOF before any byte. */
    private int readLine() throws IOException {
        int n = 0;
        while (true) {
            if (pos == limit && !fill()) {
                if (n == 0) {
                    return -1;
                }
                throw new EOFException("stream ended inside a frame header");
            }
            byte b = buf[pos++];
            if (b == '\n') {
                if (n > 0 && lineBuf[n - 1] == '\r') {
                    n--;
                }
                return n;
            }
            if (n == lineBuf.length) {
                throw new ProtocolException("frame header line longer than " + MAX_HEADER_LINE + " bytes");
            }
            lineBuf[n++] = b;
        }
    }

    /** Refills the buffer from the stream; false at end of stream. */
    private boolean fill() throws IOException {
        int r;
        do {
            r = in.read(buf, 0, buf.length);
        } while (r == 0);
        if (r < 0) {
            return false;
        }
        pos = 0;
        limit = r;
        return true;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c > 0x7e ? '?' : c);
        }
        return sb.toString();
    }
}
