package io.github.copilot4j.internal.observe;

import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionErrorException;
import io.github.copilot4j.event.SessionError;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.event.SessionIdle;
import io.github.copilot4j.spi.ClientObserver;
import io.github.copilot4j.spi.ClientObserver.TurnOutcome;
import java.util.concurrent.Executor;

/**
 * Tells a session's observer when its turns start and end (see {@link ClientObserver} for what a
 * turn is). {@link #sending()} runs on the caller's thread; everything else runs on the session's
 * delivery lane, so a turn ends after the listeners saw its last event.
 */
public final class TurnTracker {
    private final CopilotSession session;
    private final ClientObserver observer;
    private final Executor lane;
    private final boolean enabled;
    // guarded by this
    private boolean active;
    private int pendingPrompts;
    private boolean promptTaken;
    private boolean aborted;

    public TurnTracker(CopilotSession session, SafeObserver observer, Executor lane) {
        this.session = session;
        this.observer = observer;
        this.lane = lane;
        this.enabled = !observer.isEmpty();
    }

    /** A prompt is about to be sent (caller's thread): starts a turn unless one is in flight. */
    public void sending() {
        if (!enabled) {
            return;
        }
        boolean start;
        synchronized (this) {
            start = !active;
            if (start) {
                active = true;
                promptTaken = false;
                aborted = false;
            }
            pendingPrompts++;
        }
        if (start) {
            observer.turnStarted(session);
        }
    }

    /** The send of a prompt failed (any thread). */
    public void sendFailed(Throwable error) {
        if (!enabled) {
            return;
        }
        lane.execute(() -> {
            boolean end;
            synchronized (this) {
                pendingPrompts = Math.max(0, pendingPrompts - 1);
                end = active && pendingPrompts == 0 && !promptTaken;
            }
            if (end) {
                end(error instanceof ConnectionClosedException ? TurnOutcome.DISCONNECTED : TurnOutcome.ERROR, error);
            }
        });
    }

    /** An event was delivered to the listeners (delivery lane). */
    public void delivered(SessionEvent e) {
        if (!enabled) {
            return;
        }
        observer.eventDelivered(session, e);
        TurnOutcome outcome = null;
        Throwable error = null;
        synchronized (this) {
            switch (e.type()) {
                case "user.message" -> {
                    pendingPrompts = Math.max(0, pendingPrompts - 1);
                    promptTaken = true;
                }
                case "abort" -> aborted = true;
                case "session.idle" -> {
                    if (active && pendingPrompts == 0) {
                        boolean wasAborted = aborted || (e.payload() instanceof SessionIdle idle && idle.aborted());
                        outcome = wasAborted ? TurnOutcome.ABORTED : TurnOutcome.SUCCESS;
                    }
                }
                case "session.error" -> {
                    if (active) {
                        outcome = TurnOutcome.ERROR;
                        error = e.payload() instanceof SessionError se
                                ? new SessionErrorException(session.sessionId(), se)
                                : null;
                    }
                }
                default -> {}
            }
        }
        if (outcome != null) {
            end(outcome, error);
        }
    }

    /** The session is gone (closed, deleted, connection lost): ends a turn in flight, after the events already queued. */
    public void gone(TurnOutcome outcome, Throwable error) {
        if (enabled) {
            lane.execute(() -> end(outcome, error));
        }
    }

    private void end(TurnOutcome outcome, Throwable error) {
        synchronized (this) {
            if (!active) {
                return;
            }
            active = false;
            pendingPrompts = 0;
        }
        observer.turnEnded(session, outcome, error);
    }
}
