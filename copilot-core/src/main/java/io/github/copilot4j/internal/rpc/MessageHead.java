package io.github.copilot4j.internal.rpc;

/**
 * What a tolerant scan of a frame body's top level finds, for a message that could not be parsed
 * as JSON: whether it is an object, whether it has a top-level {@code "method"} member, and its
 * top-level {@code "id"} if that is an integer. The scan only looks at bytes (so invalid UTF-8
 * inside strings does not stop it), skips nested values with a depth counter instead of recursion
 * (so any nesting depth costs constant memory and no stack), and stops at the first thing it cannot
 * make sense of, keeping what it found so far. Stateless; used by the reader thread only.
 *
 * @param object the body starts with <code>&#123;</code> (after whitespace and an optional UTF-8 BOM)
 * @param hasMethod a top-level {@code "method"} member was seen (a request or notification)
 * @param id the last top-level {@code "id"} that is an integer, or null
 */
record MessageHead(boolean object, boolean hasMethod, Long id) {
    private static final MessageHead NOT_AN_OBJECT = new MessageHead(false, false, null);

    /** The id of a response to one of our requests, or null (a request/notification, or no usable id). */
    Long responseId() {
        return object && !hasMethod ? id : null;
    }

    static MessageHead scan(byte[] b) {
        int n = b.length;
        int i = 0;
        if (n >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF) {
            i = 3;
        }
        i = skipWhitespace(b, i);
        if (i >= n || b[i] != '{') {
            return NOT_AN_OBJECT;
        }
        i++;
        boolean hasMethod = false;
        Long id = null;
        while (true) {
            i = skipWhitespace(b, i);
            if (i >= n || b[i] == '}') {
                break;
            }
            if (b[i] == ',') {
                i++;
                continue;
            }
            if (b[i] != '"') {
                break;
            }
            int keyEnd = endOfString(b, i);
            if (keyEnd < 0) {
                break;
            }
            boolean isId = isKey(b, i, keyEnd, "id");
            boolean isMethod = isKey(b, i, keyEnd, "method");
            i = skipWhitespace(b, keyEnd);
            if (i >= n || b[i] != ':') {
                break;
            }
            i = skipWhitespace(b, i + 1);
            int valueEnd = endOfValue(b, i);
            if (isMethod) {
                hasMethod = true;
            }
            if (isId) {
                id = integer(b, i, valueEnd < 0 ? n : valueEnd);
            }
            if (valueEnd < 0) {
                break;
            }
            i = valueEnd;
        }
        return new MessageHead(true, hasMethod, id);
    }

    private static boolean isKey(byte[] b, int quote, int end, String key) {
        int len = end - quote - 2;
        if (len != key.length()) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if (b[quote + 1 + k] != key.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static int skipWhitespace(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) {
            i++;
        }
        return i;
    }

    /** Index after the closing quote of the string starting at {@code quote}, or -1 if it never closes. */
    private static int endOfString(byte[] b, int quote) {
        for (int i = quote + 1; i < b.length; i++) {
            if (b[i] == '\\') {
                i++;
            } else if (b[i] == '"') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Index after the value starting at {@code i} (any depth), or -1 if the body ends inside it. */
    private static int endOfValue(byte[] b, int i) {
        if (i >= b.length) {
            return -1;
        }
        byte c = b[i];
        if (c == '"') {
            return endOfString(b, i);
        }
        if (c == '{' || c == '[') {
            long depth = 0;
            for (int k = i; k < b.length; k++) {
                byte x = b[k];
                if (x == '"') {
                    k = endOfString(b, k);
                    if (k < 0) {
                        return -1;
                    }
                    k--;
                } else if (x == '{' || x == '[') {
                    depth++;
                } else if (x == '}' || x == ']') {
                    if (--depth == 0) {
                        return k + 1;
                    }
                }
            }
            return -1;
        }
        int k = i;
        while (k < b.length
                && b[k] != ','
                && b[k] != '}'
                && b[k] != ']'
                && b[k] != ' '
                && b[k] != '\t'
                && b[k] != '\r'
                && b[k] != '\n') {
            k++;
        }
        return k;
    }

    /** The integer in b[from, to), or null if it is not a plain integer that fits a long. */
    private static Long integer(byte[] b, int from, int to) {
        int len = to - from;
        if (len <= 0 || len > 20) {
            return null;
        }
        for (int k = from; k < to; k++) {
            byte x = b[k];
            if (!(x >= '0' && x <= '9') && !(x == '-' && k == from)) {
                return null;
            }
        }
        try {
            return Long.parseLong(new String(b, from, len, java.nio.charset.StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
