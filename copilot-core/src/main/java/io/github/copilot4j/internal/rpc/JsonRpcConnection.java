package io.github.copilot4j.internal.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotException;
import io.github.copilot4j.CopilotTimeoutException;
import io.github.copilot4j.ProtocolException;
import io.github.copilot4j.RpcException;
import io.github.copilot4j.internal.Deadlines;
import io.github.copilot4j.internal.json.Json;
import io.github.copilot4j.spi.TransportChannel;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC 2.0 over one {@link TransportChannel} with {@code Content-Length} framing.
 *
 * <p>Threading:
 *
 * <ul>
 *   <li>One daemon reader thread ({@code copilot4j-rpc-reader}) reads frames, parses them and routes
 *       them: it never runs user code. Responses complete their pending futures on the
 *       {@code completionExecutor}; notifications and server requests go to the {@link Handler}, which
 *       must hand real work to other threads and return at once.
 *   <li>Writes from any thread are serialized on one lock; a frame is written whole or not at all.
 *   <li>When the channel ends or fails, the reader tells the {@link Handler} at once ({@link
 *       Handler#onEnding}), fails every pending call with a {@link ConnectionClosedException}
 *       naming the cause, then calls {@link Handler#onClosed}. An {@link OutOfMemoryError} on the
 *       reader (one frame too big for the heap) is such a cause, named as what it is ({@link
 *       HeapExhaustedException}); the channel is then ended.
 *   <li>A frame that is not valid JSON fails, at once, the pending call it answers if a scan of
 *       its top level finds the id ({@link MessageHead}); the connection lives on.
 * </ul>
 */
public final class JsonRpcConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JsonRpcConnection.class);
    private static final byte[] HEADER_PREFIX = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEADER_SUFFIX = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Receives what the peer sends. Called on the reader thread: return quickly. */
    public interface Handler {
        /** A notification (no id). */
        void onNotification(String method, JsonNode params);

        /**
         * A request from the peer. Return a future with the result, or null if the method is not
         * handled (the peer then gets -32601). A future completed exceptionally yields -32603 with
         * the exception's message (never a stack trace).
         */
        CompletableFuture<JsonNode> onRequest(String method, JsonNode params);

        /** A message was rejected but the connection lives on. */
        default void onProtocolError(ProtocolException error) {}

        /**
         * The connection's input ended or failed: called once, at once, before the transport is
         * asked why ({@link TransportChannel#describeTermination}, which may wait for a process to
         * exit) and before any pending call is failed. Not called when the reader is stopped by
         * {@link #close}. {@link #onClosed} follows.
         */
        default void onEnding() {}

        /** The connection is gone; {@code reason} says why. Called once. */
        void onClosed(ConnectionClosedException reason);
    }

    private final TransportChannel channel;
    private final Handler handler;
    private final Executor completionExecutor;
    private final int maxFrameBytes;
    private final Duration terminationWait;
    private final Object writeLock = new Object();
    private final OutputStream out;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread reader;
    private volatile ConnectionClosedException closeReason;
    private volatile String localCloseReason;
    private volatile Unattributed lastUnattributed;

    private record Pending(String method, CompletableFuture<JsonNode> future) {}

    /** A message that may have been a response but whose id could not be read; {@code at} is System.nanoTime(). */
    private record Unattributed(String problem, long at) {}

    /** Told when each request finishes (on the thread that completes it); must be quick and never throw. */
    public interface RequestListener {
        void completed(String method, long nanos, Throwable error);
    }

    private volatile RequestListener requestListener;

    public JsonRpcConnection(
            TransportChannel channel,
            Handler handler,
            Executor completionExecutor,
            int maxFrameBytes,
            Duration terminationWait) {
        this.channel = channel;
        this.handler = handler;
        this.completionExecutor = completionExecutor;
        this.maxFrameBytes = maxFrameBytes;
        this.terminationWait = terminationWait;
        this.out = channel.output();
        this.reader = new Thread(this::readLoop, "copilot4j-rpc-reader");
        this.reader.setDaemon(true);
    }

    public void start() {
        reader.start();
    }

    /** Sets who is told when each request finishes (null: nobody). Set it before {@link #start()}. */
    public void requestListener(RequestListener listener) {
        this.requestListener = listener;
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /** Why the connection closed, or null while open. */
    public ConnectionClosedException closeReason() {
        return closeReason;
    }

    /**
     * Sends a request. The future completes with the {@code result} (possibly a JSON null node),
     * fails with {@link RpcException} on an error response, with {@link ConnectionClosedException}
     * when the connection dies first, or with {@link CopilotTimeoutException} after {@code timeout}.
     */
    public CompletableFuture<JsonNode> request(String method, JsonNode params, Duration timeout) {
        RequestListener listener = requestListener;
        if (listener == null) {
            return send(method, params, timeout);
        }
        long started = System.nanoTime();
        // The listener runs before anything the caller chains on the returned future.
        return send(method, params, timeout).whenComplete((r, e) -> {
            try {
                listener.completed(method, System.nanoTime() - started, e);
            } catch (RuntimeException ex) {
                log.debug("request listener failed on {}", method, ex);
            }
        });
    }

    private CompletableFuture<JsonNode> send(String method, JsonNode params, Duration timeout) {
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        ConnectionClosedException reason = closeReason;
        if (reason != null || closed.get()) {
            future.completeExceptionally(closedFor(method, reason));
            return future;
        }
        long id = nextId.getAndIncrement();
        pending.put(id, new Pending(method, future));
        ObjectNode msg = Json.object();
        msg.put("jsonrpc", "2.0");
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", params == null ? Json.object() : params);
        try {
            write(msg);
        } catch (IllegalArgumentException e) {
            // Not sendable (too big, not serializable): the connection is fine.
            pending.remove(id);
            future.completeExceptionally(new CopilotException("could not send " + method + ": " + e.getMessage(), e));
            return future;
        } catch (IOException | RuntimeException e) {
            // The channel broke. The reader is about to see why (exit code, stderr tail) and fails every
            // pending call with that; keep this call pending for it, with a bounded fallback.
            ConnectionClosedException r = closeReason;
            if (r != null) {
                if (pending.remove(id) != null) {
                    future.completeExceptionally(closedFor(method, r));
                }
                return future;
            }
            long fallbackMillis = terminationWait.toMillis() + 2000;
            CompletableFuture.delayedExecutor(fallbackMillis, TimeUnit.MILLISECONDS, completionExecutor)
                    .execute(() -> {
                        if (pending.remove(id) != null) {
                            ConnectionClosedException known = closeReason;
                            future.completeExceptionally(
                                    known != null
                                            ? closedFor(method, known)
                                            : new ConnectionClosedException(
                                                    "could not send " + method + " to the Copilot runtime: "
                                                            + e.getMessage(),
                                                    e));
                        }
                    });
            return future;
        }
        // A reader that died between the check above and put() has already drained the map.
        if (closeReason != null && pending.remove(id) != null) {
            future.completeExceptionally(closedFor(method, closeReason));
        }
        if (timeout != null && !timeout.isZero() && !timeout.isNegative()) {
            long sentAt = System.nanoTime();
            Deadlines.onTimeout(future, timeout, completionExecutor, () -> {
                if (pending.remove(id) != null) {
                    future.completeExceptionally(
                            new CopilotTimeoutException("No answer to " + method + " from the Copilot runtime within "
                                    + timeout.toMillis() + " ms" + unattributedSince(sentAt)));
                }
            });
        }
        return future;
    }

    /** Why a timed-out call may have had its answer: a message since {@code sentAt} whose id could not be read. */
    private String unattributedSince(long sentAt) {
        Unattributed u = lastUnattributed;
        if (u == null || u.at() - sentAt < 0) {
            return "";
        }
        return "; meanwhile the runtime sent a message that was rejected (" + u.problem()
                + ") and whose id could not be read, so it may have been this answer";
    }

    /** Sends a notification (no answer expected). */
    public void notify(String method, JsonNode params) throws IOException {
        ObjectNode msg = Json.object();
        msg.put("jsonrpc", "2.0");
        msg.put("method", method);
        msg.set("params", params == null ? Json.object() : params);
        write(msg);
    }

    private void write(JsonNode message) throws IOException {
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize JSON-RPC message: " + e.getOriginalMessage(), e);
        }
        if (body.length > maxFrameBytes) {
            throw new IllegalArgumentException("message of " + body.length + " bytes exceeds the maximum frame size of "
                    + maxFrameBytes + " bytes");
        }
        byte[] len = Integer.toString(body.length).getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[HEADER_PREFIX.length + len.length + HEADER_SUFFIX.length + body.length];
        int p = 0;
        System.arraycopy(HEADER_PREFIX, 0, frame, p, HEADER_PREFIX.length);
        p += HEADER_PREFIX.length;
        System.arraycopy(len, 0, frame, p, len.length);
        p += len.length;
        System.arraycopy(HEADER_SUFFIX, 0, frame, p, HEADER_SUFFIX.length);
        p += HEADER_SUFFIX.length;
        System.arraycopy(body, 0, frame, p, body.length);
        synchronized (writeLock) {
            if (closed.get()) {
                throw new IOException("connection is closed");
            }
            out.write(frame);
            out.flush();
        }
    }

    private void readLoop() {
        FrameReader frames = new FrameReader(new BufferedInputStream(channel.input(), 64 * 1024), maxFrameBytes);
        Throwable failure = null;
        try {
            byte[] body;
            while ((body = frames.next()) != null) {
                route(body);
            }
        } catch (ProtocolException e) {
            failure = e;
        } catch (IOException | RuntimeException e) {
            failure = e;
        } catch (OutOfMemoryError e) {
            // Reading or parsing one big frame failed; what it held is garbage again. Report it as what it is.
            failure = new HeapExhaustedException(frames.frameLength(), maxFrameBytes, e);
        } catch (Error e) {
            failure = e;
            throw e;
        } finally {
            finish(failure);
        }
    }

    private void route(byte[] body) {
        JsonNode msg;
        try {
            msg = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            rejectUnparseable(body, e);
            return;
        }
        if (msg == null || !msg.isObject()) {
            handler.onProtocolError(new ProtocolException("rejected a JSON-RPC message that is not an object: "
                    + (msg == null ? "empty" : msg.getNodeType().toString().toLowerCase(Locale.ROOT))));
            return;
        }
        JsonNode method = msg.get("method");
        JsonNode id = msg.get("id");
        if (method != null) {
            if (!method.isTextual()) {
                handler.onProtocolError(new ProtocolException("rejected a message whose method is not a string"));
                if (id != null && !id.isNull()) {
                    sendError(id, -32600, "Invalid Request: method must be a string");
                }
                return;
            }
            JsonNode params = msg.get("params");
            if (params == null || params.isNull()) {
                params = Json.object();
            }
            if (id == null || id.isNull()) {
                handler.onNotification(method.asText(), params);
            } else {
                dispatchRequest(id, method.asText(), params);
            }
            return;
        }
        if (id == null || !id.canConvertToLong()) {
            lastUnattributed = new Unattributed("a response without a usable id", System.nanoTime());
            handler.onProtocolError(new ProtocolException("rejected a response without a usable id"));
            return;
        }
        Pending p = pending.remove(id.asLong());
        if (p == null) {
            log.debug("Ignoring a response to unknown request id {}", id);
            return;
        }
        JsonNode error = msg.get("error");
        if (error != null && !error.isNull()) {
            int code = error.path("code").asInt(-32603);
            String message = error.path("message").asText("(no message)");
            RpcException ex = new RpcException(p.method(), code, message);
            completionExecutor.execute(() -> p.future().completeExceptionally(ex));
        } else {
            JsonNode result = msg.get("result");
            JsonNode value = result == null ? JsonNodeFactory.instance.nullNode() : result;
            completionExecutor.execute(() -> p.future().complete(value));
        }
    }

    /**
     * A frame that is not valid JSON (invalid UTF-8, too deep, broken syntax). If a tolerant scan of
     * its top level finds the id of a response to a pending call, that call fails at once with a
     * {@link ProtocolException} naming the problem; otherwise the log says the id could not be read,
     * and a call that then times out says so too. The connection lives on: the framing is intact.
     */
    private void rejectUnparseable(byte[] body, IOException e) {
        String problem = e instanceof JsonProcessingException jpe && jpe.getOriginalMessage() != null
                ? jpe.getOriginalMessage().split("\n", -1)[0]
                : String.valueOf(e.getMessage()).split("\n", -1)[0];
        MessageHead head = MessageHead.scan(body);
        Long id = head.responseId();
        Pending p = id == null ? null : pending.remove(id);
        if (p != null) {
            ProtocolException ex = new ProtocolException(
                    "The response to " + p.method() + " (id " + id + ") from the Copilot runtime could not be parsed: "
                            + problem + "; the call failed, the connection stays open",
                    e);
            handler.onProtocolError(new ProtocolException("rejected " + body.length + "-byte response " + id + " to "
                    + p.method() + " that is not valid JSON: " + problem + "; failed that call"));
            completionExecutor.execute(() -> p.future().completeExceptionally(ex));
            return;
        }
        String what;
        if (head.hasMethod()) {
            what = "a request or notification";
        } else if (id != null) {
            what = "a response to unknown request id " + id;
        } else {
            what =
                    "a message whose id could not be read, so a call waiting for it cannot be told and ends with its timeout";
            lastUnattributed = new Unattributed(problem, System.nanoTime());
        }
        handler.onProtocolError(new ProtocolException(
                "rejected a " + body.length + "-byte frame that is not valid JSON (" + problem + "): " + what));
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the callback answers the request on success and on failure (logged)
    private void dispatchRequest(JsonNode id, String method, JsonNode params) {
        CompletableFuture<JsonNode> result;
        try {
            result = handler.onRequest(method, params);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        if (result == null) {
            sendError(id, RpcException.METHOD_NOT_FOUND, "Method not found: " + method);
            return;
        }
        result.whenComplete((value, err) -> {
            if (err != null) {
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                        ? err.getCause()
                        : err;
                log.warn("Handler for {} failed: {}", method, cause.toString());
                sendError(
                        id,
                        RpcException.INTERNAL_ERROR,
                        "Handler for " + method + " failed: "
                                + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
            } else {
                ObjectNode resp = Json.object();
                resp.put("jsonrpc", "2.0");
                resp.set("id", id);
                resp.set("result", value == null ? JsonNodeFactory.instance.nullNode() : value);
                try {
                    write(resp);
                } catch (IOException | RuntimeException e) {
                    log.debug("Could not answer {}: {}", method, e.toString());
                }
            }
        });
    }

    private void sendError(JsonNode id, int code, String message) {
        ObjectNode resp = Json.object();
        resp.put("jsonrpc", "2.0");
        resp.set("id", id);
        ObjectNode err = resp.putObject("error");
        err.put("code", code);
        err.put("message", message);
        try {
            write(resp);
        } catch (IOException | RuntimeException e) {
            log.debug("Could not send error response: {}", e.toString());
        }
    }

    private void finish(Throwable failure) {
        String reason = null;
        boolean protocolError = false;
        if (localCloseReason != null) {
            reason = localCloseReason;
        } else if (failure instanceof ProtocolException) {
            reason = "Protocol error from the Copilot runtime: " + failure.getMessage() + "; the connection was closed";
            protocolError = true;
        } else if (failure instanceof HeapExhaustedException) {
            log.error("{}", failure.getMessage());
            reason = failure.getMessage();
            protocolError = true; // the runtime still runs and the stream is out of step: end it
        }
        if (reason != null) {
            // Known at once: recorded before anyone hears of the end, so that a caller who finds the
            // client disconnected can also read why (requireConnected names it).
            closeReason = new ConnectionClosedException(reason, failure);
        }
        if (localCloseReason == null) {
            try {
                handler.onEnding();
            } catch (RuntimeException e) {
                log.warn("onEnding handler failed", e);
            }
        }
        if (reason == null) {
            // Asking the channel can wait for the process to exit: only after the state has flipped.
            String described;
            try {
                described = channel.describeTermination(failure, terminationWait);
            } catch (RuntimeException e) {
                described = "connection to the Copilot runtime ended" + (failure == null ? "" : ": " + failure);
            }
            reason = described;
        }
        ConnectionClosedException ex =
                closeReason != null ? closeReason : new ConnectionClosedException(reason, failure);
        // Record why before closing the channel, so that a writer failing on the closed channel reports it.
        closeReason = ex;
        closed.set(true);
        if (protocolError) {
            channel.close(Duration.ZERO);
        }
        failAllPending(ex);
        try {
            handler.onClosed(ex);
        } catch (RuntimeException e) {
            log.warn("onClosed handler failed", e);
        }
    }

    private void failAllPending(ConnectionClosedException reason) {
        List<Pending> drained = new ArrayList<>();
        for (Long id : new ArrayList<>(pending.keySet())) {
            Pending p = pending.remove(id);
            if (p != null) {
                drained.add(p);
            }
        }
        for (Pending p : drained) {
            p.future().completeExceptionally(closedFor(p.method(), reason));
        }
    }

    private static ConnectionClosedException closedFor(String method, ConnectionClosedException reason) {
        String why = reason == null ? "the connection is closed" : reason.getMessage();
        return new ConnectionClosedException(method + " failed: " + why, reason);
    }

    /**
     * Closes the channel (ending the process or socket behind it) and fails every pending call.
     * Idempotent. {@code grace} bounds the whole close: the channel gets all of it (see {@link
     * TransportChannel#close(Duration)}), the reader thread only what is left of it (at least a few
     * milliseconds); a reader that has not stopped by then is left behind (a daemon thread).
     */
    public void close(String reason, Duration grace) {
        if (localCloseReason == null) {
            localCloseReason = reason;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        channel.close(grace);
        try {
            reader.join(Math.max(20, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reader.isAlive()) {
            // The stream did not report EOF after the channel closed; fail everything anyway.
            ConnectionClosedException ex = new ConnectionClosedException(reason);
            if (closeReason == null) {
                closeReason = ex;
            }
            closed.set(true);
            failAllPending(ex);
        }
    }

    @Override
    public void close() {
        close("the client closed the connection", Duration.ofSeconds(5));
    }

    /** For tests: number of requests waiting for an answer. */
    public int pendingCount() {
        return pending.size();
    }
}
