package io.github.copilot4j.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.github.copilot4j.internal.json.Json;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generated RPC surface against the schema it was generated from (read from the per-user
 * cache the build filled): every non-internal method is typed and sends its own name, session
 * methods fill in the session id, and a sample of every params record validates against the
 * method's params schema, so the generator cannot drift from the wire.
 */
class GeneratedRpcTest {
    static JsonNode api;
    static final Map<String, JsonNode> schemaMethods =
            new TreeMap<>(); // rpcMethod -> spec (non-internal server/session)
    static final Map<String, String> groupOf = new TreeMap<>();

    /** Every call a generated class made: method → params. */
    static final class Recorder implements RpcCaller {
        final Map<String, ObjectNode> calls = new LinkedHashMap<>();

        @Override
        public CompletableFuture<JsonNode> callAsync(String method, ObjectNode params) {
            calls.put(method, params);
            return CompletableFuture.completedFuture(Json.MAPPER.nullNode());
        }

        @Override
        public <T> T await(CompletableFuture<T> future, String method) {
            return future.join();
        }
    }

    static Path schemaDir() {
        String base = System.getenv("COPILOT4J_CACHE_DIR");
        Path b = base != null && !base.isBlank()
                ? Path.of(base)
                : Path.of(System.getProperty("user.home"), ".cache", "copilot4j");
        return b.resolve("sdk-schemas")
                .resolve(System.getProperty("copilot4j.schema.version", RpcSurface.SCHEMA_VERSION));
    }

    @BeforeAll
    static void readSchema() throws Exception {
        api = Json.MAPPER.readTree(Files.readString(schemaDir().resolve("api.schema.json")));
        for (String group : List.of("server", "session")) {
            collect(group, api.get(group));
        }
    }

    static void collect(String group, JsonNode node) {
        if (node.has("rpcMethod")) {
            if (!"internal".equals(node.path("visibility").asText(null))) {
                schemaMethods.put(node.get("rpcMethod").asText(), node);
                groupOf.put(node.get("rpcMethod").asText(), group);
            }
            return;
        }
        node.fields().forEachRemaining(e -> {
            if (e.getValue().isObject()) {
                collect(group, e.getValue());
            }
        });
    }

    /** Calls every public method of a generated class tree with sample params; returns the recorder. */
    static Recorder callEverything(Object root) throws Exception {
        Recorder rec = new Recorder();
        Object fresh = root instanceof ServerRpc ? new ServerRpc(rec) : new SessionRpc(rec, "sess-1");
        walk(fresh, new TreeSet<>());
        return rec;
    }

    static void walk(Object api, Set<String> seen) throws Exception {
        if (!seen.add(api.getClass().getName())) {
            return;
        }
        for (Method m : api.getClass().getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers())
                    || m.getName().equals("call")
                    || m.getName().equals("callAsync")
                    || m.getName().equals("sessionId")) {
                continue;
            }
            if (m.getName().endsWith("Async")) {
                continue; // the blocking twin calls it
            }
            if (m.getParameterCount() == 0
                    && m.getReturnType().getName().startsWith("io.github.copilot4j.rpc.")
                    && m.getReturnType().getSimpleName().endsWith("Api")) {
                walk(m.invoke(api), seen);
            } else if (m.getParameterCount() == 1) {
                m.invoke(api, sample(m.getParameterTypes()[0], m.getGenericParameterTypes()[0], 0));
            } else if (m.getParameterCount() == 0) {
                m.invoke(api);
            }
        }
    }

    @Test
    void everyNonInternalMethodOfTheSchemaIsTypedAndSendsItsName() throws Exception {
        Recorder server = callEverything(new ServerRpc(new Recorder()));
        Recorder session = callEverything(new SessionRpc(new Recorder(), "x"));
        Set<String> expectedServer = groupOf.entrySet().stream()
                .filter(e -> e.getValue().equals("server"))
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> expectedSession = groupOf.entrySet().stream()
                .filter(e -> e.getValue().equals("session"))
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expectedServer, new TreeSet<>(server.calls.keySet()));
        assertEquals(expectedSession, new TreeSet<>(session.calls.keySet()));
        assertEquals(new TreeSet<>(expectedServer), new TreeSet<>(RpcSurface.SERVER_METHODS));
        assertEquals(new TreeSet<>(expectedSession), new TreeSet<>(RpcSurface.SESSION_METHODS));
        for (Map.Entry<String, ObjectNode> c : session.calls.entrySet()) {
            assertEquals(
                    "sess-1", c.getValue().path("sessionId").asText(null), c.getKey() + " fills in the session id");
        }
        for (Map.Entry<String, ObjectNode> c : server.calls.entrySet()) {
            assertTrue(c.getValue().isObject(), c.getKey());
        }
        // the figures the README's "Runtime surface" table states
        int serverAll = expectedServer.size() + RpcSurface.SERVER_INTERNAL.size();
        int sessionAll = expectedSession.size() + RpcSurface.SESSION_INTERNAL.size();
        assertEquals(
                List.of(
                        String.valueOf(server.calls.size()),
                        expectedServer.size() + " non-internal (" + serverAll + " in all)"),
                ReadmeSurfaceTable.row("server methods").subList(0, 2));
        assertEquals(
                List.of(
                        String.valueOf(session.calls.size()),
                        expectedSession.size() + " non-internal (" + sessionAll + " in all)"),
                ReadmeSurfaceTable.row("session methods").subList(0, 2));
        assertTrue(ReadmeSurfaceTable.row("methods the pinned CLI knows")
                .get(1)
                .equals(String.valueOf(expectedServer.size() + expectedSession.size())));
        assertTrue(
                ReadmeSurfaceTable.text()
                        .contains("`@github/copilot-sdk-linux-x64` **" + RpcSurface.SCHEMA_VERSION + "**"),
                "the README names the schema version");
    }

    @Test
    void aSampleOfEveryParamsRecordValidatesAgainstTheSchema() throws Exception {
        Map<String, ObjectNode> sent = new TreeMap<>();
        sent.putAll(callEverything(new ServerRpc(new Recorder())).calls);
        sent.putAll(callEverything(new SessionRpc(new Recorder(), "x")).calls);
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909);
        List<String> drift = new ArrayList<>();
        int validated = 0;
        for (Map.Entry<String, ObjectNode> call : sent.entrySet()) {
            JsonNode params = schemaMethods.get(call.getKey()).path("params");
            if (!params.isObject()) {
                continue;
            }
            ObjectNode doc = params.deepCopy();
            doc.set("definitions", api.get("definitions"));
            JsonSchema schema = factory.getSchema(doc);
            for (ValidationMessage m : schema.validate(call.getValue())) {
                // Sample values cannot meet every pattern, format or range, and a union's record (the merge of its
                // branches, all fields set) cannot match one branch; outside unions, names, types and shapes must
                // match.
                String path = m.getEvaluationPath().toString();
                if (Set.of("type", "additionalProperties", "required", "unevaluatedProperties")
                                .contains(m.getType())
                        && !path.contains("anyOf")
                        && !path.contains("oneOf")) {
                    drift.add(call.getKey() + ": " + m.getMessage() + " at " + path);
                }
            }
            validated++;
        }
        assertTrue(
                drift.isEmpty(),
                drift.size() + " mismatches:\n" + String.join("\n", drift.subList(0, Math.min(40, drift.size()))));
        assertTrue(validated > 300, "validated " + validated);
    }

    /** A sample value of a generated type: every component set, recursing a few levels. */
    static Object sample(Class<?> raw, Type generic, int depth) throws Exception {
        if (raw == String.class) {
            return "x";
        }
        if (raw == Long.class) {
            return 1L;
        }
        if (raw == Double.class) {
            return 1.0;
        }
        if (raw == Boolean.class) {
            return true;
        }
        if (raw.isEnum()) {
            return raw.getEnumConstants()[0];
        }
        if (raw == List.class || raw == Map.class) {
            if (depth > 5 || !(generic instanceof ParameterizedType pt)) {
                return null;
            }
            Type arg = pt.getActualTypeArguments()[raw == List.class ? 0 : 1];
            Class<?> argRaw = arg instanceof ParameterizedType p2 ? (Class<?>) p2.getRawType() : (Class<?>) arg;
            Object v = sample(argRaw, arg, depth + 1);
            if (v == null) {
                return null;
            }
            return raw == List.class ? List.of(v) : Map.of("k", v);
        }
        if (raw.isRecord() && depth <= 5) {
            RecordComponent[] rc = raw.getRecordComponents();
            Object[] args = new Object[rc.length];
            Class<?>[] types = new Class<?>[rc.length];
            for (int i = 0; i < rc.length; i++) {
                types[i] = rc[i].getType();
                args[i] = sample(rc[i].getType(), rc[i].getGenericType(), depth + 1);
            }
            return raw.getDeclaredConstructor(types).newInstance(args);
        }
        if (raw == JsonNode.class) {
            return Json
                    .object(); // unions and opaque JSON: an object fits most; a union's branch errors are not counted
        }
        return null; // records deeper than the sample goes stay unset
    }

    @Test
    void rawCallsFillInTheSessionIdAndRefuseNonObjects() {
        Recorder rec = new Recorder();
        ObjectNode p = Json.object().put("a", 1);
        new SessionRpc(rec, "s-9").call("session.brandNew", p);
        assertEquals(
                "{\"a\":1,\"sessionId\":\"s-9\"}",
                rec.calls.get("session.brandNew").toString());
        assertEquals("{\"a\":1}", p.toString(), "the caller's object is not changed");
        new ServerRpc(rec).call("brand.new", null);
        assertEquals("{}", rec.calls.get("brand.new").toString());
        try {
            new ServerRpc(rec).call("x", Json.MAPPER.getNodeFactory().arrayNode());
            throw new AssertionError("an array was accepted as params");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("object"));
        }
    }

    @Test
    void resultsAreReadIntoRecordsAndUnknownFieldsAndEnumValuesAreTolerated() {
        RpcCaller answering = new RpcCaller() {
            @Override
            public CompletableFuture<JsonNode> callAsync(String method, ObjectNode params) {
                return CompletableFuture.completedFuture(
                        Json.read(
                                "{\"modelId\":\"gpt-5\",\"reasoningEffort\":\"high\",\"brandNewField\":{\"x\":1},\"contextTier\":\"galactic\"}"));
            }

            @Override
            public <T> T await(CompletableFuture<T> future, String method) {
                return future.join();
            }
        };
        io.github.copilot4j.rpc.model.CurrentModel current =
                new SessionRpc(answering, "s").model().getCurrent();
        assertEquals("gpt-5", current.modelId());
        assertEquals(
                io.github.copilot4j.rpc.model.ContextTier.UNKNOWN,
                current.contextTier(),
                "an enum value newer than the schema");
        Iterator<String> names = Json.MAPPER.valueToTree(current).fieldNames();
        List<String> written = new ArrayList<>();
        names.forEachRemaining(written::add);
        assertTrue(!written.contains("brandNewField"), "unknown fields are dropped, nulls omitted: " + written);
    }
}
