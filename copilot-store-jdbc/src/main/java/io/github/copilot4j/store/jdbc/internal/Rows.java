package io.github.copilot4j.store.jdbc.internal;

import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStatus;
import io.github.copilot4j.spi.SessionStoreException;
import io.github.copilot4j.spi.StoredEvent;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.mapper.RowMapper;

/** Column lists, row mappers and timestamp arguments shared by the store's statements. */
public final class Rows {

    public static final String SESSION_COLUMNS =
            "id, owner, model, summary, created_at, updated_at, last_activity_at, expires_at, status, version, config";

    public static final String EVENT_COLUMNS = "session_id, seq, event_id, type, ts, parent_id, agent_id, data";

    private Rows() {}

    /**
     * An {@code Instant} bound as {@code TIMESTAMP WITH TIME ZONE} in UTC (JDBC 4.2 {@code
     * OffsetDateTime}), so the JVM's default time zone never shifts a value.
     */
    public static Argument timestamp(Instant i) {
        if (i == null) {
            return (position, statement, ctx) -> statement.setNull(position, Types.TIMESTAMP_WITH_TIMEZONE);
        }
        OffsetDateTime odt = OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
        return (position, statement, ctx) -> statement.setObject(position, odt);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime odt = rs.getObject(column, OffsetDateTime.class);
        return odt == null ? null : odt.toInstant();
    }

    public static final RowMapper<SessionRecord> SESSION = (rs, ctx) -> {
        String id = rs.getString("id");
        String status = rs.getString("status");
        SessionStatus st;
        try {
            st = SessionStatus.valueOf(status);
        } catch (IllegalArgumentException e) {
            throw new SessionStoreException(
                    "Session '" + id + "' has status '" + status
                            + "', which this copilot4j does not know; upgrade copilot4j",
                    e);
        }
        return new SessionRecord(
                id,
                rs.getString("owner"),
                rs.getString("model"),
                rs.getString("summary"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                instant(rs, "last_activity_at"),
                instant(rs, "expires_at"),
                st,
                rs.getLong("version"),
                ConfigCodec.fromJson(id, rs.getString("config")));
    };

    public static final RowMapper<StoredEvent> EVENT = (rs, ctx) -> new StoredEvent(
            rs.getString("session_id"),
            rs.getLong("seq"),
            rs.getString("event_id"),
            rs.getString("type"),
            instant(rs, "ts"),
            rs.getString("parent_id"),
            rs.getString("agent_id"),
            rs.getString("data"));
}
