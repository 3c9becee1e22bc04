package io.github.copilot4j.transport.stdio;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Replaces known secret values (tokens) with {@code ***} in text that is about to be logged or put
 * into an exception message, e.g. a stderr line in which the CLI echoed its environment.
 *
 * <p>Immutable and thread-safe.
 */
final class Redactor {
    static final String MASK = "***";
    /** Shorter values are not masked: masking "1" or "ab" everywhere would garble text for nothing. */
    private static final int MIN_SECRET_LENGTH = 4;

    private final List<String> secrets;

    Redactor(Collection<String> secrets) {
        List<String> list = new ArrayList<>();
        for (String s : secrets) {
            if (s != null && s.length() >= MIN_SECRET_LENGTH && !list.contains(s)) {
                list.add(s);
            }
        }
        // Longest first, so a secret that contains another one is masked whole.
        list.sort(Comparator.comparingInt(String::length).reversed());
        this.secrets = List.copyOf(list);
    }

    String redact(String text) {
        Objects.requireNonNull(text, "text");
        String result = text;
        for (String secret : secrets) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        return result;
    }
}
