package io.github.copilot4j.micrometer;

import io.github.copilot4j.spi.ClientObserver.TurnOutcome;
import io.micrometer.observation.Observation;

/**
 * The context of one turn's {@link Observation} ({@value CopilotMetrics#TURN}): what the
 * convention turns into tags. The session id and owner are here for handlers that want them (e.g.
 * to log), but never become tags: they are high cardinality.
 *
 * <p>Threading: filled in on the thread that sent the prompt and on the session's delivery lane;
 * read by handlers at start and stop.
 */
public final class CopilotTurnContext extends Observation.Context {
    private final String sessionId;
    private final String owner;
    private final String transport;
    private volatile String model;
    private volatile TurnOutcome outcome;
    private volatile long inputTokens;
    private volatile long outputTokens;
    private volatile double cost;

    CopilotTurnContext(String sessionId, String owner, String model, String transport) {
        this.sessionId = sessionId;
        this.owner = owner;
        this.model = model;
        this.transport = transport;
    }

    /** The session's id (not a tag). */
    public String sessionId() {
        return sessionId;
    }

    /** The session's owner, or null (not a tag). */
    public String owner() {
        return owner;
    }

    /** The model: the session's configured one, else the one the runtime reported using, else {@code default}. */
    public String model() {
        return model;
    }

    void model(String m) {
        this.model = m;
    }

    /** The transport kind: {@code stdio}, {@code tcp}, {@code tcp-spawn}, ... */
    public String transport() {
        return transport;
    }

    /** How the turn ended; null while it runs. */
    public TurnOutcome outcome() {
        return outcome;
    }

    void outcome(TurnOutcome o) {
        this.outcome = o;
    }

    /** Input tokens the runtime reported for this turn ({@code assistant.usage}). */
    public long inputTokens() {
        return inputTokens;
    }

    /** Output tokens the runtime reported for this turn. */
    public long outputTokens() {
        return outputTokens;
    }

    /** Cost the runtime reported for this turn (0 if it did not). */
    public double cost() {
        return cost;
    }

    synchronized void addUsage(long in, long out, double c) {
        inputTokens += in;
        outputTokens += out;
        cost += c;
    }
}
