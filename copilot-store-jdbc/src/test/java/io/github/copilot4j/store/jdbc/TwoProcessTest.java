package io.github.copilot4j.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.testing.db.TestPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs share one store: this test's JVM and a child JVM ({@link TwoProcessChild}) append to
 * the same session at the same time and delete each other's sessions; afterwards every event is
 * present exactly once with seq 1..N. Every wait is bounded and the child is killed on failure.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TwoProcessTest {

    static final int OWN = 120;
    static final int COMMON = 40;

    @Test
    void h2FileInAutoServerModeIsSharedByTwoJvms(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("db");
        try (JdbcSessionStore store = JdbcSessionStore.h2(db)) { // this JVM opens the file and serves the child
            exercise(store, List.of("h2", db.toString()), Map.of(), dir);
        }
    }

    @Test
    void postgresIsSharedByTwoJvms(@TempDir Path dir) throws Exception {
        try (TestPostgres.TestSchema schema = TestPostgres.newSchema();
                JdbcSessionStore store = JdbcSessionStore.builder()
                        .dataSource(schema.dataSource())
                        .build()) {
            Map<String, String> env = Map.of(
                    "C4J_CHILD_PG_URL",
                    schema.url(),
                    "C4J_CHILD_PG_USER",
                    schema.server.user(),
                    "C4J_CHILD_PG_PASSWORD",
                    schema.server.password());
            exercise(store, List.of("pg"), env, dir);
        }
    }

    private void exercise(SessionStore store, List<String> modeArgs, Map<String, String> env, Path dir)
            throws Exception {
        store.create(SessionRecord.newSession(TwoProcessChild.SHARED, "both", "m", Instant.now()));
        for (int i = 0; i < 5; i++) {
            store.create(SessionRecord.newSession("parent-" + i, "parent", "m", Instant.now()));
        }
        Path childErr = dir.resolve("child-stderr.txt");
        Process child = startChild(modeArgs, env, childErr);
        try {
            LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(
                    () -> {
                        try (BufferedReader r = new BufferedReader(
                                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String l; (l = r.readLine()) != null; ) {
                                lines.add(l);
                            }
                        } catch (IOException ignored) {
                            // the child is gone; the waits below report it
                        }
                    },
                    "child-stdout");
            reader.setDaemon(true);
            reader.start();

            expect(lines, "READY", 90, child, childErr);
            assertEquals(
                    5,
                    store.list(SessionQuery.byOwner("child")).items().size(),
                    "the child's sessions are visible here");

            OutputStream toChild = child.getOutputStream();
            toChild.write("GO\n".getBytes(StandardCharsets.UTF_8));
            toChild.flush();
            CompletableFuture<Integer> mine =
                    CompletableFuture.supplyAsync(() -> TwoProcessChild.appendShare(store, "parent", OWN, COMMON));
            int parentStored = mine.get(120, TimeUnit.SECONDS);
            int parentDeleted = TwoProcessChild.deleteAll(store, "child");

            int childStored = Integer.parseInt(
                    expect(lines, "STORED ", 120, child, childErr).substring(7));
            int childDeleted = Integer.parseInt(
                    expect(lines, "DELETED ", 30, child, childErr).substring(8));
            expect(lines, "DONE", 30, child, childErr);
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not exit");
            assertEquals(0, child.exitValue(), "child exit code; its stderr: " + stderr(childErr));

            int total = 2 * OWN + COMMON;
            assertEquals(
                    total, parentStored + childStored, "each event reported as newly stored by exactly one process");
            List<StoredEvent> all = new ArrayList<>();
            for (long after = 0; ; ) {
                List<StoredEvent> page = store.readEvents(TwoProcessChild.SHARED, after, 100);
                all.addAll(page);
                if (page.size() < 100) {
                    break;
                }
                after = page.get(page.size() - 1).seq();
            }
            assertEquals(total, all.size(), "every event present once");
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1L, all.get(i).seq(), "seq gap-free from 1");
                assertTrue(
                        ids.add(all.get(i).eventId()),
                        "duplicate event " + all.get(i).eventId());
            }
            for (int j = 0; j < OWN; j++) {
                assertTrue(
                        ids.contains("parent-e" + j) && ids.contains("child-e" + j), "event " + j + " of each process");
            }
            assertTrue(all.stream().anyMatch(e -> e.eventId().startsWith("child-"))
                    && all.stream().anyMatch(e -> e.eventId().startsWith("parent-")));

            assertEquals(5, childDeleted, "the child deleted the parent's sessions");
            assertEquals(5, parentDeleted, "the parent deleted the child's sessions");
            assertEquals(List.of(), store.list(SessionQuery.byOwner("parent")).items());
            assertEquals(List.of(), store.list(SessionQuery.byOwner("child")).items());
            assertTrue(store.find(TwoProcessChild.SHARED).isPresent());
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Process startChild(List<String> modeArgs, Map<String, String> env, Path stderr) throws IOException {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                TwoProcessChild.class.getName()));
        cmd.addAll(modeArgs);
        cmd.add(Integer.toString(OWN));
        cmd.add(Integer.toString(COMMON));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(stderr.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits (bounded) for the child's next line, which must start with {@code prefix}. */
    private static String expect(LinkedBlockingQueue<String> lines, String prefix, int seconds, Process child, Path err)
            throws Exception {
        String line = lines.poll(seconds, TimeUnit.SECONDS);
        if (line == null || !line.startsWith(prefix)) {
            fail("expected '" + prefix + "' from the child within " + seconds + " s, got " + line
                    + (child.isAlive() ? "" : " (child exited with " + child.exitValue() + ")") + "; child stderr: "
                    + stderr(err));
        }
        return line;
    }

    private static String stderr(Path p) {
        try {
            String s = Files.exists(p) ? Files.readString(p) : "";
            return s.length() > 4000 ? s.substring(0, 4000) + "..." : s;
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
