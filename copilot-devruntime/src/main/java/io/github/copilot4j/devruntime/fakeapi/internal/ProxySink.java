package io.github.copilot4j.devruntime.fakeapi.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback "proxy" that lets nothing through: point {@code HTTP(S)_PROXY} at it and every attempt
 * to reach another host ({@code CONNECT host:443} tunnels and absolute-URI requests alike) is
 * recorded and refused with 403, one request per connection.
 *
 * <p>It exists because the JDK's {@code HttpServer} drops {@code CONNECT} requests without calling
 * any handler, so the fake's main port cannot answer (or record) them.
 *
 * <p>Threading: one acceptor thread ({@code fake-copilot-api-proxy-sink}); each connection is
 * handled on the fake's bounded executor. {@link #close()} stops both.
 */
public final class ProxySink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProxySink.class);
    private static final int MAX_HEAD = 32 * 1024;
    private static final int READ_TIMEOUT_MS = 5000;

    private final ServerSocket server;
    private final RequestJournal journal;
    private final ExecutorService executor;
    private final Thread acceptor;
    private volatile boolean closed;

    public ProxySink(RequestJournal journal, ExecutorService executor) throws IOException {
        this.journal = journal;
        this.executor = executor;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 50);
        this.acceptor = new Thread(this::acceptLoop, "fake-copilot-api-proxy-sink");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("proxy sink stopped accepting: {}", e.toString());
                }
                return;
            }
            try {
                executor.execute(() -> handle(s));
            } catch (RejectedExecutionException e) {
                closeQuietly(s);
            }
        }
    }

    private void handle(Socket socket) {
        try (socket) {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            if (head == null || head.isBlank()) {
                return;
            }
            String[] lines = head.split("\r\n", -1);
            String[] requestLine = lines[0].split(" ", -1);
            String method = requestLine[0].toUpperCase(Locale.ROOT);
            String target = requestLine.length > 1 ? requestLine[1] : "";
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new ArrayList<>())
                            .add(lines[i].substring(colon + 1).trim());
                }
            }
            journal.record(method, target, pathOf(method, target), headers, null, true);
            LOG.info("proxy sink refused {} {} (nothing leaves loopback)", method, target);
            byte[] body = ("{\"message\":\"blocked by the copilot4j fake API proxy sink: " + method + " "
                            + target.replace("\"", "") + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            String response = "HTTP/1.1 403 Forbidden\r\n"
                    + "content-type: application/json\r\n"
                    + "content-length: " + body.length + "\r\n"
                    + "x-github-request-id: fake-"
                    + UUID.randomUUID().toString().substring(0, 12) + "\r\n"
                    + "connection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(response.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        } catch (SocketException e) {
            LOG.debug("proxy sink connection ended: {}", e.toString());
        } catch (IOException e) {
            LOG.debug("proxy sink connection failed: {}", e.toString());
        }
    }

    /** The host and path for recording: {@code api.github.com:443} or {@code example.com/x}. */
    private static String pathOf(String method, String target) {
        if ("CONNECT".equals(method)) {
            return target;
        }
        int scheme = target.indexOf("://");
        String rest = scheme >= 0 ? target.substring(scheme + 3) : target;
        int q = rest.indexOf('?');
        return q >= 0 ? rest.substring(0, q) : rest;
    }

    /** Reads up to the blank line ending the request head; null on EOF before any byte. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0;
        while (buf.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            buf.write(b);
            // looking for \r\n\r\n
            if ((b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))) {
                state++;
                if (state == 4) {
                    break;
                }
            } else {
                state = b == '\r' ? 1 : 0;
            }
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
