package io.github.copilot4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionFsOptions;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import io.github.copilot4j.store.jdbc.state.JdbcSessionStateStore;
import io.github.copilot4j.testing.db.TestPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Two JVMs, each with its own real CLI and a fresh CLI home, one database: while the other JVM
 * drives a session, this JVM's resume is refused (naming the holder); once the other detaches, or
 * dies and its lease expires, this JVM resumes and continues the conversation with the full
 * history. On PostgreSQL and on an H2 file shared in auto-server mode.
 */
@Timeout(180)
class TwoJvmLeaseTest {
    static final Duration LEASE = Duration.ofSeconds(4);

    static SessionFsOptions options(String holder, OfflineCopilot offline) {
        return SessionFsOptions.builder()
                .holderId(holder)
                .initialCwd(offline.environment().workDir().toString())
                .leaseDuration(LEASE)
                .leaseRenewInterval(Duration.ofSeconds(1))
                .build();
    }

    static DataSource dataSource(String url, String user, String password) {
        if (url.startsWith("jdbc:h2:")) {
            // A pool keeps the database open in the JVM that opened it first, which then serves the
            // other (AUTO_SERVER); unpooled connections would hand the file back and forth.
            return JdbcConnectionPool.create(url, user, password);
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
    }

    @Test
    void postgres() throws Exception {
        try (TestPostgres.TestSchema schema = TestPostgres.newSchema()) {
            scenario(schema.url(), schema.server.user(), schema.server.password());
        }
    }

    @Test
    void h2File(@TempDir Path dir) throws Exception {
        scenario("jdbc:h2:file:" + dir.resolve("shared") + ";AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000", "sa", "");
    }

    private void scenario(String url, String user, String password) throws Exception {
        try (OfflineCopilot offline = OfflineCopilot.start();
                JdbcSessionStore sessions = JdbcSessionStore.builder()
                        .dataSource(dataSource(url, user, password))
                        .build();
                JdbcSessionStateStore state = JdbcSessionStateStore.builder()
                        .dataSource(sessions.dataSource())
                        .build();
                CopilotClient client = CopilotClient.builder()
                        .transport(offline.stdioTransport())
                        .sessionStore(sessions)
                        .sessionFs(state, options("jvm-B", offline))
                        .build()) {
            client.start();

            // 1. The other JVM drives, then detaches: refused while it drives, resumed right after.
            String detaching = "lease-detach-" + System.nanoTime();
            Child a = Child.start(url, user, password, detaching, "jvm-A", "My name is Ada.");
            try {
                a.await("READY");
                try {
                    client.resumeSession(detaching);
                    throw new AssertionError("resume of a session another JVM drives was not refused; lease: "
                            + state.findLease(detaching) + "; the other JVM said:\n" + a.output());
                } catch (SessionLeaseException.Held held) {
                    assertEquals("jvm-A", held.holder());
                }
                a.send("detach");
                a.await("DETACHED");
                CopilotSession s = client.resumeSession(detaching);
                assertEquals(
                        "ECHO: What is my name?",
                        s.sendAndWait("What is my name?", Duration.ofSeconds(60))
                                .content());
                assertEquals(
                        List.of("My name is Ada.", "What is my name?"),
                        userTexts(offline, detaching, "What is my name?"),
                        "the model in this JVM saw the turn of the other JVM");
                s.close();
            } finally {
                a.kill();
            }

            // 2. The other JVM dies while driving: refused until its lease expires, then taken over.
            String dying = "lease-die-" + System.nanoTime();
            Child b = Child.start(url, user, password, dying, "jvm-A2", "Remember the number 42.");
            try {
                b.await("READY");
                try {
                    client.resumeSession(dying);
                    throw new AssertionError("resume of a session another JVM drives was not refused; lease: "
                            + state.findLease(dying) + "; the other JVM said:\n" + b.output());
                } catch (SessionLeaseException.Held expected) {
                    assertEquals("jvm-A2", expected.holder());
                }
                b.kill();
            } finally {
                b.kill();
            }
            long deadline = System.nanoTime() + LEASE.multipliedBy(4).toNanos();
            CopilotSession taken = null;
            while (taken == null) {
                try {
                    taken = client.resumeSession(dying);
                } catch (SessionLeaseException.Held stillHeld) {
                    assertTrue(
                            System.nanoTime() < deadline,
                            "the dead holder's lease never expired: " + stillHeld.getMessage());
                    Thread.sleep(250);
                }
            }
            assertEquals(
                    "ECHO: Which number?",
                    taken.sendAndWait("Which number?", Duration.ofSeconds(60)).content());
            assertEquals(
                    List.of("Remember the number 42.", "Which number?"), userTexts(offline, dying, "Which number?"));
            assertEquals("jvm-B", state.findLease(dying).orElseThrow().holder());
            client.deleteSession(dying);
            client.deleteSession(detaching);
            assertTrue(sessions.find(dying).isEmpty() && state.findLease(dying).isEmpty());
        }
    }

    private static List<String> userTexts(OfflineCopilot offline, String sessionId, String last) {
        return offline.fakeApi().chatRequests(sessionId).stream()
                .filter(r -> r.lastUserText().equals(last))
                .findFirst()
                .orElseThrow()
                .texts("user");
    }

    /** The other JVM, running {@link LeaseDriverChild}. */
    static final class Child {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final List<String> all = new ArrayList<>();
        final Writer stdin;

        private Child(Process process) {
            this.process = process;
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread t = new Thread(
                    () -> {
                        try (BufferedReader r = new BufferedReader(
                                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                            String line;
                            while ((line = r.readLine()) != null) {
                                synchronized (all) {
                                    all.add(line);
                                }
                                lines.add(line);
                            }
                        } catch (Exception ignored) {
                            // process ended
                        }
                    },
                    "lease-child-output");
            t.setDaemon(true);
            t.start();
        }

        static Child start(String url, String user, String password, String sessionId, String holder, String prompt)
                throws Exception {
            return startMain(LeaseDriverChild.class, url, user, password, sessionId, holder, prompt);
        }

        /** A JVM running {@code main} with {@code args}, on this test's class path. */
        static Child startMain(Class<?> main, String... args) throws Exception {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of(
                    java,
                    "-Xmx256m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "-Dcopilot4j.cli.version=" + System.getProperty("copilot4j.cli.version", "1.0.102"),
                    main.getName()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.redirectErrorStream(true);
            return new Child(pb.start());
        }

        void await(String marker) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(500, TimeUnit.MILLISECONDS);
                if (marker.equals(line)) {
                    return;
                }
                if (line == null && !process.isAlive()) {
                    break;
                }
            }
            synchronized (all) {
                throw new AssertionError(
                        "the other JVM never printed " + marker + "; its output:\n" + String.join("\n", all));
            }
        }

        String output() {
            synchronized (all) {
                return String.join("\n", all);
            }
        }

        void send(String line) throws Exception {
            stdin.write(line + "\n");
            stdin.flush();
        }

        void kill() throws InterruptedException {
            if (process.isAlive()) {
                List<ProcessHandle> tree = process.descendants().toList();
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                tree.forEach(ProcessHandle::destroyForcibly);
            }
        }
    }
}
