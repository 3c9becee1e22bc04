/**
 * The copilot4j test kit, for users' tests: the JUnit 5 {@code CopilotExtension}, the in-memory
 * transport and scriptable fake runtime, thread and process leak checks, the {@code SessionStore}
 * and {@code SessionStateStore} contract test kits, and a PostgreSQL finder for tests.
 *
 * <p>The contract kits' nested test classes are opened to JUnit, which runs their package-private
 * test methods. HikariCP (for {@code TestPostgres}) is optional.
 */
module io.github.copilot4j.testing {
    requires transitive io.github.copilot4j.core;
    requires transitive io.github.copilot4j.devruntime;
    requires transitive org.junit.jupiter.api;
    requires java.sql;
    requires static transitive com.zaxxer.hikari;

    exports io.github.copilot4j.testing;
    exports io.github.copilot4j.testing.db;
    exports io.github.copilot4j.testing.junit;
    exports io.github.copilot4j.testing.runtime;
    exports io.github.copilot4j.testing.state;
    exports io.github.copilot4j.testing.store;

    opens io.github.copilot4j.testing.state to
            org.junit.platform.commons;
    opens io.github.copilot4j.testing.store to
            org.junit.platform.commons;
}
