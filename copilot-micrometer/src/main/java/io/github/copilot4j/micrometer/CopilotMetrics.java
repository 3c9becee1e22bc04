package io.github.copilot4j.micrometer;

import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.CopilotTimeoutException;
import io.github.copilot4j.StoreFailure;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.spi.ClientObserver;
import io.github.copilot4j.spi.SessionLeaseException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer instrumentation of one {@link CopilotClient}: register it as the client's observer.
 *
 * <pre>{@code
 * CopilotMetrics metrics = CopilotMetrics.builder(meterRegistry).observationRegistry(observationRegistry).build();
 * CopilotClient client = CopilotClient.builder().transport(...).observer(metrics).build();
 * }</pre>
 *
 * <p>What it records (every meter also carries the {@link Builder#tags common tags}):
 *
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@value #TURN}</td><td>Observation (timer with the default meter handler)</td>
 *       <td>model, outcome, transport (+ error from the meter handler)</td><td>one per turn: send to idle</td></tr>
 *   <tr><td>{@value #RPC}</td><td>timer</td><td>method, outcome (success, error, timeout, closed), transport</td>
 *       <td>each request to the runtime</td></tr>
 *   <tr><td>{@value #TOKENS}</td><td>counter</td><td>type (input, output, cache_read, cache_write), model, transport</td>
 *       <td>tokens from the runtime's {@code assistant.usage} events</td></tr>
 *   <tr><td>{@value #COST}</td><td>counter</td><td>model, transport</td><td>cost from {@code assistant.usage}, when it reports one</td></tr>
 *   <tr><td>{@value #SESSIONS_OPEN}</td><td>gauge</td><td>transport</td><td>sessions open in the client</td></tr>
 *   <tr><td>{@value #UNSAVED_EVENTS}</td><td>gauge</td><td>transport</td><td>events not yet in the session store</td></tr>
 *   <tr><td>{@value #STORE_FAILURES}</td><td>counter</td><td>kind (save_events, update_record, events_lost, reconcile)</td>
 *       <td>store failures the client handled</td></tr>
 *   <tr><td>{@value #LEASE_REFUSALS}</td><td>counter</td><td>reason (held, stale, other)</td><td>session leases refused</td></tr>
 *   <tr><td>{@value #RECONNECTS}</td><td>counter</td><td>transport</td><td>{@code start()} after a lost connection</td></tr>
 *   <tr><td>{@value #DISCONNECTS}</td><td>counter</td><td>transport</td><td>connections lost while connected</td></tr>
 * </table>
 *
 * <p>No tag ever holds a session id, owner or prompt. One instance watches one client (the
 * transport tag is that client's); give each client its own, with a distinguishing common tag if
 * several share a registry.
 *
 * <p>Threading: called by the client on the threads {@link ClientObserver} names; every method is
 * non-blocking and thread-safe. A turn's observation is started on the thread that sends the
 * prompt (so the caller's current observation is its parent) and stopped on the session's
 * delivery lane.
 */
public final class CopilotMetrics implements ClientObserver {
    private static final Logger log = LoggerFactory.getLogger(CopilotMetrics.class);

    /** The turn observation (and its timer): send to {@code session.idle}; tags model, outcome, transport. */
    public static final String TURN = "copilot.turn";
    /** Timer of JSON-RPC calls; tags method, outcome, transport. */
    public static final String RPC = "copilot.rpc";
    /** Counter of tokens from {@code assistant.usage}; tags type (input, output, ...), model, transport. */
    public static final String TOKENS = "copilot.tokens";
    /** Counter of the cost the runtime reports in {@code assistant.usage}; tags model, transport. */
    public static final String COST = "copilot.cost";
    /** Gauge of the sessions open in the client. */
    public static final String SESSIONS_OPEN = "copilot.sessions.open";
    /** Gauge of the events waiting for the session store. */
    public static final String UNSAVED_EVENTS = "copilot.store.unsaved.events";
    /** Counter of session store failures; tag kind. */
    public static final String STORE_FAILURES = "copilot.store.failures";
    /** Counter of session leases refused to this client; tag reason. */
    public static final String LEASE_REFUSALS = "copilot.lease.refusals";
    /** Counter of connections made after a lost one; tag transport. */
    public static final String RECONNECTS = "copilot.reconnects";
    /** Counter of connections lost; tag transport. */
    public static final String DISCONNECTS = "copilot.disconnects";

    private final MeterRegistry registry;
    private final ObservationRegistry observations;
    private final Tags commonTags;
    private final CopilotTurnObservationConvention convention;
    private final AtomicReference<CopilotClient> client = new AtomicReference<>();
    private volatile String transport = "unknown";
    private final Map<CopilotSession, Observation> turns = new ConcurrentHashMap<>();

    private CopilotMetrics(Builder b) {
        this.registry = b.registry;
        this.commonTags = b.tags;
        this.convention = b.convention;
        if (b.observations != null) {
            this.observations = b.observations;
        } else {
            ObservationRegistry own = ObservationRegistry.create();
            own.observationConfig().observationHandler(new DefaultMeterObservationHandler(registry));
            this.observations = own;
        }
    }

    /** Records into {@code registry}; turns become timers through an own observation registry unless one is given. */
    public static Builder builder(MeterRegistry registry) {
        return new Builder(registry);
    }

    /** The observation registry turns are observed in. */
    public ObservationRegistry observationRegistry() {
        return observations;
    }

    // ------------------------------------------------------------------ client lifecycle

    @Override
    public void attached(CopilotClient c) {
        if (!client.compareAndSet(null, c)) {
            log.warn("This CopilotMetrics already watches another client; build one CopilotMetrics per client");
            return;
        }
        transport = transportKind(c.transport().describe());
        Tags t = commonTags.and("transport", transport);
        Gauge.builder(SESSIONS_OPEN, c, x -> x.openSessions().size())
                .tags(t)
                .description("Sessions open in the Copilot client")
                .strongReference(false)
                .register(registry);
        Gauge.builder(UNSAVED_EVENTS, c, CopilotMetrics::unsaved)
                .tags(t)
                .description("Session events received but not yet in the session store")
                .strongReference(false)
                .register(registry);
        // Created up front so that dashboards see zero rather than nothing.
        reconnects();
        disconnects();
    }

    private static double unsaved(CopilotClient c) {
        long n = 0;
        for (CopilotSession s : c.openSessions()) {
            n += s.unsavedEventCount();
        }
        return n;
    }

    /** {@code stdio:/usr/bin/copilot} -> {@code stdio}: the scheme only, which is low cardinality. */
    static String transportKind(String describe) {
        if (describe == null) {
            return "unknown";
        }
        int colon = describe.indexOf(':');
        String kind = (colon < 0 ? describe : describe.substring(0, colon)).toLowerCase(Locale.ROOT);
        return kind.matches("[a-z][a-z0-9+.-]{0,31}") ? kind : "other";
    }

    private Counter reconnects() {
        return Counter.builder(RECONNECTS)
                .tags(commonTags)
                .tag("transport", transport)
                .description("Connections re-established by start() after a lost one")
                .register(registry);
    }

    private Counter disconnects() {
        return Counter.builder(DISCONNECTS)
                .tags(commonTags)
                .tag("transport", transport)
                .description("Connections to the Copilot runtime lost while connected")
                .register(registry);
    }

    @Override
    public void connected(CopilotClient c, boolean reconnect) {
        if (reconnect) {
            reconnects().increment();
        }
    }

    @Override
    public void disconnected(CopilotClient c, ConnectionClosedException reason) {
        disconnects().increment();
    }

    // ------------------------------------------------------------------ RPC

    @Override
    public void rpcCompleted(String method, long nanos, Throwable error) {
        Timer.builder(RPC)
                .tags(commonTags)
                .tag("method", method)
                .tag("outcome", rpcOutcome(error))
                .tag("transport", transport)
                .description("Requests to the Copilot runtime")
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    private static String rpcOutcome(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e == null) {
            return "success";
        }
        if (e instanceof CopilotTimeoutException) {
            return "timeout";
        }
        if (e instanceof ConnectionClosedException) {
            return "closed";
        }
        return "error";
    }

    // ------------------------------------------------------------------ turns

    @Override
    public void turnStarted(CopilotSession session) {
        String model = session.config().model();
        CopilotTurnContext ctx = new CopilotTurnContext(
                session.sessionId(), session.config().owner(), model == null ? "default" : model, transport);
        Observation o = Observation.createNotStarted(null, convention, () -> ctx, observations);
        Observation parent = observations.getCurrentObservation();
        if (parent != null) {
            o.parentObservation(parent);
        }
        o.start();
        Observation previous = turns.put(session, o);
        if (previous != null) { // cannot happen with the client's turn tracking; never leak one
            previous.stop();
        }
    }

    @Override
    public void eventDelivered(CopilotSession session, SessionEvent event) {
        if (!"assistant.usage".equals(event.type())) {
            return;
        }
        var d = event.data();
        String reported = d.path("model").isTextual() ? d.path("model").asText() : null;
        Observation o = turns.get(session);
        CopilotTurnContext ctx = o == null ? null : (CopilotTurnContext) o.getContext();
        if (ctx != null && session.config().model() == null && reported != null && "default".equals(ctx.model())) {
            ctx.model(reported);
        }
        String model = ctx != null
                ? ctx.model()
                : session.config().model() != null ? session.config().model() : reported != null ? reported : "default";
        long in = tokens(d.path("inputTokens"));
        long out = tokens(d.path("outputTokens"));
        count("input", model, in);
        count("output", model, out);
        count("cache_read", model, tokens(d.path("cacheReadTokens")));
        count("cache_write", model, tokens(d.path("cacheWriteTokens")));
        double cost = d.path("cost").isNumber() ? d.path("cost").asDouble() : 0;
        if (d.path("cost").isNumber() && cost >= 0 && Double.isFinite(cost)) {
            Counter.builder(COST)
                    .tags(commonTags)
                    .tag("model", model)
                    .tag("transport", transport)
                    .description("Cost the Copilot runtime reported (assistant.usage)")
                    .register(registry)
                    .increment(cost);
        }
        if (ctx != null) {
            ctx.addUsage(in, out, Math.max(0, cost));
        }
    }

    private static long tokens(com.fasterxml.jackson.databind.JsonNode n) {
        return n.canConvertToLong() && n.asLong() > 0 ? n.asLong() : 0;
    }

    private void count(String type, String model, long n) {
        if (n <= 0 && !"input".equals(type) && !"output".equals(type)) {
            return; // cache counters only once the runtime reports them
        }
        Counter.builder(TOKENS)
                .tags(commonTags)
                .tag("type", type)
                .tag("model", model)
                .tag("transport", transport)
                .baseUnit("tokens")
                .description("Tokens the Copilot runtime reported (assistant.usage)")
                .register(registry)
                .increment((double) n); // token counts are far below 2^53
    }

    @Override
    public void turnEnded(CopilotSession session, TurnOutcome outcome, Throwable error) {
        Observation o = turns.remove(session);
        if (o == null) {
            return;
        }
        ((CopilotTurnContext) o.getContext()).outcome(outcome);
        if (error != null) {
            o.error(error);
        }
        o.stop();
    }

    // ------------------------------------------------------------------ store and leases

    @Override
    public void storeFailure(StoreFailure failure) {
        Counter.builder(STORE_FAILURES)
                .tags(commonTags)
                .tag("kind", failure.kind().name().toLowerCase(Locale.ROOT))
                .description("Session store failures the Copilot client handled")
                .register(registry)
                .increment();
    }

    @Override
    public void leaseRefused(String sessionId, SessionLeaseException refusal) {
        String reason = refusal instanceof SessionLeaseException.Held
                ? "held"
                : refusal instanceof SessionLeaseException.Stale ? "stale" : "other";
        Counter.builder(LEASE_REFUSALS)
                .tags(commonTags)
                .tag("reason", reason)
                .description("Session leases refused (held by another client, or stale)")
                .register(registry)
                .increment();
    }

    /** Configures {@link CopilotMetrics}. */
    public static final class Builder {
        private final MeterRegistry registry;
        private ObservationRegistry observations;
        private Tags tags = Tags.empty();
        private CopilotTurnObservationConvention convention = CopilotTurnObservationConvention.DEFAULT;

        private Builder(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /**
         * Observe turns in this registry (e.g. Spring Boot's, which turns observations into timers
         * and spans). Default: an own registry whose only handler records a {@value #TURN} timer
         * in the meter registry.
         */
        public Builder observationRegistry(ObservationRegistry registry) {
            this.observations = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Tags added to every meter (e.g. {@code client=backend-1} when several clients share a registry). */
        public Builder tags(Iterable<Tag> tags) {
            this.tags = this.tags.and(Objects.requireNonNull(tags, "tags"));
            return this;
        }

        /** Names and tags turn observations; default {@link CopilotTurnObservationConvention#DEFAULT}. */
        public Builder turnConvention(CopilotTurnObservationConvention convention) {
            this.convention = Objects.requireNonNull(convention, "convention");
            return this;
        }

        /** Builds the observer; register it with {@code CopilotClient.Builder.observer}. */
        public CopilotMetrics build() {
            return new CopilotMetrics(this);
        }
    }
}
