-- copilot4j JDBC session store: schema version 1 for H2 2.x.
-- Applied by JdbcSessionStore at start (migrate(true), the default), which records it in
-- copilot4j_schema_version; or by your own migration tool when you build the store with
-- migrate(false). Every statement is idempotent (IF NOT EXISTS), so a second run is harmless.

CREATE TABLE IF NOT EXISTS copilot4j_sessions (
    id               VARCHAR(256) NOT NULL,
    owner            VARCHAR(256),
    model            CHARACTER VARYING,
    summary          CHARACTER VARYING,
    created_at       TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    last_activity_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    expires_at       TIMESTAMP(3) WITH TIME ZONE,
    status           VARCHAR(32) NOT NULL,
    version          BIGINT NOT NULL,
    last_seq         BIGINT DEFAULT 0 NOT NULL,
    config           CHARACTER LARGE OBJECT NOT NULL,
    CONSTRAINT copilot4j_sessions_pk PRIMARY KEY (id)
);

-- list by owner, newest activity first (keyset paging)
CREATE INDEX IF NOT EXISTS copilot4j_sessions_owner_activity
    ON copilot4j_sessions (owner, last_activity_at DESC, id DESC);

-- list all sessions, newest activity first (keyset paging)
CREATE INDEX IF NOT EXISTS copilot4j_sessions_activity
    ON copilot4j_sessions (last_activity_at DESC, id DESC);

-- deleteExpired
CREATE INDEX IF NOT EXISTS copilot4j_sessions_expires
    ON copilot4j_sessions (expires_at);

CREATE TABLE IF NOT EXISTS copilot4j_events (
    session_id VARCHAR(256) NOT NULL,
    seq        BIGINT NOT NULL,
    event_id   VARCHAR(256) NOT NULL,
    type       CHARACTER VARYING NOT NULL,
    ts         TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    parent_id  CHARACTER VARYING,
    agent_id   CHARACTER VARYING,
    data       CHARACTER LARGE OBJECT NOT NULL,
    CONSTRAINT copilot4j_events_pk PRIMARY KEY (session_id, seq),
    CONSTRAINT copilot4j_events_event_id_uq UNIQUE (session_id, event_id),
    CONSTRAINT copilot4j_events_session_fk FOREIGN KEY (session_id)
        REFERENCES copilot4j_sessions (id) ON DELETE CASCADE
);
