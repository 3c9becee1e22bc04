package io.github.copilot4j.spi;

import java.util.Objects;

/**
 * One entry of a directory listing.
 *
 * @param name the entry's name (no slash)
 * @param directory true for a directory, false for a file
 */
public record StateDirEntry(String name, boolean directory) {
    /** Checks the name. */
    public StateDirEntry {
        Objects.requireNonNull(name, "name");
    }
}
