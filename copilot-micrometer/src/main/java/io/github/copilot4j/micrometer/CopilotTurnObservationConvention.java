package io.github.copilot4j.micrometer;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import java.util.Locale;

/**
 * Names and tags a turn's observation. The default: name {@value CopilotMetrics#TURN}, low
 * cardinality tags {@code model}, {@code outcome} ({@code success}, {@code aborted}, {@code error},
 * {@code closed}, {@code disconnected}; {@code unknown} while running) and {@code transport};
 * no high cardinality tags (the session id and owner stay in the {@link CopilotTurnContext}).
 * Implement it to add your own tags ({@link CopilotMetrics.Builder#turnConvention}).
 */
public interface CopilotTurnObservationConvention extends ObservationConvention<CopilotTurnContext> {

    /** The default convention. */
    CopilotTurnObservationConvention DEFAULT = new CopilotTurnObservationConvention() {};

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof CopilotTurnContext;
    }

    @Override
    default String getName() {
        return CopilotMetrics.TURN;
    }

    @Override
    default String getContextualName(CopilotTurnContext context) {
        return "copilot turn";
    }

    @Override
    default KeyValues getLowCardinalityKeyValues(CopilotTurnContext context) {
        return KeyValues.of(
                "model", context.model(),
                "outcome",
                        context.outcome() == null
                                ? "unknown"
                                : context.outcome().name().toLowerCase(Locale.ROOT),
                "transport", context.transport());
    }
}
