package io.github.copilot4j.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * What {@link SessionStateStore#stat} says about a path.
 *
 * @param directory true for a directory, false for a file
 * @param size a file's length in bytes of its UTF-8 content; 0 for a directory
 * @param modifiedAt last write, append or rename (milliseconds)
 * @param createdAt creation (milliseconds)
 */
public record StateFileStat(boolean directory, long size, Instant modifiedAt, Instant createdAt) {
    /** Checks the components. */
    public StateFileStat {
        Objects.requireNonNull(modifiedAt, "modifiedAt");
        Objects.requireNonNull(createdAt, "createdAt");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative");
        }
        modifiedAt = modifiedAt.truncatedTo(ChronoUnit.MILLIS);
        createdAt = createdAt.truncatedTo(ChronoUnit.MILLIS);
    }

    /** True for a file. */
    public boolean isFile() {
        return !directory;
    }

    /** True for a directory. */
    public boolean isDirectory() {
        return directory;
    }
}
