package io.github.copilot4j.store.jdbc;

import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.testing.db.TestPostgres;
import io.github.copilot4j.testing.store.SessionStoreContract;
import java.util.ArrayList;
import java.util.List;

/** The store contract on PostgreSQL, each test in its own schema. */
class PostgresContractTest extends SessionStoreContract {

    private TestPostgres.TestSchema schema;
    private final List<AutoCloseable> extra = new ArrayList<>();

    @Override
    protected SessionStore newStore() {
        schema = TestPostgres.newSchema();
        return JdbcSessionStore.builder().dataSource(schema.dataSource()).build();
    }

    @Override
    protected SessionStore newStoreOnSameData(SessionStore first) {
        // A second pool and store, as another process would have; it migrates too (a no-op now).
        var pool = schema.newPool();
        extra.add(pool);
        return JdbcSessionStore.builder()
                .dataSource(pool)
                .dialect(Dialect.POSTGRES)
                .build();
    }

    @Override
    protected void cleanup(SessionStore store) throws Exception {
        try {
            store.close();
            for (AutoCloseable c : extra) {
                c.close();
            }
        } finally {
            schema.close();
        }
    }
}
