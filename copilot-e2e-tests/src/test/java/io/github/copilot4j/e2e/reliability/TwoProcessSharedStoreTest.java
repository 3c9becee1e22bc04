package io.github.copilot4j.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariDataSource;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs share one PostgreSQL store, each driving its own real CLI: for a bounded time both
 * create sessions, run turns in them, list, and delete their own sessions and the other side's.
 * Afterwards the database holds exactly the sessions that were created and not deleted, every
 * event each side received for them once and in order with a gap-free seq, no event of a deleted
 * session, and each side's (paged) list agrees with the database.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TwoProcessSharedStoreTest {
    static final long SECONDS = Long.getLong("copilot4j.twoProcess.seconds", 12);

    @Test
    void twoJvmsWithTheirOwnClisShareOnePostgresStore(@TempDir Path dir) throws Exception {
        try (Pg.Tenant pg = Pg.newTenant();
                HikariDataSource pool = pg.pool();
                OfflineCopilot offline = OfflineCopilot.start()) {
            SessionStore store =
                    JdbcSessionStore.builder().dataSource(pool).build(); // migrates before the child starts
            Path childErr = dir.resolve("child-stderr.txt");
            Process child = startChild(pg, childErr);
            try {
                LinkedBlockingQueue<String> lines = readLines(child);
                expect(lines, "READY", 120, child, childErr);
                send(child, "GO");
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
                CompletableFuture<SharedStoreWorker.Report> mine = CompletableFuture.supplyAsync(
                        () -> SharedStoreWorker.run("parent", "child", store, offline, until, 1));
                SharedStoreWorker.Report parent = mine.get(120, TimeUnit.SECONDS);
                SharedStoreWorker.Report childReport = new SharedStoreWorker.Report();
                while (true) {
                    String line = expect(lines, "", 120, child, childErr);
                    String[] p = line.split(" ", 3);
                    switch (p[0]) {
                        case "CREATED" -> childReport.created.add(p[1]);
                        case "DELETED" -> childReport.deleted.add(p[1]);
                        case "EVENTS" ->
                            childReport.events.put(
                                    p[1],
                                    p.length < 3
                                            ? List.of()
                                            : List.of(p[2].replace(':', ' ').split(",")));
                        case "COUNTS" -> {
                            String[] counts = line.split(" ");
                            childReport.turns = Integer.parseInt(counts[1]);
                            childReport.lists = Integer.parseInt(counts[2]);
                            childReport.refusedDeletes = Integer.parseInt(counts[3]);
                        }
                        case "WORKED" -> {}
                        default -> fail("unexpected line from the child: " + line + "; stderr: " + stderr(childErr));
                    }
                    if (p[0].equals("WORKED")) {
                        break;
                    }
                }
                // Both sides are done: each lists the store, which must agree with the database.
                send(child, "LIST");
                String childList =
                        expect(lines, "LIST", 60, child, childErr).substring(4).trim();
                expect(lines, "DONE", 30, child, childErr);
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child exits");
                assertEquals(0, child.exitValue(), "child exit code; stderr: " + stderr(childErr));

                List<String> parentList = SharedStoreWorker.listAll(store);
                Set<String> expected = new TreeSet<>(parent.created);
                expected.addAll(childReport.created);
                parent.deleted.forEach(expected::remove);
                childReport.deleted.forEach(expected::remove);
                Map<String, List<String>> dbEvents = new HashMap<>();
                Set<String> dbSessions = new TreeSet<>();
                try (Connection c = pool.getConnection();
                        Statement st = c.createStatement()) {
                    try (ResultSet rs = st.executeQuery("SELECT id FROM copilot4j_sessions")) {
                        while (rs.next()) {
                            dbSessions.add(rs.getString(1));
                        }
                    }
                    try (ResultSet rs = st.executeQuery(
                            "SELECT session_id, seq, event_id, type FROM copilot4j_events ORDER BY session_id, seq")) {
                        while (rs.next()) {
                            List<String> ids = dbEvents.computeIfAbsent(rs.getString(1), k -> new ArrayList<>());
                            assertEquals(ids.size() + 1L, rs.getLong(2), "seq gap-free in " + rs.getString(1));
                            ids.add(rs.getString(3) + " " + rs.getString(4));
                        }
                    }
                }
                System.out.println(
                        "two processes: parent " + parent.created.size() + " sessions, " + parent.turns + " turns, "
                                + parent.deleted.size() + " deletes; child " + childReport.created.size()
                                + " sessions, " + childReport.turns
                                + " turns, " + childReport.deleted.size() + " deletes; " + dbSessions.size()
                                + " sessions remain; deletes refused"
                                + " because the other side drove the session: parent " + parent.refusedDeletes
                                + ", child " + childReport.refusedDeletes);
                assertTrue(parent.created.size() >= 3 && childReport.created.size() >= 3, "both sides did real work");
                assertTrue(
                        parent.deleted.stream().anyMatch(id -> id.startsWith("child-"))
                                && childReport.deleted.stream().anyMatch(id -> id.startsWith("parent-")),
                        "each side deleted sessions of the other");
                assertEquals(expected, dbSessions, "the database holds the created sessions minus the deleted ones");
                assertEquals(
                        Set.of(), new TreeSet<>(diff(dbEvents.keySet(), dbSessions)), "no events of deleted sessions");
                for (String id : dbSessions) {
                    List<String> received = (id.startsWith("parent-") ? parent : childReport).events.get(id);
                    List<String> stored = dbEvents.getOrDefault(id, List.of());
                    // The listener is attached after createSession returned: it may have missed session.start.
                    assertEquals(
                            List.of("session.start"),
                            stored.stream()
                                    .map(e -> e.substring(e.indexOf(' ') + 1))
                                    .filter(type -> type.equals("session.start"))
                                    .toList(),
                            "one session.start in " + id);
                    List<String> storedAfterStart = stored.stream()
                            .filter(e -> !e.endsWith(" session.start"))
                            .toList();
                    List<String> receivedAfterStart = received.stream()
                            .filter(e -> !e.endsWith(" session.start"))
                            .toList();
                    assertEquals(
                            receivedAfterStart,
                            storedAfterStart,
                            "session " + id + ": every event its process received, once, in order");
                    assertEquals(stored.size(), new HashSet<>(stored).size());
                }
                assertEquals(dbSessions, new TreeSet<>(parentList), "the parent's list agrees with the database");
                assertEquals(
                        parentList.size(), new HashSet<>(parentList).size(), "no session listed twice across pages");
                assertEquals(
                        dbSessions,
                        new TreeSet<>(childList.isEmpty() ? List.of() : List.of(childList.split(","))),
                        "the child's list agrees with the database");
            } finally {
                if (child.isAlive()) {
                    child.destroyForcibly();
                    child.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static Set<String> diff(Set<String> a, Set<String> b) {
        Set<String> d = new HashSet<>(a);
        d.removeAll(b);
        return d;
    }

    private static Process startChild(Pg.Tenant pg, Path stderr) throws IOException {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = List.of(
                java,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                SharedStoreWorker.class.getName(),
                "child",
                "parent",
                Long.toString(SECONDS),
                "2");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(stderr.toFile());
        pb.environment().put("C4J_PG_URL", pg.url());
        pb.environment().put("C4J_PG_USER", pg.name);
        return pb.start();
    }

    private static LinkedBlockingQueue<String> readLines(Process child) {
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String l; (l = r.readLine()) != null; ) {
                            if (l.startsWith("C4J ")) {
                                lines.add(l.substring(4));
                            }
                        }
                    } catch (IOException ignored) {
                        // the child is gone; the waits report it
                    }
                },
                "child-stdout");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static void send(Process child, String command) throws IOException {
        OutputStream o = child.getOutputStream();
        o.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        o.flush();
    }

    private static String expect(LinkedBlockingQueue<String> lines, String prefix, int seconds, Process child, Path err)
            throws Exception {
        String line = lines.poll(seconds, TimeUnit.SECONDS);
        if (line == null || !line.startsWith(prefix) || line.startsWith("FAILED")) {
            fail("expected '" + prefix + "' from the child within " + seconds + " s, got " + line
                    + (child.isAlive() ? "" : " (child exited with " + child.exitValue() + ")") + "; child stderr: "
                    + stderr(err));
        }
        return line;
    }

    private static String stderr(Path p) {
        try {
            String s = Files.exists(p) ? Files.readString(p) : "";
            return s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s;
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
