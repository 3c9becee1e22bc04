package io.github.copilot4j.codegen;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The runtime's two JSON Schemas, from the npm package {@code @github/copilot-sdk-linux-x64} of a
 * pinned version, kept in the per-user copilot4j cache ({@code $COPILOT4J_CACHE_DIR}, else
 * {@code ~/.cache/copilot4j}) under {@code sdk-schemas/<version>/}. Once there (and verified), no
 * network is needed: offline builds work. Fetching runs {@code npm pack} and checks the tarball
 * against the pinned npm integrity ({@code sha512-<base64>}) before extracting the two files.
 */
public final class SchemaPackage {
    static final String PACKAGE = "@github/copilot-sdk-linux-x64";
    static final String API = "api.schema.json";
    static final String EVENTS = "session-events.schema.json";
    static final String VERIFIED = ".verified";

    private final Path dir;
    private final String version;
    private final String integrity;

    SchemaPackage(Path cacheBase, String version, String integrity) {
        if (!integrity.startsWith("sha512-")) {
            throw new IllegalArgumentException("the schema integrity must be npm's sha512-<base64>, got " + integrity);
        }
        this.dir = cacheBase.resolve("sdk-schemas").resolve(version);
        this.version = version;
        this.integrity = integrity;
    }

    /** The cache base the CLI installer of copilot-testing uses too. */
    static Path defaultCacheBase() {
        String env = System.getenv("COPILOT4J_CACHE_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String prop = System.getProperty("copilot4j.cache.dir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "copilot4j");
    }

    Path dir() {
        return dir;
    }

    Path api() {
        return dir.resolve(API);
    }

    Path events() {
        return dir.resolve(EVENTS);
    }

    /** True when both files are in the cache, extracted from a tarball that matched the pinned integrity. */
    boolean present() throws IOException {
        Path marker = dir.resolve(VERIFIED);
        return Files.isRegularFile(api())
                && Files.isRegularFile(events())
                && Files.isRegularFile(marker)
                && Files.readString(marker, StandardCharsets.UTF_8).trim().equals(integrity);
    }

    /** Makes sure the schemas are in the cache; fetches them with npm unless {@code offline}. */
    void ensure(boolean offline) throws IOException, InterruptedException {
        if (present()) {
            return;
        }
        if (offline) {
            throw new IOException("The runtime schemas " + PACKAGE + "@" + version + " are not in " + dir
                    + " and the build is offline; run the build once online (it fetches them with npm) or set COPILOT4J_CACHE_DIR"
                    + " to a cache that has them");
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempDirectory(dir, "pack-");
        try {
            Path tarball = npmPack(tmp);
            byte[] bytes = Files.readAllBytes(tarball);
            String actual = integrityOf(bytes);
            if (!actual.equals(integrity)) {
                throw new IOException("The npm package " + PACKAGE + "@" + version + " has integrity " + actual
                        + " but the root pom pins " + integrity
                        + "; do not build with it. If the version was republished on"
                        + " purpose, update copilot.schema.integrity in the root pom.xml");
            }
            Map<String, byte[]> files =
                    Tar.extract(bytes, List.of("package/schemas/" + API, "package/schemas/" + EVENTS));
            write(api(), files.get("package/schemas/" + API), "package/schemas/" + API);
            write(events(), files.get("package/schemas/" + EVENTS), "package/schemas/" + EVENTS);
            Files.writeString(dir.resolve(VERIFIED), integrity + "\n", StandardCharsets.UTF_8);
        } finally {
            deleteTree(tmp);
        }
    }

    private Path npmPack(Path into) throws IOException, InterruptedException {
        String npm =
                System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows") ? "npm.cmd" : "npm";
        List<String> cmd = new ArrayList<>(List.of(
                npm,
                "pack",
                PACKAGE + "@" + version,
                "--pack-destination",
                into.toString(),
                "--silent",
                "--no-audit",
                "--no-fund"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("npm pack " + PACKAGE + "@" + version + " did not finish within 10 minutes");
        }
        if (p.exitValue() != 0) {
            throw new IOException("npm pack " + PACKAGE + "@" + version + " failed (exit " + p.exitValue() + "): "
                    + new String(out, StandardCharsets.UTF_8).trim()
                    + "; the build needs npm and the npm registry once to fetch"
                    + " the runtime schemas");
        }
        try (Stream<Path> s = Files.list(into)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".tgz"))
                    .findFirst()
                    .orElseThrow(() -> new IOException("npm pack left no tarball in " + into));
        }
    }

    static String integrityOf(byte[] bytes) {
        try {
            return "sha512-"
                    + Base64.getEncoder()
                            .encodeToString(MessageDigest.getInstance("SHA-512").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-512", e);
        }
    }

    private static void write(Path target, byte[] content, String entry) throws IOException {
        if (content == null) {
            throw new IOException("the npm package has no " + entry + "; the schema package layout changed");
        }
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, content);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Just enough of ustar to pull named regular files out of a gzipped npm tarball. */
    static final class Tar {
        private Tar() {}

        static Map<String, byte[]> extract(byte[] tgz, List<String> wanted) throws IOException {
            Map<String, byte[]> found = new java.util.HashMap<>();
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(tgz))) {
                byte[] header = new byte[512];
                while (readFully(in, header)) {
                    if (isZero(header)) {
                        break;
                    }
                    String name = field(header, 0, 100);
                    String prefix = field(header, 345, 155);
                    if (!prefix.isEmpty()) {
                        name = prefix + "/" + name;
                    }
                    long size = Long.parseLong(
                            field(header, 124, 12).trim().isEmpty()
                                    ? "0"
                                    : field(header, 124, 12).trim(),
                            8);
                    byte type = header[156];
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    long padded = (size + 511) / 512 * 512;
                    byte[] buf = new byte[8192];
                    long left = padded;
                    long keep = size;
                    while (left > 0) {
                        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                        if (n < 0) {
                            throw new IOException("truncated tarball inside " + name);
                        }
                        int k = (int) Math.min(n, keep);
                        body.write(buf, 0, k);
                        keep -= k;
                        left -= n;
                    }
                    if ((type == '0' || type == 0) && wanted.contains(name)) {
                        found.put(name, body.toByteArray());
                    }
                }
            }
            return found;
        }

        private static boolean readFully(InputStream in, byte[] b) throws IOException {
            int off = 0;
            while (off < b.length) {
                int n = in.read(b, off, b.length - off);
                if (n < 0) {
                    if (off == 0) {
                        return false;
                    }
                    throw new IOException("truncated tarball header");
                }
                off += n;
            }
            return true;
        }

        private static boolean isZero(byte[] b) {
            for (byte x : b) {
                if (x != 0) {
                    return false;
                }
            }
            return true;
        }

        private static String field(byte[] h, int off, int len) {
            int end = off;
            while (end < off + len && h[end] != 0) {
                end++;
            }
            return new String(h, off, end - off, StandardCharsets.US_ASCII);
        }
    }
}
