package io.github.copilot4j.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.palantir.javapoet.JavaFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator on small hand-made schemas: what it emits for each schema shape. */
class GeneratorTest {
    static final ObjectMapper M = new ObjectMapper();

    static final String API = """
            {"server": {
               "ping": {"rpcMethod": "ping", "params": {"$ref": "#/definitions/PingRequest"},
                        "result": {"$ref": "#/definitions/PingResult"}, "stability": "experimental"},
               "connect": {"rpcMethod": "connect", "visibility": "internal", "result": {"type": "null"}},
               "mcp": {"config": {"list": {"rpcMethod": "mcp.config.list", "result": {"type": "array", "items": {"type": "string"}}}}}
             },
             "session": {
               "model": {
                 "switchTo": {"rpcMethod": "session.model.switchTo",
                   "params": {"type": "object", "properties": {"sessionId": {"type": "string"}, "modelId": {"type": "string"},
                              "default": {"type": "boolean"}}, "required": ["sessionId", "modelId"]},
                   "result": {"$ref": "#/definitions/SwitchResult"}},
                 "getCurrent": {"rpcMethod": "session.model.getCurrent",
                   "params": {"type": "object", "properties": {"sessionId": {"type": "string"}}, "required": ["sessionId"]},
                   "result": {"type": "null"}}
               }
             },
             "clientSession": {"sessionFs": {"readFile": {"rpcMethod": "sessionFs.readFile"}}},
             "definitions": {
               "PingRequest": {"anyOf": [{"not": {}}, {"type": "object", "properties": {"message": {"type": "string"}}}]},
               "PingResult": {"type": "object", "properties": {"message": {"type": "string"}, "protocolVersion": {"type": "integer"},
                  "tags": {"type": "array", "items": {"type": "string"}}, "mode": {"$ref": "#/definitions/Mode"},
                  "extra": {"type": "object", "properties": {"a-b": {"type": "number"}}},
                  "either": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                  "union": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}, "required": ["message"]},
               "Mode": {"type": "string", "enum": ["interactive", "plan-mode", "autopilot"]},
               "SwitchResult": {"type": "object", "properties": {"modelId": {"type": "string"}}}
             }}
            """;

    static final String EVENTS = """
            {"$ref": "#/definitions/SessionEvent", "definitions": {
               "SessionEvent": {"anyOf": [{"$ref": "#/definitions/IdleEvent"}, {"$ref": "#/definitions/SearchEvent"}]},
               "IdleEvent": {"type": "object", "properties": {"type": {"type": "string", "const": "session.idle"},
                   "data": {"$ref": "#/definitions/IdleData"}}},
               "IdleData": {"type": "object", "properties": {"aborted": {"type": "boolean"}}},
               "SearchEvent": {"type": "object", "properties": {"type": {"type": "string", "const": "session.search"},
                   "data": {"$ref": "#/definitions/SearchData"}}},
               "SearchData": {"anyOf": [
                   {"type": "object", "properties": {"kind": {"type": "string", "const": "status"}, "state": {"type": "string"}}},
                   {"type": "object", "properties": {"kind": {"type": "string", "const": "done"}, "count": {"type": "number"},
                                                     "state": {"type": "integer"}}}]}
             }}
            """;

    static Map<String, String> sources(List<JavaFile> files) {
        return files.stream()
                .collect(Collectors.toMap(
                        f -> f.packageName() + "." + f.typeSpec().name(), JavaFile::toString));
    }

    static Map<String, String> generated() throws IOException {
        return sources(Main.generate(M.readTree(API), M.readTree(EVENTS), "9.9.9"));
    }

    @Test
    void serverAndSessionClassesPerNamespaceWithoutInternalMethods() throws IOException {
        Map<String, String> src = generated();
        assertTrue(
                src.containsKey("io.github.copilot4j.rpc.ServerRpc"),
                src.keySet().toString());
        assertTrue(src.containsKey("io.github.copilot4j.rpc.ServerMcpApi"));
        assertTrue(src.containsKey("io.github.copilot4j.rpc.ServerMcpConfigApi"));
        assertTrue(src.containsKey("io.github.copilot4j.rpc.SessionModelApi"));
        String server = src.get("io.github.copilot4j.rpc.ServerRpc");
        assertTrue(server.contains("public PingResult ping(PingRequest params)"), server);
        assertTrue(server.contains("public PingResult ping()"), "optional params get a no-argument overload too");
        assertTrue(server.contains("public CompletableFuture<PingResult> pingAsync(PingRequest params)"));
        assertTrue(server.contains("@Experimental"));
        assertTrue(server.contains("public ServerMcpApi mcp()"));
        assertTrue(server.contains("public JsonNode call(String method, JsonNode params)"));
        assertFalse(server.contains("\"connect\""), "internal methods are left out");
        assertTrue(src.get("io.github.copilot4j.rpc.ServerMcpConfigApi")
                .contains("public CompletableFuture<List<String>> listAsync()"));
    }

    @Test
    void sessionMethodsFillInTheSessionIdAndVoidResultsReturnNothing() throws IOException {
        Map<String, String> src = generated();
        String model = src.get("io.github.copilot4j.rpc.SessionModelApi");
        assertTrue(model.contains("public SwitchResult switchTo(SessionModelSwitchToParams params)"), model);
        assertFalse(model.contains("switchTo()"), "required params: no overload without them");
        assertTrue(model.contains("RpcCodec.params(params, sessionId)"));
        assertTrue(model.contains("public void getCurrent()"), model);
        assertTrue(model.contains("public CompletableFuture<Void> getCurrentAsync()"));
        String params = src.get("io.github.copilot4j.rpc.model.SessionModelSwitchToParams");
        assertFalse(params.contains("sessionId"), "the session id is not part of the params record: " + params);
        assertTrue(
                params.contains("@JsonProperty(\"default\") Boolean defaultValue"), "keywords are renamed: " + params);
        assertTrue(params.contains("public static Builder builder()"), "params records have a builder");
    }

    @Test
    void recordsEnumsAndFallbacks() throws IOException {
        Map<String, String> src = generated();
        String result = src.get("io.github.copilot4j.rpc.model.PingResult");
        assertTrue(result.contains("public record PingResult("), result);
        assertTrue(result.contains("@JsonInclude(JsonInclude.Include.NON_NULL)"));
        assertTrue(result.contains("ignoreUnknown = true"));
        assertTrue(result.contains("@JsonProperty(\"protocolVersion\") Long protocolVersion"));
        assertTrue(result.contains("List<String> tags"));
        assertTrue(
                result.contains("tags = tags == null ? null : Collections.unmodifiableList(new ArrayList<>(tags))"),
                "lists are copied");
        assertTrue(result.contains("PingResultExtra extra"), "inline objects get a record");
        assertTrue(result.contains("String either"), "nullable unions are their type");
        assertTrue(result.contains("JsonNode union"), "other unions stay JSON");
        assertTrue(
                src.get("io.github.copilot4j.rpc.model.PingResultExtra").contains("@JsonProperty(\"a-b\") Double aB"));
        String mode = src.get("io.github.copilot4j.rpc.model.Mode");
        assertTrue(mode.contains("PLAN_MODE(\"plan-mode\")"), mode);
        assertTrue(mode.contains("UNKNOWN(\"\")"), "unknown values read as UNKNOWN");
        assertTrue(mode.contains("@JsonCreator"));
        String surface = src.get("io.github.copilot4j.rpc.RpcSurface");
        assertTrue(surface.contains("SERVER_INTERNAL = List.of(\n    \"connect\")"), surface);
        assertTrue(surface.contains("\"9.9.9\""));
        assertTrue(surface.contains("CLIENT_SESSION_REQUESTS = List.of(\n    \"sessionFs.readFile\")"), surface);
    }

    @Test
    void eventsBecomeASealedHierarchyAndUnionDataIsMerged() throws IOException {
        Map<String, String> src = generated();
        String sealed = src.get("io.github.copilot4j.event.data.SessionEventData");
        assertTrue(
                sealed.contains(
                        "public sealed interface SessionEventData extends EventPayload permits IdleData, SearchData"),
                sealed);
        assertTrue(src.get("io.github.copilot4j.event.data.SessionEventTypes")
                .contains("Map.entry(\"session.search\", SearchData.class)"));
        String search = src.get("io.github.copilot4j.event.data.SearchData");
        assertTrue(search.contains("implements SessionEventData"), search);
        assertTrue(search.contains("String kind"), "a const discriminator becomes a string: " + search);
        assertTrue(search.contains("Double count"));
        assertTrue(search.contains("JsonNode state"), "branches that disagree: untyped");
    }

    @Test
    void javaNames() {
        assertEquals("originTracker", Names.member("origin-tracker"));
        assertEquals("classValue", Names.member("class"));
        assertEquals("SwitchTo", Names.type("switchTo"));
        assertEquals("IN_PROGRESS", Names.constant("inProgress"));
        assertEquals("APPLICATION_MCP_SERVER_JSON", Names.constant("application/mcp-server+json"));
        assertEquals("V_5", Names.constant("5"));
        assertEquals("a *&#47; b", Names.doc("a */ b"));
        assertEquals("http.&lt;url&gt;.extraheader &amp; {@literal @}x", Names.doc("http.<url>.extraheader & @x"));
    }

    @Test
    void schemaPackageChecksIntegrityAndExtractsFromTheTarball(@TempDir Path dir) throws Exception {
        byte[] tgz = tgz(Map.of("package/schemas/api.schema.json", "{\"a\":1}", "package/README.md", "x"));
        Map<String, byte[]> got =
                SchemaPackage.Tar.extract(tgz, List.of("package/schemas/api.schema.json", "package/missing"));
        assertEquals("{\"a\":1}", new String(got.get("package/schemas/api.schema.json"), StandardCharsets.UTF_8));
        assertEquals(1, got.size());
        assertTrue(SchemaPackage.integrityOf(tgz).startsWith("sha512-"));

        SchemaPackage pkg = new SchemaPackage(dir, "1.2.3", SchemaPackage.integrityOf(tgz));
        assertFalse(pkg.present());
        IOException offline = assertThrows(IOException.class, () -> pkg.ensure(true));
        assertTrue(offline.getMessage().contains("offline"), offline.getMessage());
        Files.createDirectories(pkg.dir());
        Files.writeString(pkg.api(), "{}");
        Files.writeString(pkg.events(), "{}");
        Files.writeString(pkg.dir().resolve(SchemaPackage.VERIFIED), "sha512-other\n");
        assertFalse(pkg.present(), "files verified against another integrity do not count");
        Files.writeString(pkg.dir().resolve(SchemaPackage.VERIFIED), SchemaPackage.integrityOf(tgz) + "\n");
        assertTrue(pkg.present());
        pkg.ensure(true); // present: no npm needed
        assertThrows(IllegalArgumentException.class, () -> new SchemaPackage(dir, "1", "sha1-abc"));
    }

    static byte[] tgz(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                byte[] body = f.getValue().getBytes(StandardCharsets.UTF_8);
                byte[] h = new byte[512];
                byte[] name = f.getKey().getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(name, 0, h, 0, name.length);
                byte[] size = String.format("%011o", body.length).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(size, 0, h, 124, size.length);
                h[156] = '0';
                gz.write(h);
                gz.write(body);
                gz.write(new byte[(512 - body.length % 512) % 512]);
            }
            gz.write(new byte[1024]);
        }
        return bytes.toByteArray();
    }

    @Test
    void generatedSourcesAreWrittenUnderTheOutputDirectory(@TempDir Path dir) throws IOException {
        Path api = Files.writeString(dir.resolve("api.json"), API);
        Path events = Files.writeString(dir.resolve("events.json"), EVENTS);
        Path out = dir.resolve("out");
        Path stale = out.resolve("io/github/copilot4j/rpc/Gone.java");
        Files.createDirectories(stale.getParent());
        Files.writeString(stale, "class Gone {}");
        int n = Main.generate(api, events, out, "9.9.9");
        assertTrue(n > 10, "files: " + n);
        Path server = out.resolve("io/github/copilot4j/rpc/ServerRpc.java");
        assertTrue(Files.isRegularFile(server));
        assertFalse(Files.exists(stale), "files no longer generated are deleted");
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(server, old);
        assertEquals(n, Main.generate(api, events, out, "9.9.9"));
        assertEquals(
                old, Files.getLastModifiedTime(server), "unchanged files are not rewritten (no needless recompiles)");
        JsonNode unused = M.readTree(API);
        assertTrue(unused.has("definitions"));
    }
}
