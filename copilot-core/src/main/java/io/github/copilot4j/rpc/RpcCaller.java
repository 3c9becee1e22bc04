package io.github.copilot4j.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;

/**
 * What the generated {@link ServerRpc} and {@link SessionRpc} call through: one JSON-RPC request on
 * a client's connection. {@code client.rpc()} and {@code session.rpc()} provide one backed by the
 * client's connection, request timeout and error types; implement it yourself to test code that
 * uses the typed surface without a runtime.
 */
public interface RpcCaller {
    /**
     * Sends a request.
     *
     * @param method the JSON-RPC method
     * @param params the params object (never null)
     * @return the raw result; fails with {@code RpcException} for a JSON-RPC error,
     *     {@code CopilotTimeoutException} after the request timeout, {@code ConnectionClosedException}
     *     when the connection drops
     */
    CompletableFuture<JsonNode> callAsync(String method, ObjectNode params);

    /**
     * Waits for a future of {@link #callAsync}, at most the request timeout (plus a little), and
     * unwraps its failure into the library's exception types.
     *
     * @param future what to wait for
     * @param method the method, for messages
     * @param <T> the result type
     * @return the result
     */
    <T> T await(CompletableFuture<T> future, String method);
}
