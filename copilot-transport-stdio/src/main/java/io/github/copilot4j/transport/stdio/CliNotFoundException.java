package io.github.copilot4j.transport.stdio;

import java.io.IOException;
import java.util.List;

/**
 * The Copilot CLI executable could not be found or used: an explicitly given path (builder or
 * {@code COPILOT_CLI_PATH}) that does not exist or is not executable, or nothing found by {@link
 * CliLocator}. The message lists every place that was tried and how to install the CLI.
 */
public final class CliNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    private final List<String> tried;

    /** Creates the exception with its message and the places tried. */
    public CliNotFoundException(String message, List<String> tried) {
        super(message);
        this.tried = List.copyOf(tried);
    }

    /** One entry per place that was looked at, in order, each saying what was found there. */
    public List<String> tried() {
        return tried;
    }
}
