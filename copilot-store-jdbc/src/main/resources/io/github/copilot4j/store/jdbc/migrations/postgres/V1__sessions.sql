-- copilot4j JDBC session store: schema version 1 for PostgreSQL 12+.
-- Applied by JdbcSessionStore at start (migrate(true), the default), which records it in
-- copilot4j_schema_version; or by your own migration tool when you build the store with
-- migrate(false). Every statement is idempotent (IF NOT EXISTS), so a second run is harmless.
-- Ids and owners use the "C" collation: exact, code-point comparison and ordering, whatever the
-- database's default collation is, so keyset cursors and owner filters never depend on a locale.
-- Event data is json (kept exactly as the runtime sent it); config is jsonb.

CREATE TABLE IF NOT EXISTS copilot4j_sessions (
    id               VARCHAR(256) COLLATE "C" NOT NULL,
    owner            VARCHAR(256) COLLATE "C",
    model            TEXT,
    summary          TEXT,
    created_at       TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    last_activity_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    expires_at       TIMESTAMP(3) WITH TIME ZONE,
    status           VARCHAR(32) NOT NULL,
    version          BIGINT NOT NULL,
    last_seq         BIGINT DEFAULT 0 NOT NULL,
    config           JSONB NOT NULL,
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
    session_id VARCHAR(256) COLLATE "C" NOT NULL,
    seq        BIGINT NOT NULL,
    event_id   VARCHAR(256) COLLATE "C" NOT NULL,
    type       TEXT NOT NULL,
    ts         TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    parent_id  TEXT,
    agent_id   TEXT,
    data       JSON NOT NULL,
    CONSTRAINT copilot4j_events_pk PRIMARY KEY (session_id, seq),
    CONSTRAINT copilot4j_events_event_id_uq UNIQUE (session_id, event_id),
    CONSTRAINT copilot4j_events_session_fk FOREIGN KEY (session_id)
        REFERENCES copilot4j_sessions (id) ON DELETE CASCADE
);
