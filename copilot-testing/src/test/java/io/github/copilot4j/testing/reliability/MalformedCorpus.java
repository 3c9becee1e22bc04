package io.github.copilot4j.testing.reliability;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * A deterministic generator of malformed input from the runtime's side of the wire: the same seed
 * yields the same cases in the same order, so a failure reproduces with {@code
 * -Dcopilot4j.fuzz.seed=<seed>}. Cases are made one at a time (some are megabytes), never all
 * held at once.
 *
 * <p>Two families: broken framing (the stream cannot be resynchronized: the client must close the
 * connection with a {@code ProtocolException}, or see the end of the stream), and broken messages
 * inside well-formed frames (the client must reject them and keep the connection).
 */
final class MalformedCorpus {

    /** What the client must do with a case. */
    enum Expect {
        /** Reject (or ignore) the message; the connection lives. */
        LIVES,
        /** Close the connection with a ProtocolException. */
        PROTOCOL_ERROR,
        /** Either of the above (a length that lies leaves junk whose fate depends on what follows). */
        LIVES_OR_PROTOCOL_ERROR,
        /** The stream ends inside a frame: the connection is closed, naming the end. */
        CLOSED
    }

    /** One case: bytes to write, whether the runtime then ends its output, and the expectation. */
    record Case(int index, String kind, String description, byte[] bytes, boolean thenEndOfStream, Expect expect) {
        @Override
        public String toString() {
            return "case #" + index + " [" + kind + "] " + description + " (" + bytes.length + " bytes"
                    + (thenEndOfStream ? ", then end of stream" : "") + ", expect " + expect + ")";
        }
    }

    private static final String[] KINDS = {
        // broken framing
        "missing-length",
        "negative-length",
        "non-numeric-length",
        "huge-length",
        "header-without-colon",
        "header-line-too-long",
        "too-many-headers",
        "binary-garbage-line",
        "truncated-body",
        "truncated-header",
        "length-too-short",
        // well-formed frames with broken or unexpected messages
        "odd-but-valid-framing",
        "invalid-json",
        "invalid-utf8",
        "not-an-object",
        "no-method-no-id",
        "method-wrong-type",
        "response-id-wrong-type",
        "response-to-unknown-id",
        "error-wrong-shape",
        "unknown-notification",
        "unknown-server-request",
        "event-params-wrong-types",
        "event-for-unknown-session",
        "event-malformed-for-open-session",
        "deep-nesting",
        "huge-number",
        "huge-string",
        "bom-and-trailing",
        "duplicate-keys",
        "empty-body",
        "raw-control-characters",
        "lone-surrogate-escapes",
    };
    /** Relative weights of {@link #KINDS}, same order. */
    private static final int[] WEIGHTS = {
        3, 3, 4, 4, 3, 1, 1, 3, 3, 2, 3, 4, 6, 5, 4, 4, 4, 5, 5, 4, 5, 4, 6, 6, 10, 2, 2, 1, 2, 2, 2, 3, 3,
    };

    private final Random random;
    private final String openSession;
    private final int maxFrameBytes;
    private final int totalWeight;
    private int index;

    MalformedCorpus(long seed, String openSession, int maxFrameBytes) {
        this.random = new Random(seed);
        this.openSession = openSession;
        this.maxFrameBytes = maxFrameBytes;
        int t = 0;
        for (int w : WEIGHTS) {
            t += w;
        }
        this.totalWeight = t;
        if (KINDS.length != WEIGHTS.length) {
            throw new IllegalStateException("KINDS and WEIGHTS differ in length");
        }
    }

    /** The next case. */
    Case next() {
        int pick = random.nextInt(totalWeight);
        int k = 0;
        while (pick >= WEIGHTS[k]) {
            pick -= WEIGHTS[k];
            k++;
        }
        return make(index++, KINDS[k]);
    }

    private Case make(int i, String kind) {
        switch (kind) {
            case "missing-length": {
                StringBuilder h = new StringBuilder();
                int n = 1 + random.nextInt(3);
                for (int j = 0; j < n; j++) {
                    h.append(pick(
                                    "Content-Type: application/vscode-jsonrpc; charset=utf-8",
                                    "X-Trace: " + random.nextLong(),
                                    "Content-Lenght: 12",
                                    "Length: 12"))
                            .append("\r\n");
                }
                return c(
                        i,
                        kind,
                        "headers without Content-Length",
                        concat(ascii(h + "\r\n"), json(noop())),
                        Expect.PROTOCOL_ERROR);
            }
            case "negative-length": {
                long n = -1 - (long) (random.nextDouble() * (1L << 40));
                return c(
                        i,
                        kind,
                        "Content-Length " + n,
                        concat(ascii("Content-Length: " + n + "\r\n\r\n"), json(noop())),
                        Expect.PROTOCOL_ERROR);
            }
            case "non-numeric-length": {
                String v = pick(
                        "",
                        "abc",
                        "12abc",
                        "0x10",
                        "1e3",
                        "NaN",
                        "--5",
                        "1 2",
                        "\u00b9\u00b2",
                        "twelve",
                        "12.0",
                        "9" + "x".repeat(40),
                        randomPrintable(1 + random.nextInt(30)).replace(":", "").trim() + "z");
                return c(
                        i,
                        kind,
                        "Content-Length '" + v + "'",
                        concat(ascii8("Content-Length: " + v + "\r\n\r\n"), json(noop())),
                        Expect.PROTOCOL_ERROR);
            }
            case "huge-length": {
                String v = pick(
                        Long.toString(maxFrameBytes + 1L),
                        Long.toString(Integer.MAX_VALUE),
                        Long.toString(Long.MAX_VALUE),
                        "99999999999999999999999",
                        Long.toString(maxFrameBytes + 1L + (long) (random.nextDouble() * 1e15)),
                        "1" + "0".repeat(10 + random.nextInt(200)));
                return c(
                        i,
                        kind,
                        "Content-Length " + abbreviate(v),
                        concat(ascii("Content-Length: " + v + "\r\n\r\n"), json(noop())),
                        Expect.PROTOCOL_ERROR);
            }
            case "header-without-colon": {
                String line = pick(
                        "Content-Length 12",
                        "HELLO",
                        "{\"jsonrpc\":\"2.0\"}".replace(":", "="),
                        "GET / HTTP/1.1",
                        randomPrintable(1 + random.nextInt(100))
                                        .replace(":", ";")
                                        .replace(" ", "_") + "x");
                return c(
                        i,
                        kind,
                        "header line '" + abbreviate(line) + "'",
                        concat(ascii(line + "\r\n\r\n"), json(noop())),
                        Expect.PROTOCOL_ERROR);
            }
            case "header-line-too-long": {
                int n = 8 * 1024 + 1 + random.nextInt(64 * 1024);
                return c(
                        i,
                        kind,
                        "a header line of " + n + " bytes",
                        ascii("X-Long: " + "a".repeat(n) + "\r\n\r\n"),
                        Expect.PROTOCOL_ERROR);
            }
            case "too-many-headers": {
                int n = 33 + random.nextInt(200);
                return c(
                        i,
                        kind,
                        n + " header lines",
                        ascii("X-Header: v\r\n".repeat(n) + "Content-Length: 2\r\n\r\n{}"),
                        Expect.PROTOCOL_ERROR);
            }
            case "binary-garbage-line": {
                int n = 1 + random.nextInt(2000);
                byte[] b = new byte[n + 1];
                for (int j = 0; j < n; j++) {
                    byte x;
                    do {
                        x = (byte) random.nextInt(256);
                    } while (x == ':' || x == '\n' || x == '\r');
                    b[j] = x;
                }
                b[n] = '\n';
                return c(i, kind, n + " random bytes and a newline", b, Expect.PROTOCOL_ERROR);
            }
            case "truncated-body": {
                byte[] body = utf8(Jsons.event(openSession, Jsons.validEnvelope(random), random.nextBoolean()));
                int keep = random.nextInt(body.length);
                byte[] head = ascii("Content-Length: " + body.length + "\r\n\r\n");
                return new Case(
                        i,
                        kind,
                        keep + " of " + body.length + " body bytes",
                        concat(head, slice(body, keep)),
                        true,
                        Expect.CLOSED);
            }
            case "truncated-header": {
                String full = "Content-Length: 123\r\n";
                String cut = full.substring(0, 1 + random.nextInt(full.length() - 1));
                return new Case(i, kind, "header cut to '" + printable(cut) + "'", ascii(cut), true, Expect.CLOSED);
            }
            case "length-too-short": {
                byte[] body = utf8(Jsons.event(openSession, Jsons.validEnvelope(random), false));
                int claimed = 1 + random.nextInt(body.length - 1);
                return c(
                        i,
                        kind,
                        "Content-Length " + claimed + " for a body of " + body.length,
                        concat(ascii("Content-Length: " + claimed + "\r\n\r\n"), body),
                        Expect.LIVES_OR_PROTOCOL_ERROR);
            }
            case "odd-but-valid-framing": {
                byte[] body = utf8(noop());
                String header = pick(
                        "content-length: " + body.length + "\r\n\r\n",
                        "CONTENT-LENGTH:" + body.length + "\r\n\r\n",
                        "Content-Length:    " + body.length + "   \r\n\r\n",
                        "Content-Length: " + body.length + "\n\n",
                        "\r\n\r\nContent-Length: " + body.length + "\r\n\r\n",
                        "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n",
                        "Content-Length: 5\r\nContent-Length: " + body.length + "\r\n\r\n");
                return c(
                        i,
                        kind,
                        "valid frame, header '" + printable(header) + "'",
                        concat(ascii(header), body),
                        Expect.LIVES);
            }
            case "invalid-json": {
                String s = pick(
                        "{",
                        "}",
                        "{\"jsonrpc\":\"2.0\",",
                        "{'method':'x'}",
                        "{\"method\":\"x\",}",
                        "[1,2",
                        "{\"a\":NaN}",
                        "{\"a\":01}",
                        "nul",
                        "tru",
                        "{\"a\" \"b\"}",
                        "\"unterminated",
                        "{\"method\":\"x\"}}}}",
                        "{\"a\":\"\\x41\"}",
                        randomPrintable(1 + random.nextInt(200)));
                if (s.startsWith("{\"method\":\"x\"}")) {
                    s = "}" + s; // never accidentally valid
                }
                return c(i, kind, "body '" + abbreviate(s) + "'", json(s), Expect.LIVES);
            }
            case "invalid-utf8": {
                byte[][] bad = {
                    {(byte) 0xC3, 0x28},
                    {(byte) 0xFF},
                    {(byte) 0xFE, (byte) 0xFF},
                    {(byte) 0xC0, (byte) 0xAF},
                    {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                    {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                    {(byte) 0xE2, (byte) 0x82},
                    {(byte) 0x80},
                    {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                };
                byte[] b = bad[random.nextInt(bad.length)];
                String where = pick("method", "sessionId", "content", "key");
                byte[] body = switch (where) {
                    case "method" -> concat(utf8("{\"jsonrpc\":\"2.0\",\"method\":\"x"), b, utf8("\",\"params\":{}}"));
                    case "sessionId" ->
                        concat(
                                utf8("{\"jsonrpc\":\"2.0\",\"method\":\"session.event\",\"params\":{\"sessionId\":\""),
                                b,
                                utf8("\",\"event\":{\"id\":\"e\",\"type\":\"t\"}}}"));
                    case "content" ->
                        concat(
                                utf8("{\"jsonrpc\":\"2.0\",\"method\":\"session.event\",\"params\":{\"sessionId\":"
                                        + Jsons.quote(openSession) + ",\"event\":{\"id\":\"u8-" + random.nextInt()
                                        + "\",\"type\":\"user.message\","
                                        + "\"data\":{\"content\":\"a"),
                                b,
                                utf8("b\"}}}}"));
                    default -> concat(utf8("{\"jsonrpc\":\"2.0\",\""), b, utf8("\":1}"));
                };
                return c(i, kind, "invalid UTF-8 " + hex(b) + " in " + where, frame(body), Expect.LIVES);
            }
            case "not-an-object": {
                String s = pick(
                        "[]",
                        "[1,2,3]",
                        "42",
                        "-0.5e-300",
                        "\"a string\"",
                        "null",
                        "true",
                        "false",
                        "1e999",
                        "[{\"jsonrpc\":\"2.0\",\"method\":\"session.event\"}]");
                return c(i, kind, "body " + s, json(s), Expect.LIVES);
            }
            case "no-method-no-id": {
                String s = pick(
                        "{}",
                        "{\"jsonrpc\":\"2.0\"}",
                        "{\"jsonrpc\":\"2.0\",\"result\":{}}",
                        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-1,\"message\":\"m\"}}",
                        "{\"params\":{\"sessionId\":\"x\"}}",
                        "{\"jsonrpc\":\"1.0\",\"id\":null,\"result\":1}");
                return c(i, kind, "body " + s, json(s), Expect.LIVES);
            }
            case "method-wrong-type": {
                String m = pick("1", "{}", "[]", "true", "null", "1.5", "[\"session.event\"]", "{\"name\":\"ping\"}");
                String id =
                        pick("", ",\"id\":" + (1_000_000 + random.nextInt(1000)), ",\"id\":\"abc\"", ",\"id\":null");
                String s = "{\"jsonrpc\":\"2.0\",\"method\":" + m + id + ",\"params\":{}}";
                return c(i, kind, "body " + s, json(s), Expect.LIVES);
            }
            case "response-id-wrong-type": {
                String id = pick(
                        "\"1\"",
                        "\"abc\"",
                        "1.5",
                        "{}",
                        "[]",
                        "[1]",
                        "true",
                        "-1",
                        "1e30",
                        "9223372036854775808",
                        "-9223372036854775809",
                        "\"\"",
                        "0");
                String s = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + Jsons.randomValue(random, 3) + "}";
                return c(i, kind, "response with id " + id, json(s), Expect.LIVES);
            }
            case "response-to-unknown-id": {
                long id = random.nextBoolean() ? 10_000_000L + random.nextInt(1_000_000) : random.nextLong();
                String s = random.nextBoolean()
                        ? "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + Jsons.randomValue(random, 4) + "}"
                        : "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":-32603,\"message\":"
                                + Jsons.quote(randomPrintable(20)) + "}}";
                return c(i, kind, "response to never-made request " + id, json(s), Expect.LIVES);
            }
            case "error-wrong-shape": {
                String err = pick(
                        "\"boom\"",
                        "5",
                        "[]",
                        "{\"code\":\"abc\"}",
                        "{\"message\":{}}",
                        "{\"code\":1e99,\"message\":null}",
                        "true");
                String s = "{\"jsonrpc\":\"2.0\",\"id\":" + (20_000_000 + random.nextInt(1000)) + ",\"error\":" + err
                        + "}";
                return c(i, kind, "error " + err, json(s), Expect.LIVES);
            }
            case "unknown-notification": {
                String method = pick(
                        "",
                        "session.unknown",
                        "session.lifecycle",
                        "session.event.",
                        "\u202e\u0645\u00e9\ud83d\ude00",
                        "x".repeat(1 + random.nextInt(10_000)),
                        randomPrintable(1 + random.nextInt(40)),
                        "$/cancelRequest");
                String s = "{\"jsonrpc\":\"2.0\",\"method\":" + Jsons.quote(method) + ",\"params\":"
                        + Jsons.randomValue(random, 4) + "}";
                return c(i, kind, "notification '" + abbreviate(method) + "'", json(s), Expect.LIVES);
            }
            case "unknown-server-request": {
                String id = pick(
                        "1", "\"req-1\"", "{\"a\":1}", "[1]", "-5", "1.25", "true", Long.toString(random.nextLong()));
                String method = pick(
                        "userInput.request",
                        "hooks.invoke",
                        "sessionFs.readFile",
                        "tool.call",
                        "permission.request",
                        randomPrintable(1 + random.nextInt(20)));
                String s = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":" + Jsons.quote(method) + ",\"params\":"
                        + Jsons.randomValue(random, 3) + "}";
                return c(i, kind, "server request '" + abbreviate(method) + "' id " + id, json(s), Expect.LIVES);
            }
            case "event-params-wrong-types": {
                String q = Jsons.quote(openSession);
                String params = pick(
                        "\"text\"",
                        "[]",
                        "[1,2]",
                        "42",
                        "null",
                        "{}",
                        "{\"sessionId\":5}",
                        "{\"sessionId\":{}}",
                        "{\"sessionId\":[]}",
                        "{\"sessionId\":null,\"event\":{}}",
                        "{\"sessionId\":" + q + "}",
                        "{\"sessionId\":" + q + ",\"event\":\"str\"}",
                        "{\"sessionId\":" + q + ",\"event\":[]}",
                        "{\"sessionId\":" + q + ",\"event\":5}",
                        "{\"sessionId\":" + q + ",\"event\":null}",
                        "{\"sessionId\":" + q + ",\"event\":{}}",
                        "{\"sessionId\":" + q + ",\"event\":{\"type\":null}}");
                return c(
                        i,
                        kind,
                        "session.event params " + abbreviate(params),
                        json("{\"jsonrpc\":\"2.0\",\"method\":\"session.event\",\"params\":" + params + "}"),
                        Expect.LIVES);
            }
            case "event-for-unknown-session": {
                String sid = pick(
                        "",
                        "nope",
                        openSession + " ",
                        openSession.toUpperCase(),
                        "x'); DROP TABLE copilot4j_events; --",
                        "\u0000",
                        "a".repeat(300 + random.nextInt(5000)),
                        randomPrintable(1 + random.nextInt(50)));
                return c(
                        i,
                        kind,
                        "event for session '" + abbreviate(sid) + "'",
                        json(Jsons.event(sid, Jsons.validEnvelope(random), false)),
                        Expect.LIVES);
            }
            case "event-malformed-for-open-session": {
                String envelope = Jsons.malformedEnvelope(random);
                return c(
                        i,
                        kind,
                        "event " + abbreviate(envelope),
                        json(Jsons.event(openSession, envelope, random.nextBoolean())),
                        Expect.LIVES);
            }
            case "deep-nesting": {
                int depth = 501 + random.nextInt(5000);
                String s = random.nextBoolean()
                        ? "[".repeat(depth) + "]".repeat(depth)
                        : "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":" + "{\"a\":".repeat(depth) + "1"
                                + "}".repeat(depth) + "}";
                return c(i, kind, "nesting depth " + depth, json(s), Expect.LIVES);
            }
            case "huge-number": {
                String digits = "9".repeat(1001 + random.nextInt(20_000));
                String s = pick(
                        "{\"jsonrpc\":\"2.0\",\"id\":" + digits + ",\"result\":1}",
                        "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"n\":" + digits + "}}",
                        "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"n\":1." + digits + "e-99999}}");
                return c(i, kind, "a number of " + digits.length() + " digits", json(s), Expect.LIVES);
            }
            case "huge-string": {
                int n = (1 + random.nextInt(4)) * 1024 * 1024 + random.nextInt(1000);
                String big = "\u00e9".repeat(n / 2);
                String s = pick(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"unknown.notification\",\"params\":{\"s\":\"" + big + "\"}}",
                        "{\"jsonrpc\":\"2.0\",\"id\":" + (30_000_000 + random.nextInt(1000)) + ",\"result\":\"" + big
                                + "\"}",
                        "{\"jsonrpc\":\"2.0\",\"method\":\"session.event\",\"params\":{\"sessionId\":\"" + big
                                + "\",\"event\":{}}}");
                return c(i, kind, "a string of " + n + " bytes", json(s), Expect.LIVES);
            }
            case "bom-and-trailing": {
                byte[] body = random.nextBoolean()
                        ? concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(noop()))
                        : utf8(noop() + pick(" garbage", "\n\n{}", "}", " [1,2"));
                return c(i, kind, "BOM or trailing bytes", frame(body), Expect.LIVES);
            }
            case "duplicate-keys": {
                String s = pick(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"method\":5}",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":\"z\",\"result\":1}",
                        "{\"jsonrpc\":\"2.0\",\"method\":\"session.event\",\"params\":{\"sessionId\":\"a\",\"sessionId\":"
                                + Jsons.quote(openSession) + ",\"event\":{\"type\":\"x\",\"type\":7}}}");
                return c(i, kind, "body " + abbreviate(s), json(s), Expect.LIVES);
            }
            case "empty-body": {
                String s = pick("", " ", "\r\n", "\t\t");
                return c(i, kind, "body of " + s.length() + " blank bytes", json(s), Expect.LIVES);
            }
            case "raw-control-characters": {
                char ctl = (char) random.nextInt(0x20);
                String s = "{\"jsonrpc\":\"2.0\",\"method\":\"session.event\",\"params\":{\"sessionId\":"
                        + Jsons.quote(openSession) + ",\"event\":{\"id\":\"ctl-" + random.nextInt()
                        + "\",\"type\":\"user.message\",\"data\":{\"content\":\"a" + ctl + "b\"}}}}";
                return c(
                        i,
                        kind,
                        "raw U+" + String.format("%04X", (int) ctl) + " inside a string",
                        json(s),
                        Expect.LIVES);
            }
            case "lone-surrogate-escapes": {
                String esc = pick("\\ud800", "\\udfff", "\\ud800\\ud800", "\\udc00x", "\\u0000", "\\uFFFF", "\\ud83d");
                String s = "{\"jsonrpc\":\"2.0\",\"method\":\"session.event\",\"params\":{\"sessionId\":"
                        + Jsons.quote(openSession)
                        + ",\"event\":{\"id\":\"sur-" + random.nextInt() + esc
                        + "\",\"type\":\"user.message\",\"parentId\":\"" + esc
                        + "\",\"data\":{\"content\":\"x" + esc + "\",\"messageId\":\"" + esc + "\"}}}}";
                return c(i, kind, "escapes " + esc, json(s), Expect.LIVES);
            }
            default:
                throw new IllegalStateException("no generator for " + kind);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Case c(int i, String kind, String description, byte[] bytes, Expect expect) {
        return new Case(i, kind, description, bytes, false, expect);
    }

    private static String noop() {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"fuzz.noop\",\"params\":{}}";
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }

    private String randomPrintable(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int j = 0; j < n; j++) {
            sb.append((char) (0x21 + random.nextInt(0x7e - 0x21)));
        }
        return sb.toString();
    }

    static byte[] json(String body) {
        return frame(utf8(body));
    }

    static byte[] frame(byte[] body) {
        return concat(ascii("Content-Length: " + body.length + "\r\n\r\n"), body);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Latin-1 so that odd characters become single non-ASCII bytes in a header. */
    static byte[] ascii8(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] slice(byte[] b, int n) {
        byte[] out = new byte[n];
        System.arraycopy(b, 0, out, 0, n);
        return out;
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02X", x & 0xff));
        }
        return sb.toString();
    }

    static String abbreviate(String s) {
        String p = printable(s);
        return p.length() <= 80 ? p : p.substring(0, 77) + "...(" + s.length() + " chars)";
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < s.length() && sb.length() < 200; j++) {
            char ch = s.charAt(j);
            if (ch == '\r') {
                sb.append("\\r");
            } else if (ch == '\n') {
                sb.append("\\n");
            } else if (ch < 0x20 || ch > 0x7e) {
                sb.append(String.format("\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    /** JSON text builders for events. */
    static final class Jsons {
        private Jsons() {}

        static String quote(String s) {
            StringBuilder sb = new StringBuilder("\"");
            for (int j = 0; j < s.length(); j++) {
                char ch = s.charAt(j);
                switch (ch) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    default -> {
                        if (ch < 0x20 || Character.isSurrogate(ch)) {
                            sb.append(String.format("\\u%04x", (int) ch));
                        } else {
                            sb.append(ch);
                        }
                    }
                }
            }
            return sb.append('"').toString();
        }

        static String event(String sessionId, String envelope, boolean withExtraFields) {
            return "{\"jsonrpc\":\"2.0\",\"method\":\"session.event\",\"params\":{\"sessionId\":" + quote(sessionId)
                    + (withExtraFields ? ",\"extra\":[1,{\"x\":null}]" : "") + ",\"event\":" + envelope + "}}";
        }

        static String validEnvelope(Random r) {
            return "{\"id\":\"fz-" + Long.toHexString(r.nextLong())
                    + "\",\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"parentId\":null,"
                    + "\"type\":\"fuzz.valid\",\"data\":{\"n\":" + r.nextInt(1000) + "}}";
        }

        private static final List<String> TYPES = List.of(
                "user.message",
                "assistant.message",
                "assistant.message_delta",
                "session.idle",
                "session.error",
                "session.start",
                "session.resume",
                "tool.execution_start",
                "tool.execution_complete",
                "external_tool.requested",
                "permission.requested",
                "session.title_changed",
                "assistant.turn_start",
                "assistant.turn_end",
                "fuzz.unknown.type");

        /** An envelope whose fields have random, often wrong, types. Never contains raw control characters. */
        static String malformedEnvelope(Random r) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            String[] fields = {"id", "timestamp", "parentId", "ephemeral", "agentId", "type", "data"};
            for (String f : fields) {
                if (r.nextInt(5) == 0) {
                    continue; // missing
                }
                String value;
                switch (f) {
                    case "id" ->
                        value = r.nextInt(3) == 0
                                ? randomValue(r, 2)
                                : quote("fz-" + Long.toHexString(r.nextLong())
                                        + (r.nextInt(10) == 0 ? "x".repeat(300) : ""));
                    case "timestamp" ->
                        value = oneOf(
                                r,
                                "\"2026-13-45T99:99:99Z\"",
                                "\"yesterday\"",
                                "123",
                                "null",
                                "{}",
                                "\"+1000000000-12-31T23:59:59.999999999Z\"",
                                "\"-1000000000-01-01T00:00:00Z\"",
                                "\"2026-01-01T00:00:00+05:00\"",
                                "\"2026-01-01T00:00:00.000Z\"");
                    case "ephemeral" -> value = oneOf(r, "\"yes\"", "1", "0", "null", "true", "false", "{}", "[]");
                    case "type" ->
                        value = r.nextInt(4) == 0 ? randomValue(r, 2) : quote(TYPES.get(r.nextInt(TYPES.size())));
                    case "data" -> value = r.nextInt(3) == 0 ? randomValue(r, 3) : typedData(r);
                    default -> value = randomValue(r, 2);
                }
                sb.append(first ? "" : ",").append(quote(f)).append(':').append(value);
                first = false;
            }
            return sb.append('}').toString();
        }

        /** A data object whose known fields have random types. */
        private static String typedData(Random r) {
            String[] names = {
                "content",
                "messageId",
                "originatingMessageId",
                "toolRequests",
                "deltaContent",
                "statusCode",
                "message",
                "errorType",
                "requestId",
                "toolName",
                "arguments",
                "toolCallId",
                "result",
                "error",
                "success",
                "title",
                "permissionRequest",
                "resolvedByHook",
                "eventCount",
                "aborted",
                "selectedModel",
                "turnId"
            };
            StringBuilder sb = new StringBuilder("{");
            int n = 1 + r.nextInt(8);
            for (int j = 0; j < n; j++) {
                sb.append(j == 0 ? "" : ",")
                        .append(quote(names[r.nextInt(names.length)]))
                        .append(':')
                        .append(randomValue(r, 3));
            }
            return sb.append('}').toString();
        }

        private static String oneOf(Random r, String... options) {
            return options[r.nextInt(options.length)];
        }

        /** A random JSON value of at most {@code depth} levels. */
        static String randomValue(Random r, int depth) {
            int k = r.nextInt(depth <= 0 ? 6 : 8);
            switch (k) {
                case 0:
                    return "null";
                case 1:
                    return r.nextBoolean() ? "true" : "false";
                case 2:
                    return Long.toString(r.nextLong());
                case 3:
                    return r.nextBoolean() ? Double.toString(r.nextGaussian() * 1e300) : "-0.0";
                case 4:
                case 5: {
                    StringBuilder sb = new StringBuilder();
                    int n = r.nextInt(30);
                    for (int j = 0; j < n; j++) {
                        sb.append((char) (r.nextInt(4) == 0 ? 0x20 + r.nextInt(0x3000) : 0x20 + r.nextInt(0x5f)));
                    }
                    return quote(sb.toString());
                }
                case 6: {
                    StringBuilder sb = new StringBuilder("[");
                    int n = r.nextInt(4);
                    for (int j = 0; j < n; j++) {
                        sb.append(j == 0 ? "" : ",").append(randomValue(r, depth - 1));
                    }
                    return sb.append(']').toString();
                }
                default: {
                    StringBuilder sb = new StringBuilder("{");
                    int n = r.nextInt(4);
                    for (int j = 0; j < n; j++) {
                        sb.append(j == 0 ? "" : ",")
                                .append(quote("k" + r.nextInt(10)))
                                .append(':')
                                .append(randomValue(r, depth - 1));
                    }
                    return sb.append('}').toString();
                }
            }
        }
    }
}
