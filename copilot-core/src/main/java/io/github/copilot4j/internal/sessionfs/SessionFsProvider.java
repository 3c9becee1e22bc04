package io.github.copilot4j.internal.sessionfs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.copilot4j.SessionFsOptions;
import io.github.copilot4j.internal.json.Json;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStateException;
import io.github.copilot4j.spi.SessionStateStore;
import io.github.copilot4j.spi.StateDirEntry;
import io.github.copilot4j.spi.StateFileStat;
import io.github.copilot4j.spi.StatePaths;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the runtime's {@code sessionFs.*} requests from a {@link SessionStateStore}, following
 * the contract observed on CLI 1.0.102 (reference/SESSIONFS.md):
 *
 * <ul>
 *   <li>Storage is keyed by the request's {@code sessionId} only (requests arrive before the
 *       create/resume reply). Paths inside {@code sessionStatePath} map to the store's tree with
 *       that prefix removed ({@code <root>/events.jsonl} is {@code /events.jsonl}), so the store
 *       does not depend on the virtual path.
 *   <li>File errors are answered in-band: {@code ENOENT} as itself, others as {@code UNKNOWN}
 *       with the errno name in the message; {@code readFile}/{@code stat}/{@code readdir*} put an
 *       {@code error} next to empty values, the void methods return the error object itself,
 *       {@code exists} never fails. A JSON-RPC error would make the CLI fail session creation.
 *   <li>Paths outside {@code sessionStatePath} are refused ({@code UNKNOWN}; {@code exists} says
 *       false). The CLI also mirrors the workspace under its own {@code $COPILOT_HOME} and checks
 *       the recorded cwd through the provider; it tolerates the refusal (it logs "Failed to
 *       initialize workspace", keeps the virtual session folder, and falls back to {@code
 *       initialCwd}), and nothing lands outside the store.
 *   <li>Writes need this client's lease on the session and carry its fencing token; a stale
 *       token is refused and the lease marked lost.
 *   <li>{@code sqlite*} methods are not handled (capability {@code sqlite:false}): -32601.
 * </ul>
 *
 * <p>Threading: {@link #handle} is called on the connection's reader thread and only hands the
 * work to the executor (the client's own session filesystem pool, never the callback executor that
 * runs user code), so requests are answered concurrently and in any order, a slow store never
 * blocks the reader, and blocked user handlers never delay the state store.
 */
public final class SessionFsProvider {
    private static final Logger log = LoggerFactory.getLogger(SessionFsProvider.class);
    private static final String PREFIX = "sessionFs.";
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final SessionStateStore store;
    private final SessionFsOptions options;
    private final LeaseKeeper leases;
    private final Executor executor;
    private final String root;

    public SessionFsProvider(SessionStateStore store, SessionFsOptions options, LeaseKeeper leases, Executor executor) {
        this.store = store;
        this.options = options;
        this.leases = leases;
        this.executor = executor;
        this.root = options.sessionStatePath();
    }

    /** The params of {@code sessionFs.setProvider}. */
    public ObjectNode setProviderParams() {
        ObjectNode p = Json.object();
        p.put("initialCwd", options.initialCwd());
        p.put("sessionStatePath", root);
        p.put("conventions", "posix");
        p.putObject("capabilities").put("sqlite", false);
        return p;
    }

    /** True for the methods this provider answers. */
    public static boolean handles(String method) {
        if (method == null || !method.startsWith(PREFIX)) {
            return false;
        }
        switch (method.substring(PREFIX.length())) {
            case "readFile",
                    "writeFile",
                    "appendFile",
                    "exists",
                    "stat",
                    "mkdir",
                    "readdir",
                    "readdirWithTypes",
                    "rm",
                    "rename":
                return true;
            default:
                return false;
        }
    }

    /**
     * Answers a {@code sessionFs.*} request off the calling thread; null for a method it does not
     * handle (the connection then answers -32601).
     */
    public CompletableFuture<JsonNode> handle(String method, JsonNode params) {
        if (!handles(method)) {
            return null;
        }
        String op = method.substring(PREFIX.length());
        JsonNode p = params == null ? Json.object() : params;
        try {
            return CompletableFuture.supplyAsync(() -> answer(op, p), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(errorReply(op, "UNKNOWN", "EIO: the client is shutting down"));
        }
    }

    /** Computes the reply (never throws). Public for tests that drive it directly. */
    public JsonNode answer(String op, JsonNode p) {
        String sid = Json.text(p, "sessionId");
        String wirePath = Json.text(p, "rename".equals(op) ? "src" : "path");
        try {
            if (sid == null || sid.isBlank() || sid.length() > SessionRecord.MAX_ID_LENGTH) {
                return errorReply(op, "UNKNOWN", "EINVAL: missing or invalid sessionId");
            }
            String path = toStore(op, wirePath);
            switch (op) {
                case "readFile": {
                    ObjectNode r = Json.object();
                    r.put("content", store.readFile(sid, path));
                    return r;
                }
                case "writeFile":
                    store.writeFile(
                            sid, path, Json.text(p, "content") == null ? "" : Json.text(p, "content"), token(sid));
                    return nullReply();
                case "appendFile":
                    store.appendFile(
                            sid, path, Json.text(p, "content") == null ? "" : Json.text(p, "content"), token(sid));
                    return nullReply();
                case "exists": {
                    ObjectNode r = Json.object();
                    r.put("exists", store.exists(sid, path));
                    return r;
                }
                case "stat":
                    return stat(store.stat(sid, path));
                case "mkdir":
                    store.mkdir(sid, path, p.path("recursive").asBoolean(false), token(sid));
                    return nullReply();
                case "readdir":
                case "readdirWithTypes": {
                    ObjectNode r = Json.object();
                    ArrayNode entries = r.putArray("entries");
                    for (StateDirEntry e : store.readdir(sid, path)) {
                        if ("readdir".equals(op)) {
                            entries.add(e.name());
                        } else {
                            entries.addObject().put("name", e.name()).put("type", e.directory() ? "directory" : "file");
                        }
                    }
                    return r;
                }
                case "rm":
                    store.rm(
                            sid,
                            path,
                            p.path("recursive").asBoolean(false),
                            p.path("force").asBoolean(false),
                            token(sid));
                    return nullReply();
                case "rename": {
                    String dest = toStore(op, Json.text(p, "dest"));
                    store.rename(sid, path, dest, token(sid));
                    return nullReply();
                }
                default:
                    return errorReply(op, "UNKNOWN", "ENOSYS: sessionFs." + op + " is not supported");
            }
        } catch (Refused r) {
            log.debug("sessionFs.{} {} of session {} refused: {}", op, wirePath, sid, r.getMessage());
            return errorReply(op, "UNKNOWN", r.getMessage());
        } catch (SessionStateException e) {
            String where = "rename".equals(op) ? wirePath + "' -> '" + Json.text(p, "dest") : wirePath;
            return errorReply(
                    op,
                    e.code().wireCode(),
                    e.code().name() + ": " + e.code().description() + ", " + syscall(op) + " '" + where + "'");
        } catch (SessionLeaseException e) {
            if (e instanceof SessionLeaseException.Stale) {
                leases.markLost(sid, e);
            }
            log.warn("sessionFs.{} of session {} refused: {}", op, sid, e.getMessage());
            return errorReply(op, "UNKNOWN", "ESTALE: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return errorReply(op, "UNKNOWN", "EINVAL: " + e.getMessage());
        } catch (RuntimeException e) {
            log.warn(
                    "sessionFs.{} {} of session {} failed in the session state store: {}",
                    op,
                    wirePath,
                    sid,
                    e.toString());
            return errorReply(op, "UNKNOWN", "EIO: the session state store failed: " + e.getMessage());
        }
    }

    private long token(String sessionId) {
        return leases.fencingToken(sessionId);
    }

    /** The store path for a wire path inside the session state directory; refuses others. */
    private String toStore(String op, String wirePath) {
        if (wirePath == null) {
            throw new Refused("EINVAL: missing path");
        }
        String n;
        try {
            n = StatePaths.normalize(wirePath);
        } catch (IllegalArgumentException e) {
            throw new Refused("EINVAL: " + e.getMessage());
        }
        if (n.equals(root)) {
            return StatePaths.ROOT;
        }
        if (n.startsWith(root + "/")) {
            return n.substring(root.length());
        }
        throw new Refused("EACCES: permission denied, " + syscall(op) + " '" + wirePath
                + "': outside the session state directory " + root + " (this client keeps only the session state)");
    }

    private static String syscall(String op) {
        switch (op) {
            case "readFile", "writeFile", "appendFile":
                return "open";
            case "readdir", "readdirWithTypes":
                return "scandir";
            case "exists":
                return "access";
            default:
                return op;
        }
    }

    private static ObjectNode stat(StateFileStat s) {
        ObjectNode r = Json.object();
        r.put("isFile", s.isFile());
        r.put("isDirectory", s.isDirectory());
        r.put("size", s.size());
        r.put("mtime", ISO_MILLIS.format(s.modifiedAt()));
        r.put("birthtime", ISO_MILLIS.format(s.createdAt()));
        return r;
    }

    private static JsonNode nullReply() {
        return JsonNodeFactory.instance.nullNode();
    }

    /** The in-band error reply in the shape each method uses (as the official SDK adapters do). */
    static JsonNode errorReply(String op, String code, String message) {
        ObjectNode err = Json.object();
        err.put("code", code);
        err.put("message", message);
        switch (op) {
            case "readFile": {
                ObjectNode r = Json.object();
                r.put("content", "");
                r.set("error", err);
                return r;
            }
            case "exists":
                return Json.object().put("exists", false);
            case "stat": {
                String now = ISO_MILLIS.format(Instant.now());
                ObjectNode r = Json.object();
                r.put("isFile", false);
                r.put("isDirectory", false);
                r.put("size", 0);
                r.put("mtime", now);
                r.put("birthtime", now);
                r.set("error", err);
                return r;
            }
            case "readdir", "readdirWithTypes": {
                ObjectNode r = Json.object();
                r.putArray("entries");
                r.set("error", err);
                return r;
            }
            default:
                return err;
        }
    }

    /** A request this provider will not serve (bad or foreign path). */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }
}
