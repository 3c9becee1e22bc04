package io.github.copilot4j.store.jdbc;

import io.github.copilot4j.spi.SessionRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The fresh JVM of {@link H2FileSecurityTest}: opens {@code JdbcSessionStore.h2(dir)} (so it
 * serves the file in AUTO_SERVER mode), records a session, prints {@code READY}, and keeps the
 * store open until its stdin ends. Args: the directory.
 */
public final class H2ServeChild {
    public static void main(String[] args) throws Exception {
        try (JdbcSessionStore store = JdbcSessionStore.h2(Path.of(args[0]))) {
            store.create(SessionRecord.newSession("from-child", "child", "m", Instant.parse("2024-01-01T00:00:00Z")));
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                // wait for the parent to close stdin
            }
        }
    }

    private H2ServeChild() {}
}
