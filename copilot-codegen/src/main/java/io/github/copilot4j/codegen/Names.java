package io.github.copilot4j.codegen;

import java.util.Locale;
import java.util.Set;

/** Java identifiers from schema names. Pure functions. */
final class Names {
    private static final Set<String> KEYWORDS = Set.of(
            "abstract",
            "assert",
            "boolean",
            "break",
            "byte",
            "case",
            "catch",
            "char",
            "class",
            "const",
            "continue",
            "default",
            "do",
            "double",
            "else",
            "enum",
            "extends",
            "final",
            "finally",
            "float",
            "for",
            "goto",
            "if",
            "implements",
            "import",
            "instanceof",
            "int",
            "interface",
            "long",
            "native",
            "new",
            "package",
            "private",
            "protected",
            "public",
            "return",
            "short",
            "static",
            "strictfp",
            "super",
            "switch",
            "synchronized",
            "this",
            "throw",
            "throws",
            "transient",
            "try",
            "void",
            "volatile",
            "while",
            "true",
            "false",
            "null",
            "var",
            "record",
            "yield",
            "sealed",
            "permits",
            "_");
    /** Names a record component cannot have (they clash with Object's or Record's methods). */
    private static final Set<String> RESERVED_MEMBERS =
            Set.of("hashCode", "toString", "getClass", "notify", "notifyAll", "wait", "clone", "finalize", "equals");

    private Names() {}

    /** {@code origin-tracker} → {@code originTracker}; keywords get a {@code Value} suffix. */
    static String member(String raw) {
        String camel = camel(raw, false);
        if (KEYWORDS.contains(camel) || RESERVED_MEMBERS.contains(camel)) {
            return camel + "Value";
        }
        return camel;
    }

    /** {@code switch_to} / {@code switchTo} → {@code SwitchTo}. */
    static String type(String raw) {
        return camel(raw, true);
    }

    /** An enum constant: {@code gpt-5} → {@code GPT_5}, {@code inProgress} → {@code IN_PROGRESS}. */
    static String constant(String raw) {
        StringBuilder sb = new StringBuilder();
        char prev = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                if (Character.isUpperCase(c) && Character.isLowerCase(prev) && sb.length() > 0) {
                    sb.append('_');
                }
                sb.append(Character.toUpperCase(c));
            } else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '_') {
                sb.append('_');
            }
            prev = c;
        }
        while (sb.length() > 0 && sb.charAt(sb.length() - 1) == '_') {
            sb.setLength(sb.length() - 1);
        }
        String s = sb.toString();
        if (s.isEmpty()) {
            s = "EMPTY";
        }
        if (Character.isDigit(s.charAt(0))) {
            s = "V_" + s;
        }
        return s;
    }

    private static String camel(String raw, boolean upperFirst) {
        StringBuilder sb = new StringBuilder();
        boolean up = upperFirst;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (!Character.isLetterOrDigit(c)) {
                up = sb.length() > 0 || upperFirst;
                continue;
            }
            if (sb.length() == 0 && Character.isDigit(c)) {
                sb.append(upperFirst ? 'V' : 'v');
            }
            sb.append(up ? Character.toUpperCase(c) : sb.length() == 0 && !upperFirst ? Character.toLowerCase(c) : c);
            up = false;
        }
        if (sb.length() == 0) {
            return upperFirst ? "Empty" : "empty";
        }
        return sb.toString();
    }

    /**
     * Javadoc-safe text: no comment terminator, no stray format characters, and HTML's special
     * characters escaped (schema descriptions say things like {@code http.<url>.extraheader}, which
     * javadoc would read as an unknown tag).
     */
    static String doc(String text) {
        if (text == null) {
            return "";
        }
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("*/", "*&#47;")
                .replace("@", "{@literal @}")
                .replace("\\u", "\\\\u")
                .trim();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
