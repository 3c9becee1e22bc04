package io.github.copilot4j.e2e.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.internal.json.Json;
import io.github.copilot4j.internal.rpc.JsonRpcConnection;
import io.github.copilot4j.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Asks a runtime directly (the JSON-RPC engine, no client, no store) for a session's persisted history. */
final class RawRuntime {
    private RawRuntime() {}

    /** Event {@code "id type"} strings of the session's history, as the runtime returns them after resuming it. */
    static List<String> history(Transport transport, String sessionId) throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        JsonRpcConnection raw = new JsonRpcConnection(
                transport.open(),
                new JsonRpcConnection.Handler() {
                    @Override
                    public void onNotification(String method, JsonNode params) {}

                    @Override
                    public CompletableFuture<JsonNode> onRequest(String method, JsonNode params) {
                        return null;
                    }

                    @Override
                    public void onClosed(ConnectionClosedException reason) {}
                },
                ex,
                1 << 26,
                Duration.ofSeconds(1));
        try {
            raw.start();
            raw.request("connect", Json.object(), Duration.ofSeconds(60)).get(60, TimeUnit.SECONDS);
            raw.request("session.resume", Json.object().put("sessionId", sessionId), Duration.ofSeconds(30))
                    .get(30, TimeUnit.SECONDS);
            JsonNode r = raw.request(
                            "session.getMessages", Json.object().put("sessionId", sessionId), Duration.ofSeconds(30))
                    .get(30, TimeUnit.SECONDS);
            List<String> out = new ArrayList<>();
            r.path("events")
                    .forEach(e ->
                            out.add(e.path("id").asText() + " " + e.path("type").asText()));
            return out;
        } finally {
            raw.close("done", Duration.ofSeconds(2));
            ex.shutdownNow();
        }
    }
}
