/**
 * The JDBC session store and session-state store on JDBI, with versioned migrations.
 *
 * <p>The H2 and PostgreSQL drivers are optional: on the module path, add the one you use
 * ({@code requires com.h2database;} in your module, or {@code --add-modules com.h2database}); the
 * PostgreSQL driver is found through {@code java.sql.DriverManager} or your {@code DataSource}.
 * JDBI ({@code org.jdbi.v3.core}) is an automatic module that does not declare its own dependency
 * on {@code io.leangen.geantyref}; add that module too ({@code --add-modules io.leangen.geantyref}).
 */
@SuppressWarnings("requires-automatic") // JDBI and H2 have Automatic-Module-Name, no descriptor
module io.github.copilot4j.store.jdbc {
    requires transitive io.github.copilot4j.core;
    requires transitive java.sql;
    requires org.jdbi.v3.core;
    requires org.slf4j;
    requires static com.h2database;

    exports io.github.copilot4j.store.jdbc;
    exports io.github.copilot4j.store.jdbc.state;
}
