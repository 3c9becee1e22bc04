package io.github.copilot4j.devruntime.fakeapi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns model-request message content into plain text and removes the blocks the CLI injects
 * around a prompt ({@code <current_datetime>...</current_datetime>}, {@code <reminder>...</reminder>},
 * ...). Internal.
 */
public final class InjectedText {

    /** An XML-ish element with a matching closing tag, across lines, shortest match. */
    private static final Pattern TAG_BLOCK = Pattern.compile("<([A-Za-z_][\\w-]*)[^>]*>.*?</\\1>", Pattern.DOTALL);

    private InjectedText() {}

    /** Removes injected tag blocks and trims; "" when nothing else remains. */
    public static String strip(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        return TAG_BLOCK.matcher(text).replaceAll("").strip();
    }

    /** Content as text: a string, or the {@code text} of each part of an array, joined with newlines. */
    public static String textOf(JsonNode content) {
        if (content == null || content.isNull() || content.isMissingNode()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            List<String> parts = new ArrayList<>();
            for (JsonNode p : content) {
                if (p.isTextual()) {
                    parts.add(p.asText());
                } else if (p.path("text").isTextual()) {
                    parts.add(p.path("text").asText());
                }
            }
            return String.join("\n", parts);
        }
        return content.toString();
    }
}
