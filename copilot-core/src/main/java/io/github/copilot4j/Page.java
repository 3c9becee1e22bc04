package io.github.copilot4j;

import java.util.List;
import java.util.Optional;

/**
 * One page of results. {@code nextCursor} is present when more may follow; pass it to the next
 * query's {@code after} to continue.
 */
public record Page<T>(List<T> items, Optional<String> nextCursor) {
    /** Copies the items; a null cursor becomes empty. */
    public Page {
        items = List.copyOf(items);
        nextCursor = nextCursor == null ? Optional.empty() : nextCursor;
    }

    /** A page with these items and no page after it. */
    public static <T> Page<T> last(List<T> items) {
        return new Page<>(items, Optional.empty());
    }

    /** True if there is a page after this one. */
    public boolean hasMore() {
        return nextCursor.isPresent();
    }
}
