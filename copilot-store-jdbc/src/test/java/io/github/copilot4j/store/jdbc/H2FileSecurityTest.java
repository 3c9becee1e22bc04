package io.github.copilot4j.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code JdbcSessionStore.h2(dir)} keeps the database private to its user: every file it creates
 * is owner-only even in an existing, world-readable directory (the {@code .lock.db} holds the
 * AUTO_SERVER key), files of an older release are made owner-only, and the auto-server listens on
 * loopback only (checked in a fresh JVM, since H2 reads its bind address once per JVM).
 */
@Timeout(120)
class H2FileSecurityTest {
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    static final Instant T = Instant.parse("2024-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @BeforeEach
    void posixOnly() throws Exception {
        assumeTrue(
                FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
                "needs POSIX file permissions");
        Files.setPosixFilePermissions(
                dir, PosixFilePermissions.fromString("rwxr-xr-x")); // an existing, world-readable directory
    }

    @Test
    void everyFileIsOwnerOnlyInAnExistingWorldReadableDirectory() throws Exception {
        for (int round = 0; round < 2; round++) { // the lock file is made anew on every open
            try (JdbcSessionStore store = JdbcSessionStore.h2(dir)) {
                store.create(SessionRecord.newSession("s" + round, "o", "m", T));
                store.append("s" + round, List.of(new NewEvent("e", "t", T, null, null, "{}")));
                assertTrue(
                        Files.exists(dir.resolve("copilot4j.mv.db")) && Files.exists(dir.resolve("copilot4j.lock.db")),
                        files());
                assertEquals(
                        OWNER_ONLY,
                        Files.getPosixFilePermissions(dir.resolve("copilot4j.lock.db")),
                        "the lock file with the key");
                assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(dir.resolve("copilot4j.mv.db")), "the database");
                assertNoFileOpenToOthers();
            }
            assertNoFileOpenToOthers();
        }
        assertEquals(
                PosixFilePermissions.fromString("rwxr-xr-x"),
                Files.getPosixFilePermissions(dir),
                "the caller's directory is left as it was");
    }

    @Test
    void aDatabaseOfAnOlderReleaseIsMadeOwnerOnly() throws Exception {
        JdbcDataSource plain = new JdbcDataSource();
        plain.setURL("jdbc:h2:file:" + dir.resolve("copilot4j").toAbsolutePath());
        plain.setUser("sa");
        try (Connection c = plain.getConnection()) {
            c.createStatement().execute("CREATE TABLE t (x INT)");
        }
        Set<PosixFilePermission> before = Files.getPosixFilePermissions(dir.resolve("copilot4j.mv.db"));
        assumeTrue(
                before.contains(PosixFilePermission.OTHERS_READ),
                "this process's umask makes files world-readable: " + before);
        try (JdbcSessionStore store = JdbcSessionStore.h2(dir)) {
            assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(dir.resolve("copilot4j.mv.db")));
            assertNoFileOpenToOthers();
        }
    }

    @Test
    void theAutoServerListensOnLoopbackOnlyAndStillServesAnotherProcess() throws Exception {
        Path proc = Path.of("/proc/net/tcp");
        assumeTrue(Files.isReadable(proc), "needs Linux /proc/net/tcp to see the listening address");
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process child = new ProcessBuilder(
                        java,
                        "-Xmx128m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        H2ServeChild.class.getName(),
                        dir.toString())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            List<String> said = new ArrayList<>();
            for (String line; (line = out.readLine()) != null && !line.equals("READY"); ) {
                said.add(line);
            }
            assertTrue(child.isAlive(), "the child serves the store; it said: " + said);
            Properties lock = new Properties();
            try (Reader r = Files.newBufferedReader(dir.resolve("copilot4j.lock.db"), StandardCharsets.ISO_8859_1)) {
                lock.load(r);
            }
            String server = lock.getProperty("server");
            assertTrue(
                    server != null && server.contains(":"),
                    "the lock file names the auto-server: " + lock.stringPropertyNames());
            int port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
            List<String> listening = listeners(port);
            assertFalse(listening.isEmpty(), "something listens on port " + port);
            // 127.0.0.1, ::1, or ::ffff:127.0.0.1 (an IPv4 loopback socket seen through tcp6)
            List<String> loopback =
                    List.of("0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F");
            assertEquals(
                    List.of(),
                    listening.stream().filter(a -> !loopback.contains(a)).toList(),
                    "the auto-server on port " + port
                            + " listens on loopback only (hex local addresses of its listening sockets)");
            assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(dir.resolve("copilot4j.lock.db")));
            try (JdbcSessionStore here = JdbcSessionStore.h2(dir)) {
                assertTrue(
                        here.find("from-child").isPresent(),
                        "another process still reaches the store through the loopback auto-server");
            }
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    /** Hex local addresses of the sockets listening on {@code port} (Linux /proc/net/tcp and tcp6). */
    static List<String> listeners(int port) throws Exception {
        List<String> found = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.isReadable(p)) {
                continue;
            }
            for (String line :
                    Files.readAllLines(p).subList(1, Files.readAllLines(p).size())) {
                String[] f = line.trim().split("\\s+");
                String[] local = f[1].split(":");
                if (Integer.parseInt(local[1], 16) == port && f[3].equals("0A")) {
                    found.add(local[0]);
                }
            }
        }
        return found;
    }

    private void assertNoFileOpenToOthers() throws Exception {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                assertTrue(
                        perms.stream()
                                .noneMatch(x ->
                                        x.name().startsWith("GROUP") || x.name().startsWith("OTHERS")),
                        p.getFileName() + " is " + PosixFilePermissions.toString(perms));
            }
        }
    }

    private String files() throws Exception {
        try (Stream<Path> all = Files.list(dir)) {
            return all.map(p -> p.getFileName().toString()).toList().toString();
        }
    }
}
