package io.github.copilot4j.spi;

/**
 * The path rules of {@link SessionStateStore}: absolute POSIX paths, normalized ({@code "/"},
 * {@code "/a"}, {@code "/a/b.txt"}; no trailing slash, no empty, {@code .} or {@code ..}
 * segments), at most {@value #MAX_LENGTH} characters, no NUL. Helpers for store implementations.
 */
public final class StatePaths {
    /** Longest path a store must accept. */
    public static final int MAX_LENGTH = 1024;

    /** The root directory, which always exists. */
    public static final String ROOT = "/";

    private StatePaths() {}

    /**
     * Normalizes an absolute POSIX path the way {@code posixpath.normpath} does: collapses
     * repeated slashes, drops {@code .} segments, resolves {@code ..} (never above the root),
     * drops a trailing slash.
     *
     * @throws IllegalArgumentException if the path is null, relative, too long or contains NUL
     */
    public static String normalize(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("a state path must be absolute (start with '/'), was: " + path);
        }
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a state path must not contain NUL");
        }
        StringBuilder out = new StringBuilder(path.length());
        for (String seg : path.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                int cut = out.lastIndexOf("/");
                out.setLength(Math.max(cut, 0));
                continue;
            }
            out.append('/').append(seg);
        }
        String n = out.length() == 0 ? ROOT : out.toString();
        if (n.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "a state path must be at most " + MAX_LENGTH + " characters, was " + n.length());
        }
        return n;
    }

    /**
     * Returns {@code path} if it is already normalized.
     *
     * @throws IllegalArgumentException otherwise (stores call this on every path they get)
     */
    public static String requireNormalized(String path) {
        String n = normalize(path);
        if (!n.equals(path)) {
            throw new IllegalArgumentException("state path '" + path + "' is not normalized (expected '" + n + "')");
        }
        return path;
    }

    /** The parent directory; null for the root. */
    public static String parent(String path) {
        if (ROOT.equals(path)) {
            return null;
        }
        int i = path.lastIndexOf('/');
        return i == 0 ? ROOT : path.substring(0, i);
    }

    /** The last segment; empty for the root. */
    public static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** True if {@code path} is {@code dir} or lies below it (both normalized). */
    public static boolean isWithin(String path, String dir) {
        return ROOT.equals(dir) || path.equals(dir) || path.startsWith(dir + "/");
    }

    /** {@code path} with its {@code from} prefix (a directory it lies within) replaced by {@code to}. */
    public static String rebase(String path, String from, String to) {
        if (path.equals(from)) {
            return to;
        }
        String rest = ROOT.equals(from) ? path : path.substring(from.length());
        return ROOT.equals(to) ? rest : to + rest;
    }
}
