package io.github.copilot4j.store.jdbc.state;

import io.github.copilot4j.spi.SessionStateStore;
import io.github.copilot4j.testing.state.SessionStateStoreContract;

/** The state store contract on H2 (in-memory, a fresh database per test). */
class H2StateStoreContractTest extends SessionStateStoreContract {
    private StateTestDatabases.Db db;

    @Override
    protected SessionStateStore newStore() {
        db = StateTestDatabases.h2();
        return JdbcSessionStateStore.builder().dataSource(db.dataSource()).build();
    }

    @Override
    protected void expireLease(SessionStateStore store, String sessionId) {
        StateTestDatabases.expire(db.dataSource(), sessionId);
    }

    @Override
    protected void cleanup(SessionStateStore s) {
        s.close();
        db.close();
    }
}
