-- copilot4j JDBC session store: schema version 3 for H2 2.x (session claims: one driver per
-- session). Applied by JdbcSessionStore (or JdbcSessionStateStore) at start with migrate(true),
-- the default, and recorded in copilot4j_schema_version; or by your own migration tool.
-- Every statement is idempotent (IF NOT EXISTS), so a second run is harmless.
-- No foreign key to copilot4j_sessions: a client claims an id before it creates the session.

-- Who drives a session; token = fencing token (from the sequence, never reused), checked by
-- every append of the session.
CREATE TABLE IF NOT EXISTS copilot4j_session_claims (
    session_id  VARCHAR(256) NOT NULL,
    holder      VARCHAR(256) NOT NULL,
    token       BIGINT NOT NULL,
    acquired_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    expires_at  TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    CONSTRAINT copilot4j_session_claims_pk PRIMARY KEY (session_id)
);

CREATE SEQUENCE IF NOT EXISTS copilot4j_session_claim_tokens START WITH 1;
