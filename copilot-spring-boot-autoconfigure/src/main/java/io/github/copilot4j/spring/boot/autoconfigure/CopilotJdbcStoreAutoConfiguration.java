package io.github.copilot4j.spring.boot.autoconfigure;

import io.github.copilot4j.spi.SessionStateStore;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import io.github.copilot4j.store.jdbc.state.JdbcSessionStateStore;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;

/**
 * The session store on the application's own {@link DataSource} (a {@link JdbcSessionStore}: its
 * tables in the DataSource's schema), and in session filesystem mode the session state store on
 * it too. With {@code copilot.store.migrate=false} the store leaves the schema to Flyway or
 * Liquibase: point them at the SQL shipped in copilot-store-jdbc ({@code
 * classpath:io/github/copilot4j/store/jdbc/migrations/postgres} or {@code .../h2}); the store
 * is created after them.
 */
@AutoConfiguration(
        before = CopilotAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
            "org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration"
        })
@ConditionalOnClass({JdbcSessionStore.class, DataSource.class})
@ConditionalOnBean(DataSource.class)
@ConditionalOnBooleanProperty(name = "copilot.enabled", matchIfMissing = true)
@ConditionalOnExpression("'${copilot.store.type:auto}'.toLowerCase() != 'memory'")
@EnableConfigurationProperties(CopilotProperties.class)
public class CopilotJdbcStoreAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(SessionStore.class)
    @DependsOnDatabaseInitialization
    public JdbcSessionStore copilotSessionStore(DataSource dataSource, CopilotProperties props) {
        return JdbcSessionStore.builder()
                .dataSource(dataSource)
                .migrate(props.getStore().isMigrate())
                .build();
    }

    @Bean
    @ConditionalOnMissingBean(SessionStateStore.class)
    @ConditionalOnBooleanProperty(name = "copilot.session-fs.enabled")
    @DependsOnDatabaseInitialization
    public JdbcSessionStateStore copilotSessionStateStore(DataSource dataSource, CopilotProperties props) {
        return JdbcSessionStateStore.builder()
                .dataSource(dataSource)
                .migrate(props.getStore().isMigrate())
                .build();
    }
}
