package io.github.copilot4j.internal.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.copilot4j.CopilotException;
import io.github.copilot4j.CopilotTimeoutException;
import io.github.copilot4j.rpc.RpcCaller;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The {@link RpcCaller} of a client: each call goes to the client's current connection (looked up
 * per call, so it follows reconnects and fails with the client's own message when not connected),
 * with the client's request timeout. Thread-safe; futures complete on the connection's completion
 * executor.
 */
public final class ConnectionCaller implements RpcCaller {
    private final Supplier<JsonRpcConnection> connection;
    private final Duration timeout;

    public ConnectionCaller(Supplier<JsonRpcConnection> connection, Duration timeout) {
        this.connection = connection;
        this.timeout = timeout;
    }

    @Override
    public CompletableFuture<JsonNode> callAsync(String method, ObjectNode params) {
        JsonRpcConnection conn;
        try {
            conn = connection.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return conn.request(method, params, timeout);
    }

    @Override
    public <T> T await(CompletableFuture<T> future, String method) {
        Duration wait = timeout.plusSeconds(1); // the request's own timeout fires first, with its message
        try {
            return future.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CopilotException("interrupted while waiting for " + method, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while (c instanceof CompletionException && c.getCause() != null) {
                c = c.getCause();
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new CopilotException(method + " failed: " + c, c);
        } catch (TimeoutException e) {
            throw new CopilotTimeoutException("No answer to " + method + " within " + wait.toMillis() + " ms");
        }
    }
}
