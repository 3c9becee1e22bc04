package io.github.copilot4j.opentelemetry;

import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.spi.ClientObserver;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenTelemetry trace context for a {@link io.github.copilot4j.CopilotClient}: register it as an
 * observer ({@code CopilotClient.builder().observer(CopilotTracing.create(openTelemetry))}).
 *
 * <ul>
 *   <li>When the thread that sends a prompt has a current, valid span, its W3C {@code
 *       traceparent}/{@code tracestate} go with the prompt ({@code session.send}), so the runtime
 *       continues that trace.
 *   <li>Each tool handler of the client runs inside a span {@code execute_tool <name>} (kind
 *       INTERNAL, attributes {@code gen_ai.operation.name=execute_tool}, {@code gen_ai.tool.name}),
 *       current on the handler's thread: a child of the trace context the runtime sent with the
 *       request, else of the span that sent the session's last prompt. A handler that throws marks
 *       it ERROR.
 * </ul>
 *
 * <p>Threading: {@link #traceContext} runs on the sending thread, the tool span's start and end on
 * the handler's thread; both are non-blocking. Never records prompts, arguments or results.
 */
public final class CopilotTracing implements ClientObserver {
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        @SuppressWarnings(
                "deprecation") // deprecated in newer APIs, abstract in older ones (Spring Boot 4.0 manages 1.55)
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;
    /** The context that sent each session's last prompt (parent of tool spans the runtime sent no context for). */
    private final Map<CopilotSession, Context> lastSend = new ConcurrentHashMap<>();

    private CopilotTracing(OpenTelemetry otel) {
        this.tracer = otel.getTracer("io.github.copilot4j");
    }

    /** Uses {@code otel}'s tracer provider for tool spans; the W3C format for what is sent. */
    public static CopilotTracing create(OpenTelemetry otel) {
        return new CopilotTracing(Objects.requireNonNull(otel, "otel"));
    }

    @Override
    public Map<String, String> traceContext(CopilotSession session) {
        Context current = Context.current();
        if (!Span.fromContext(current).getSpanContext().isValid()) {
            return Map.of();
        }
        lastSend.put(session, current);
        Map<String, String> out = new LinkedHashMap<>();
        W3C.inject(current, out, (carrier, key, value) -> carrier.put(key, value));
        return out;
    }

    @Override
    public void turnEnded(CopilotSession session, TurnOutcome outcome, Throwable error) {
        if (outcome == TurnOutcome.CLOSED || outcome == TurnOutcome.DISCONNECTED) {
            lastSend.remove(session);
        }
    }

    @Override
    // The scope is closed by the returned ToolCallScope.end(), which runs on this same handler thread.
    @SuppressWarnings("MustBeClosedChecker")
    public ToolCallScope toolCallStarted(
            CopilotSession session, String toolName, String traceparent, String tracestate) {
        Context parent = null;
        if (traceparent != null) {
            Map<String, String> carrier = new LinkedHashMap<>();
            carrier.put("traceparent", traceparent);
            if (tracestate != null) {
                carrier.put("tracestate", tracestate);
            }
            Context extracted = W3C.extract(Context.root(), carrier, GETTER);
            if (Span.fromContext(extracted).getSpanContext().isValid()) {
                parent = extracted;
            }
        }
        if (parent == null) {
            parent = lastSend.getOrDefault(session, Context.current());
        }
        Span span = tracer.spanBuilder("execute_tool " + toolName)
                .setParent(parent)
                .setSpanKind(SpanKind.INTERNAL)
                .setAttribute("gen_ai.operation.name", "execute_tool")
                .setAttribute("gen_ai.tool.name", toolName)
                .startSpan();
        Scope scope = parent.with(span).makeCurrent();
        return error -> {
            try {
                if (error != null) {
                    span.recordException(error);
                    span.setStatus(StatusCode.ERROR, error.getClass().getSimpleName());
                }
            } finally {
                scope.close();
                span.end();
            }
        };
    }
}
