package io.github.copilot4j;

import java.time.Instant;
import java.util.Optional;

/**
 * A filter and page request for listing stored sessions, most recent activity first.
 *
 * @param owner only sessions of this owner (null: all owners)
 * @param activeSince only sessions whose last activity is at or after this instant (null: any)
 * @param limit page size, 1..1000
 * @param after the {@code nextCursor} of the previous page, or null for the first page
 */
public record SessionQuery(String owner, Instant activeSince, int limit, String after) {

    /** The largest page size. */
    public static final int MAX_LIMIT = 1000;
    /** The page size when none is given. */
    public static final int DEFAULT_LIMIT = 50;

    /** Checks the page size. */
    public SessionQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
    }

    /** First page of all sessions, {@value #DEFAULT_LIMIT} per page. */
    public static SessionQuery all() {
        return new SessionQuery(null, null, DEFAULT_LIMIT, null);
    }

    /** First page of one owner's sessions. */
    public static SessionQuery byOwner(String owner) {
        if (owner == null) {
            throw new IllegalArgumentException("owner must not be null (use SessionQuery.all())");
        }
        return new SessionQuery(owner, null, DEFAULT_LIMIT, null);
    }

    /** The same query with another page size. */
    public SessionQuery withLimit(int newLimit) {
        return new SessionQuery(owner, activeSince, newLimit, after);
    }

    /** The same query, only sessions active at or after {@code since}. */
    public SessionQuery withActiveSince(Instant since) {
        return new SessionQuery(owner, since, limit, after);
    }

    /** The query for the page after {@code page}, or empty if it was the last. */
    public Optional<SessionQuery> next(Page<?> page) {
        return page.nextCursor().map(c -> new SessionQuery(owner, activeSince, limit, c));
    }

    /** The same query, starting after this cursor (a previous page's {@code nextCursor}). */
    public SessionQuery after(String cursor) {
        return new SessionQuery(owner, activeSince, limit, cursor);
    }
}
