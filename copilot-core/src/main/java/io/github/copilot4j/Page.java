package io.github.copilot4j;

import java.util.List;
import java.util.Optional;

/**
 * One page of results. {@code nextCursor} is present when more may follow; pass it to the next
 * query's {@code after} to continue.
 */
public record Page<T>(List<T> items, Optional<String> nextCursor) {
    public Page {
        items = List.copyOf(items);
        nextCursor = nextCursor == null ? Optional.empty() : nextCursor;
    }

    public static <T> Page<T> last(List<T> items) {
        return new Page<>(items, Optional.empty());
    }

    public boolean hasMore() {
        return nextCursor.isPresent();
    }
}
