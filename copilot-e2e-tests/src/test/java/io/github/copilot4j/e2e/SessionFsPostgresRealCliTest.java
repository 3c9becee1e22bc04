package io.github.copilot4j.e2e;

import io.github.copilot4j.testing.db.TestPostgres;
import javax.sql.DataSource;

/**
 * The session filesystem end to end with the state in PostgreSQL, in a schema of its own (see
 * {@link TestPostgres}: skipped loudly without a server, a failure in CI).
 */
class SessionFsPostgresRealCliTest extends SessionFsRealCliContract {
    private TestPostgres.TestSchema schema;

    @Override
    DataSource openDatabase() {
        schema = TestPostgres.newSchema();
        return schema.dataSource();
    }

    @Override
    void dropDatabase() {
        if (schema != null) {
            schema.close();
        }
    }
}
