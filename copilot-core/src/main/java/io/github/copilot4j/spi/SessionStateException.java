package io.github.copilot4j.spi;

import io.github.copilot4j.CopilotException;

/**
 * A file operation of a {@link SessionStateStore} failed the way a POSIX file system would fail
 * it (a missing file, a directory where a file was expected...). Carries the errno-style {@link
 * Code}; the client reports it to the runtime in-band ({@code ENOENT} as itself, everything else as
 * {@code UNKNOWN}, as Node's file system adapters do).
 *
 * <p>Failures of the store itself (a database outage) are not this exception but a {@link
 * SessionStoreException}; a write refused because of a stale lease is a {@link
 * SessionLeaseException.Stale}.
 */
public class SessionStateException extends CopilotException {
    private static final long serialVersionUID = 1L;

    /** The errno-style reason, as in Node's {@code fs} errors. */
    public enum Code {
        /** No such file or directory. */
        ENOENT("no such file or directory"),
        /** The path exists already. */
        EEXIST("file already exists"),
        /** A directory where a file was needed. */
        EISDIR("illegal operation on a directory"),
        /** A file where a directory was needed. */
        ENOTDIR("not a directory"),
        /** A directory that had to be empty is not. */
        ENOTEMPTY("directory not empty"),
        /** An invalid request, e.g. moving a directory into itself. */
        EINVAL("invalid argument");

        private final String description;

        Code(String description) {
            this.description = description;
        }

        /** Node's wording, e.g. "no such file or directory". */
        public String description() {
            return description;
        }

        /** The code the runtime's {@code sessionFs} protocol knows: {@code ENOENT} or {@code UNKNOWN}. */
        public String wireCode() {
            return this == ENOENT ? "ENOENT" : "UNKNOWN";
        }
    }

    private final Code code;
    private final String path;

    /**
     * @param code the reason
     * @param operation what was tried, in Node's words ({@code open}, {@code mkdir}, {@code scandir}, {@code rename}...)
     * @param path the path concerned, as the store knows it
     */
    public SessionStateException(Code code, String operation, String path) {
        super(code.name() + ": " + code.description() + ", " + operation + " '" + path + "'");
        this.code = code;
        this.path = path;
    }

    /** The error code, as Node names it (e.g. {@code ENOENT}). */
    public Code code() {
        return code;
    }

    /** The path concerned, as the store knows it. */
    public String path() {
        return path;
    }
}
