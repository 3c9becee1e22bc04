package io.github.copilot4j.testing.state;

import io.github.copilot4j.spi.SessionStateStore;
import io.github.copilot4j.store.InMemorySessionStateStore;
import java.time.Duration;

/** The state store contract on {@link InMemorySessionStateStore}; expiry by moving its clock. */
class InMemorySessionStateStoreTest extends SessionStateStoreContract {
    private final MutableClock clock = new MutableClock();

    @Override
    protected SessionStateStore newStore() {
        return new InMemorySessionStateStore(clock);
    }

    @Override
    protected void expireLease(SessionStateStore store, String sessionId) {
        clock.advance(Duration.ofHours(1));
    }
}
