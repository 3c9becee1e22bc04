package io.github.copilot4j.codegen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.palantir.javapoet.JavaFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The build step: makes sure the pinned schemas are in the cache (fetching them with npm when
 * needed and allowed), then writes the generated sources. Run by copilot-core in
 * {@code generate-sources}:
 *
 * <pre>
 * Main --schema-version V --schema-integrity sha512-... --out DIR [--offline=true|false]
 * </pre>
 *
 * It runs inside Maven's JVM (exec:java), so it throws instead of calling {@code System.exit}.
 */
public final class Main {
    static final String RPC_PACKAGE = "io.github.copilot4j.rpc";
    static final String EVENT_PACKAGE = "io.github.copilot4j.event.data";

    private Main() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        SchemaPackage schemas = new SchemaPackage(
                SchemaPackage.defaultCacheBase(), require(a, "--schema-version"), require(a, "--schema-integrity"));
        schemas.ensure(Boolean.parseBoolean(a.getOrDefault("--offline", "false")));
        int n = generate(schemas.api(), schemas.events(), Path.of(require(a, "--out")), require(a, "--schema-version"));
        System.out.println("copilot-codegen: " + n + " source files from " + schemas.dir());
    }

    /**
     * Writes all generated sources under {@code out}; returns how many files. Files whose content is
     * unchanged are left alone (so the compiler's staleness check does not recompile them) and files
     * that are no longer generated are deleted.
     */
    static int generate(Path api, Path events, Path out, String schemaVersion) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<JavaFile> files = new ArrayList<>(
                generate(mapper.readTree(api.toFile()), mapper.readTree(events.toFile()), schemaVersion));
        Map<Path, String> wanted = new HashMap<>();
        for (JavaFile f : files) {
            Path p = out.resolve(f.packageName().replace('.', '/'))
                    .resolve(f.typeSpec().name() + ".java");
            wanted.put(p, f.toString());
        }
        if (Files.exists(out)) {
            try (Stream<Path> s = Files.walk(out)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    if (Files.isRegularFile(p) && !wanted.containsKey(p)) {
                        Files.delete(p);
                    }
                }
            }
        }
        for (Map.Entry<Path, String> e : wanted.entrySet()) {
            Path p = e.getKey();
            if (Files.isRegularFile(p)
                    && Files.readString(p, StandardCharsets.UTF_8).equals(e.getValue())) {
                continue;
            }
            Files.createDirectories(p.getParent());
            Files.writeString(p, e.getValue(), StandardCharsets.UTF_8);
        }
        return files.size();
    }

    static List<JavaFile> generate(JsonNode api, JsonNode events, String schemaVersion) {
        List<JavaFile> files = new ArrayList<>(new ApiGenerator(api, RPC_PACKAGE, schemaVersion).generate());
        files.addAll(new EventGenerator(events, EVENT_PACKAGE).generate());
        return files;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq > 0) {
                m.put(args[i].substring(0, eq), args[i].substring(eq + 1));
            } else if (i + 1 < args.length) {
                m.put(args[i], args[++i]);
            }
        }
        return m;
    }

    private static String require(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("copilot-codegen needs " + key + " (set by copilot-core's pom)");
        }
        return v;
    }
}
