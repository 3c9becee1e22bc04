package io.github.copilot4j.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The second JVM of {@link TwoProcessTest}. Talks to the parent over stdin/stdout, one line each:
 * prints {@code READY} once its own sessions exist, waits for {@code GO}, appends its events and
 * the shared "common" ids to the shared session while the parent does the same, deletes the
 * parent's sessions, prints {@code STORED <n>}, {@code DELETED <n>} and {@code DONE}, and exits 0.
 * Any failure prints a stack trace to stderr and exits 1; a closed stdin exits 2.
 *
 * <p>Arguments: {@code h2 <dir>} or {@code pg} (URL and credentials from env {@code
 * C4J_CHILD_PG_URL}, {@code C4J_CHILD_PG_USER}, {@code C4J_CHILD_PG_PASSWORD}), then the number
 * of own events and of common events.
 */
public final class TwoProcessChild {

    static final String SHARED = "shared";
    static final int BATCH = 4;

    private TwoProcessChild() {}

    public static void main(String[] args) {
        try {
            int a = 0;
            String mode = args[a++];
            HikariDataSource pool = null;
            SessionStore store;
            if (mode.equals("h2")) {
                store = JdbcSessionStore.h2(Path.of(args[a++]));
            } else {
                HikariConfig cfg = new HikariConfig();
                cfg.setJdbcUrl(System.getenv("C4J_CHILD_PG_URL"));
                cfg.setUsername(System.getenv("C4J_CHILD_PG_USER"));
                cfg.setPassword(System.getenv("C4J_CHILD_PG_PASSWORD"));
                cfg.setMaximumPoolSize(4);
                pool = new HikariDataSource(cfg);
                store = JdbcSessionStore.builder().dataSource(pool).build();
            }
            int own = Integer.parseInt(args[a++]);
            int common = Integer.parseInt(args[a]);
            try (store) {
                for (int i = 0; i < 5; i++) {
                    store.create(SessionRecord.newSession("child-" + i, "child", "m", Instant.now()));
                }
                System.out.println("READY");
                System.out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line = in.readLine();
                if (!"GO".equals(line)) {
                    System.err.println("expected GO from the parent, got " + line);
                    System.exit(2);
                }
                int stored = appendShare(store, "child", own, common);
                int deleted = deleteAll(store, "parent");
                System.out.println("STORED " + stored);
                System.out.println("DELETED " + deleted);
                System.out.println("DONE");
                System.out.flush();
            } finally {
                if (pool != null) {
                    pool.close();
                }
            }
            System.exit(0);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
    }

    /**
     * Appends {@code own} events named after {@code who} in batches, interleaved with the {@code
     * common} ids both processes append; returns how many the store reported as newly stored.
     */
    static int appendShare(SessionStore store, String who, int own, int common) {
        int stored = 0;
        int c = 0;
        for (int i = 0; i < own; i += BATCH) {
            List<NewEvent> batch = new ArrayList<>();
            for (int j = i; j < Math.min(own, i + BATCH); j++) {
                batch.add(new NewEvent(
                        who + "-e" + j,
                        "assistant.message",
                        Instant.now(),
                        null,
                        null,
                        "{\"from\":\"" + who + "\",\"n\":" + j + "}"));
            }
            if (c < common) {
                batch.add(new NewEvent("common-" + c, "session.info", Instant.now(), null, null, "{}"));
                c++;
            }
            stored += store.append(SHARED, batch).size();
        }
        for (; c < common; c++) {
            stored += store.append(
                            SHARED,
                            List.of(new NewEvent("common-" + c, "session.info", Instant.now(), null, null, "{}")))
                    .size();
        }
        return stored;
    }

    /** Deletes every session of {@code owner}; returns how many this process deleted. */
    static int deleteAll(SessionStore store, String owner) {
        int deleted = 0;
        for (SessionRecord r : store.list(SessionQuery.byOwner(owner)).items()) {
            if (store.delete(r.sessionId())) {
                deleted++;
            }
        }
        return deleted;
    }
}
