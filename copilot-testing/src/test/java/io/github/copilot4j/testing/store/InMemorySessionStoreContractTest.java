package io.github.copilot4j.testing.store;

import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.store.InMemorySessionStore;

/** The store contract, run against the in-memory store of copilot-core. */
class InMemorySessionStoreContractTest extends SessionStoreContract {

    @Override
    protected SessionStore newStore() {
        return new InMemorySessionStore();
    }
}
