package io.github.copilot4j.devruntime.fakeapi;

import java.util.List;

/**
 * What a scripted tool call's follow-up sees: the results of the calls the fake asked for, and the
 * model request that carried them.
 *
 * @param results one per scripted call, in call order
 * @param request the follow-up model request
 */
public record ToolResults(List<ToolResult> results, ChatRequest request) {

    /** Copies the results. */
    public ToolResults {
        results = List.copyOf(results);
    }

    /** The content of the first (usually only) result. */
    public String content() {
        return results.isEmpty() ? "" : results.get(0).content();
    }
}
