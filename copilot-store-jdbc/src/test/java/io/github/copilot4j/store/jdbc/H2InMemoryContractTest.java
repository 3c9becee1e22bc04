package io.github.copilot4j.store.jdbc;

import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.testing.store.SessionStoreContract;
import java.util.concurrent.atomic.AtomicInteger;

/** The store contract on an H2 in-memory database, a fresh one per test. */
class H2InMemoryContractTest extends SessionStoreContract {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private String name;

    @Override
    protected SessionStore newStore() {
        name = "contract-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        return JdbcSessionStore.h2InMemory(name);
    }

    @Override
    protected SessionStore newStoreOnSameData(SessionStore first) {
        return JdbcSessionStore.h2InMemory(name);
    }
}
