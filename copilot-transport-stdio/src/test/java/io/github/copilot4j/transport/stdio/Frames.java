package io.github.copilot4j.transport.stdio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Test-only JSON-RPC framing ({@code Content-Length: N\r\n\r\n<N bytes>}); no client exists yet. */
public final class Frames {
    public static final ObjectMapper JSON = new ObjectMapper();

    private Frames() {}

    public static void write(OutputStream out, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        out.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    public static void request(OutputStream out, int id, String method, String paramsJson) throws IOException {
        write(
                out,
                "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + paramsJson + "}");
    }

    /** One frame's body, or null at end-of-stream. */
    public static String read(InputStream in) throws IOException {
        int length = -1;
        while (true) {
            String line = readHeaderLine(in);
            if (line == null) {
                return null;
            }
            if (line.isEmpty()) {
                if (length >= 0) {
                    break;
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0
                    && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                length = Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            return null;
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Reads frames until the response with this id (skipping notifications); null at end-of-stream. */
    public static JsonNode readResponse(InputStream in, int id) throws IOException {
        while (true) {
            String body = read(in);
            if (body == null) {
                return null;
            }
            JsonNode node = JSON.readTree(body);
            if (node.has("id") && node.get("id").asInt() == id && !node.has("method")) {
                return node;
            }
        }
    }

    private static String readHeaderLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b == -1) {
                return null;
            }
            if (b == '\n') {
                String s = buf.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(b);
        }
    }
}
