package io.github.copilot4j.internal;

/** Argument checks shared by the public API. Messages name the argument and the rule. */
public final class Validation {
    private Validation() {}

    /** Non-null, non-blank, at most {@code max} chars, no control characters. */
    public static String requireText(String name, String value, int max) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return checkText(name, value, max);
    }

    /** Null allowed; otherwise as {@link #requireText}. */
    public static String optionalText(String name, String value, int max) {
        return value == null ? null : requireText(name, value, max);
    }

    private static String checkText(String name, String value, int max) {
        if (value.length() > max) {
            throw new IllegalArgumentException(name + " must be at most " + max + " characters, was " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException(name + " must not contain control characters (found U+"
                        + String.format("%04X", (int) c) + " at index " + i + ")");
            }
        }
        return requireUnicode(name, value);
    }

    /**
     * Refuses unpaired UTF-16 surrogates: such a string is not Unicode text, cannot be encoded as
     * UTF-8, and stores would keep it differently (or refuse it). Null passes.
     */
    public static String requireUnicode(String name, String value) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(name + " is not valid Unicode text: unpaired surrogate U+"
                        + String.format("%04X", (int) c) + " at index " + i);
            }
        }
        return value;
    }

    public static <T> T requireNonNull(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return value;
    }
}
