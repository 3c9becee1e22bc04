package io.github.copilot4j.store.jdbc.state;

import io.github.copilot4j.spi.SessionStateStore;
import io.github.copilot4j.testing.state.SessionStateStoreContract;

/** The state store contract on PostgreSQL (a fresh schema per test). */
class PostgresStateStoreContractTest extends SessionStateStoreContract {
    private StateTestDatabases.Db db;

    @Override
    protected SessionStateStore newStore() {
        db = StateTestDatabases.postgres();
        return JdbcSessionStateStore.builder().dataSource(db.dataSource()).build();
    }

    @Override
    protected void expireLease(SessionStateStore store, String sessionId) {
        StateTestDatabases.expire(db.dataSource(), sessionId);
    }

    @Override
    protected void cleanup(SessionStateStore s) {
        s.close();
        if (db != null) {
            db.close();
        }
    }
}
