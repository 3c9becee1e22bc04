package io.github.copilot4j.store.jdbc;

import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.testing.store.SessionStoreContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The store contract on an H2 file database (AUTO_SERVER mode), a fresh directory per test. */
class H2FileContractTest extends SessionStoreContract {

    private Path dir;

    @Override
    protected SessionStore newStore() throws IOException {
        dir = Files.createTempDirectory("c4j-h2-contract");
        return JdbcSessionStore.h2(dir.resolve("db"));
    }

    @Override
    protected SessionStore newStoreOnSameData(SessionStore first) {
        return JdbcSessionStore.h2(dir.resolve("db"));
    }

    @Override
    protected void cleanup(SessionStore store) throws IOException {
        store.close();
        deleteTree(dir);
    }

    static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
