package io.github.copilot4j.testing.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionStateException;
import io.github.copilot4j.spi.SessionStateException.Code;
import io.github.copilot4j.spi.SessionStateStore;
import io.github.copilot4j.spi.StateDirEntry;
import io.github.copilot4j.spi.StateFileStat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * The behaviour every {@link io.github.copilot4j.spi.SessionStateStore} must have (Node-fs
 * semantics per session, O(appended bytes) appends, leases with fencing), as a JUnit 5 test class.
 * Subclass it and say how to make an empty store and how to expire a lease:
 *
 * <pre>{@code
 * class MyStateStoreTest extends SessionStateStoreContract {
 *     @Override protected SessionStateStore newStore() { return new MyStateStore(...); }
 *     @Override protected void expireLease(SessionStateStore store, String sessionId) { ... }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh, empty store and closes it afterwards ({@link #cleanup}); the
 * concurrency test starts a few worker threads and bounds every wait.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public abstract class SessionStateStoreContract {

    /** For subclasses, which say how to make the store under test. */
    protected SessionStateStoreContract() {}

    private static final long U = SessionStateStore.UNFENCED;
    private static final Duration MINUTE = Duration.ofMinutes(1);

    /** The store under test (fresh per test). */
    protected SessionStateStore store;

    /** A new, empty store. */
    protected abstract SessionStateStore newStore();

    /**
     * Makes the session's current lease expired, as if its holder stopped renewing it long ago
     * (move the store's clock forward, or rewrite its expiry in the database).
     */
    protected abstract void expireLease(SessionStateStore store, String sessionId);

    /** Called after each test; closes the store. Override to drop a schema or a directory too. */
    protected void cleanup(SessionStateStore s) {
        s.close();
    }

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            cleanup(store);
        }
    }

    private static void assertCode(Code code, Executable e) {
        SessionStateException ex = assertThrows(SessionStateException.class, e);
        assertEquals(code, ex.code(), ex.getMessage());
    }

    // ------------------------------------------------------------------ files

    /** Contract: Missing file is enoent. */
    @Test
    public void missingFileIsEnoent() {
        assertCode(Code.ENOENT, () -> store.readFile("s1", "/events.jsonl"));
        assertCode(Code.ENOENT, () -> store.stat("s1", "/events.jsonl"));
        assertFalse(store.exists("s1", "/events.jsonl"));
        assertEquals("ENOENT", Code.ENOENT.wireCode());
        assertEquals("UNKNOWN", Code.EISDIR.wireCode());
    }

    /** Contract: Write creates parents and replaces. */
    @Test
    public void writeCreatesParentsAndReplaces() {
        store.writeFile("s1", "/checkpoints/deep/index.md", "one", U);
        assertEquals("one", store.readFile("s1", "/checkpoints/deep/index.md"));
        assertTrue(store.stat("s1", "/checkpoints").isDirectory());
        assertTrue(store.stat("s1", "/checkpoints/deep").isDirectory());
        store.writeFile("s1", "/checkpoints/deep/index.md", "two, longer", U);
        assertEquals("two, longer", store.readFile("s1", "/checkpoints/deep/index.md"));
        assertEquals(11, store.stat("s1", "/checkpoints/deep/index.md").size());
        store.writeFile("s1", "/empty", "", U);
        assertEquals("", store.readFile("s1", "/empty"));
        assertEquals(0, store.stat("s1", "/empty").size());
    }

    /** Contract: Write on adirectory or below afile fails. */
    @Test
    public void writeOnADirectoryOrBelowAFileFails() {
        store.mkdir("s1", "/dir", false, U);
        assertCode(Code.EISDIR, () -> store.writeFile("s1", "/dir", "x", U));
        assertCode(Code.EISDIR, () -> store.appendFile("s1", "/dir", "x", U));
        assertCode(Code.EISDIR, () -> store.readFile("s1", "/dir"));
        assertCode(Code.EISDIR, () -> store.writeFile("s1", "/", "x", U));
        store.writeFile("s1", "/file", "x", U);
        assertCode(Code.ENOTDIR, () -> store.writeFile("s1", "/file/child", "x", U));
        assertEquals("x", store.readFile("s1", "/file"));
    }

    /** Contract: Appends concatenate in order and size counts utf 8bytes. */
    @Test
    public void appendsConcatenateInOrderAndSizeCountsUtf8Bytes() {
        store.appendFile("s1", "/state/events.jsonl", "{\"a\":1}\n", U);
        store.appendFile("s1", "/state/events.jsonl", "", U);
        store.appendFile("s1", "/state/events.jsonl", "{\"b\":\"é€😀\"}\n", U);
        String expected = "{\"a\":1}\n{\"b\":\"é€😀\"}\n";
        assertEquals(expected, store.readFile("s1", "/state/events.jsonl"));
        assertEquals(
                expected.getBytes(StandardCharsets.UTF_8).length,
                store.stat("s1", "/state/events.jsonl").size());
        StringBuilder all = new StringBuilder(expected);
        for (int i = 0; i < 300; i++) {
            String line = "{\"n\":" + i + "}\n";
            store.appendFile("s1", "/state/events.jsonl", line, U);
            all.append(line);
        }
        assertEquals(all.toString(), store.readFile("s1", "/state/events.jsonl"));
        assertEquals(
                all.toString().getBytes(StandardCharsets.UTF_8).length,
                store.stat("s1", "/state/events.jsonl").size());
        store.writeFile("s1", "/state/events.jsonl", "reset", U);
        store.appendFile("s1", "/state/events.jsonl", "+1", U);
        assertEquals("reset+1", store.readFile("s1", "/state/events.jsonl"));
    }

    /** Contract: Large content round trips. */
    @Test
    public void largeContentRoundTrips() {
        StringBuilder big = new StringBuilder();
        while (big.length() < 300_000) {
            big.append("line ").append(big.length()).append(" ünïcödé\n");
        }
        store.writeFile("s1", "/big", big.toString(), U);
        store.appendFile("s1", "/big", big.toString(), U);
        assertEquals(big.toString() + big, store.readFile("s1", "/big"));
    }

    /** Contract: Stat tells type size and times. */
    @Test
    public void statTellsTypeSizeAndTimes() throws Exception {
        store.writeFile("s1", "/a/f.txt", "hello", U);
        StateFileStat f = store.stat("s1", "/a/f.txt");
        assertTrue(f.isFile());
        assertFalse(f.isDirectory());
        assertEquals(5, f.size());
        assertFalse(f.modifiedAt().isBefore(f.createdAt()));
        StateFileStat d = store.stat("s1", "/a");
        assertTrue(d.isDirectory());
        assertEquals(0, d.size());
        assertTrue(store.stat("s1", "/").isDirectory());
        assertTrue(store.exists("s1", "/"));
        assertTrue(store.exists("s1", "/a"));
        assertTrue(store.exists("s1", "/a/f.txt"));
        Thread.sleep(5);
        store.appendFile("s1", "/a/f.txt", " world", U);
        StateFileStat f2 = store.stat("s1", "/a/f.txt");
        assertEquals(f.createdAt(), f2.createdAt());
        assertFalse(f2.modifiedAt().isBefore(f.modifiedAt()));
        assertEquals(11, f2.size());
    }

    /** Contract: Mkdir follows node. */
    @Test
    public void mkdirFollowsNode() {
        store.mkdir("s1", "/x/y/z", true, U);
        assertTrue(store.stat("s1", "/x/y").isDirectory());
        store.mkdir("s1", "/x/y/z", true, U);
        store.mkdir("s1", "/", true, U);
        assertCode(Code.EEXIST, () -> store.mkdir("s1", "/x/y/z", false, U));
        assertCode(Code.ENOENT, () -> store.mkdir("s1", "/missing/child", false, U));
        store.mkdir("s1", "/x/y/z/w", false, U);
        store.writeFile("s1", "/file", "x", U);
        assertCode(Code.EEXIST, () -> store.mkdir("s1", "/file", true, U));
        assertCode(Code.EEXIST, () -> store.mkdir("s1", "/file", false, U));
        assertCode(Code.ENOTDIR, () -> store.mkdir("s1", "/file/sub", true, U));
    }

    /** Contract: Readdir lists direct children sorted with types. */
    @Test
    public void readdirListsDirectChildrenSortedWithTypes() {
        store.writeFile("s1", "/files/b.txt", "b", U);
        store.writeFile("s1", "/files/a.txt", "a", U);
        store.mkdir("s1", "/files/sub", true, U);
        store.writeFile("s1", "/files/sub/deep.txt", "d", U);
        store.writeFile("s1", "/files-other/x", "x", U);
        assertEquals(
                List.of(
                        new StateDirEntry("a.txt", false),
                        new StateDirEntry("b.txt", false),
                        new StateDirEntry("sub", true)),
                store.readdir("s1", "/files"));
        assertEquals(
                List.of(new StateDirEntry("files", true), new StateDirEntry("files-other", true)),
                store.readdir("s1", "/"));
        store.mkdir("s1", "/empty", true, U);
        assertEquals(List.of(), store.readdir("s1", "/empty"));
        assertCode(Code.ENOENT, () -> store.readdir("s1", "/nope"));
        assertCode(Code.ENOTDIR, () -> store.readdir("s1", "/files/a.txt"));
        assertEquals(List.of(), store.readdir("never-used", "/"));
    }

    /** Contract: Rm follows node. */
    @Test
    public void rmFollowsNode() {
        store.writeFile("s1", "/f", "x", U);
        store.rm("s1", "/f", false, false, U);
        assertFalse(store.exists("s1", "/f"));
        assertCode(Code.ENOENT, () -> store.rm("s1", "/f", false, false, U));
        store.rm("s1", "/f", false, true, U);
        store.writeFile("s1", "/d/one", "1", U);
        store.writeFile("s1", "/d/sub/two", "2", U);
        store.writeFile("s1", "/d2/keep", "k", U);
        store.writeFile("s1", "/dx", "keep too", U);
        assertCode(Code.EISDIR, () -> store.rm("s1", "/d", false, false, U));
        store.rm("s1", "/d", true, false, U);
        assertFalse(store.exists("s1", "/d"));
        assertFalse(store.exists("s1", "/d/sub/two"));
        assertEquals("k", store.readFile("s1", "/d2/keep"), "a sibling with the same prefix stays");
        assertEquals("keep too", store.readFile("s1", "/dx"));
    }

    /** Contract: Rename replaces afile like an atomic write. */
    @Test
    public void renameReplacesAFileLikeAnAtomicWrite() {
        store.writeFile("s1", "/workspace.yaml", "old", U);
        store.writeFile("s1", "/workspace.yaml.tmp.1234", "new", U);
        store.rename("s1", "/workspace.yaml.tmp.1234", "/workspace.yaml", U);
        assertEquals("new", store.readFile("s1", "/workspace.yaml"));
        assertFalse(store.exists("s1", "/workspace.yaml.tmp.1234"));
        store.appendFile("s1", "/workspace.yaml", "+", U);
        assertEquals("new+", store.readFile("s1", "/workspace.yaml"));
        assertEquals(4, store.stat("s1", "/workspace.yaml").size());
    }

    /** Contract: Rename errors. */
    @Test
    public void renameErrors() {
        assertCode(Code.ENOENT, () -> store.rename("s1", "/missing", "/x", U));
        store.writeFile("s1", "/f", "x", U);
        assertCode(Code.ENOENT, () -> store.rename("s1", "/f", "/no/parent/f", U));
        store.mkdir("s1", "/dir", true, U);
        assertCode(Code.EISDIR, () -> store.rename("s1", "/f", "/dir", U));
        assertCode(Code.EINVAL, () -> store.rename("s1", "/dir", "/dir/inside", U));
        store.writeFile("s1", "/full/x", "x", U);
        assertCode(Code.ENOTEMPTY, () -> store.rename("s1", "/dir", "/full", U));
        assertCode(Code.ENOTDIR, () -> store.rename("s1", "/dir", "/f", U));
        store.rename("s1", "/f", "/f", U);
        assertEquals("x", store.readFile("s1", "/f"));
    }

    /** Contract: Rename moves adirectory with its subtree. */
    @Test
    public void renameMovesADirectoryWithItsSubtree() {
        store.writeFile("s1", "/a/one", "1", U);
        store.appendFile("s1", "/a/sub/two", "2", U);
        store.appendFile("s1", "/a/sub/two", "2", U);
        store.writeFile("s1", "/ab/keep", "k", U);
        store.mkdir("s1", "/empty", true, U);
        store.rename("s1", "/a", "/empty", U);
        assertFalse(store.exists("s1", "/a"));
        assertEquals("1", store.readFile("s1", "/empty/one"));
        assertEquals("22", store.readFile("s1", "/empty/sub/two"));
        assertEquals(List.of(new StateDirEntry("two", false)), store.readdir("s1", "/empty/sub"));
        assertEquals("k", store.readFile("s1", "/ab/keep"));
        store.rename("s1", "/empty", "/moved", U);
        assertEquals("22", store.readFile("s1", "/moved/sub/two"));
        assertEquals(
                List.of(new StateDirEntry("ab", true), new StateDirEntry("moved", true)), store.readdir("s1", "/"));
    }

    /** Contract: Sessions are separate namespaces. */
    @Test
    public void sessionsAreSeparateNamespaces() {
        store.writeFile("s1", "/events.jsonl", "one", U);
        store.writeFile("s2", "/events.jsonl", "two", U);
        assertEquals("one", store.readFile("s1", "/events.jsonl"));
        assertEquals("two", store.readFile("s2", "/events.jsonl"));
        assertTrue(store.deleteSession("s1"));
        assertFalse(store.exists("s1", "/events.jsonl"));
        assertEquals("two", store.readFile("s2", "/events.jsonl"));
        assertFalse(store.deleteSession("s1"));
        assertFalse(store.deleteSession("never"));
    }

    /** Contract: Paths must be normalized. */
    @Test
    public void pathsMustBeNormalized() {
        assertThrows(IllegalArgumentException.class, () -> store.readFile("s1", "relative"));
        assertThrows(IllegalArgumentException.class, () -> store.writeFile("s1", "/a//b", "x", U));
        assertThrows(IllegalArgumentException.class, () -> store.writeFile("s1", "/a/../b", "x", U));
        assertThrows(IllegalArgumentException.class, () -> store.exists("s1", "/a/"));
        assertThrows(IllegalArgumentException.class, () -> store.readFile("", "/a"));
    }

    // ------------------------------------------------------------------ leases and fencing

    /** Contract: A lease keeps other holders out. */
    @Test
    public void aLeaseKeepsOtherHoldersOut() {
        SessionLease a = store.acquireLease("s1", "client-a", MINUTE);
        assertEquals("client-a", a.holder());
        assertTrue(a.fencingToken() > 0);
        assertEquals(a, store.findLease("s1").orElseThrow());
        SessionLeaseException.Held held =
                assertThrows(SessionLeaseException.Held.class, () -> store.acquireLease("s1", "client-b", MINUTE));
        assertEquals("client-a", held.holder());
        assertEquals(a.expiresAt(), held.expiresAt());
        assertTrue(
                held.getMessage().contains("client-a")
                        && held.getMessage().contains(a.expiresAt().toString()),
                held.getMessage());
        SessionLease again = store.acquireLease("s1", "client-a", MINUTE);
        assertTrue(again.fencingToken() > a.fencingToken(), "every acquisition gets a new token");
        assertTrue(store.findLease("other").isEmpty());
    }

    /** Contract: Writes need the current token. */
    @Test
    public void writesNeedTheCurrentToken() {
        store.writeFile("s1", "/f", "unleased", U);
        SessionLease a = store.acquireLease("s1", "client-a", MINUTE);
        store.appendFile("s1", "/f", "+a", a.fencingToken());
        assertThrows(SessionLeaseException.Stale.class, () -> store.appendFile("s1", "/f", "+unfenced", U));
        assertThrows(
                SessionLeaseException.Stale.class, () -> store.writeFile("s1", "/f", "wrong", a.fencingToken() + 1000));
        assertEquals("unleased+a", store.readFile("s1", "/f"));
    }

    /** Contract: An expired lease is taken over and the old holder is fenced off. */
    @Test
    public void anExpiredLeaseIsTakenOverAndTheOldHolderIsFencedOff() {
        SessionLease a = store.acquireLease("s1", "client-a", MINUTE);
        store.writeFile("s1", "/events.jsonl", "a1\n", a.fencingToken());
        expireLease(store, "s1");
        SessionLease b = store.acquireLease("s1", "client-b", MINUTE);
        assertTrue(b.fencingToken() > a.fencingToken());
        store.appendFile("s1", "/events.jsonl", "b1\n", b.fencingToken());

        long stale = a.fencingToken();
        SessionLeaseException.Stale e = assertThrows(
                SessionLeaseException.Stale.class,
                () -> store.appendFile("s1", "/events.jsonl", "a2 (paused holder)\n", stale));
        assertEquals(stale, e.fencingToken());
        assertTrue(e.getMessage().contains("client-b"), e.getMessage());
        assertThrows(SessionLeaseException.Stale.class, () -> store.writeFile("s1", "/events.jsonl", "clobber", stale));
        assertThrows(SessionLeaseException.Stale.class, () -> store.mkdir("s1", "/d", true, stale));
        assertThrows(SessionLeaseException.Stale.class, () -> store.rm("s1", "/events.jsonl", false, false, stale));
        assertThrows(SessionLeaseException.Stale.class, () -> store.rename("s1", "/events.jsonl", "/x", stale));
        assertThrows(SessionLeaseException.Stale.class, () -> store.renewLease(a, MINUTE));
        assertFalse(store.releaseLease(a));
        assertEquals("a1\nb1\n", store.readFile("s1", "/events.jsonl"), "the stale holder changed nothing");
        assertEquals(b, store.findLease("s1").orElseThrow());
    }

    /** Contract: Renew extends and release frees the session. */
    @Test
    public void renewExtendsAndReleaseFreesTheSession() {
        SessionLease a = store.acquireLease("s1", "client-a", Duration.ofSeconds(10));
        SessionLease renewed = store.renewLease(a, Duration.ofMinutes(10));
        assertEquals(a.fencingToken(), renewed.fencingToken());
        assertTrue(renewed.expiresAt().isAfter(a.expiresAt()));
        expireLease(store, "s1");
        SessionLease revived = store.renewLease(renewed, MINUTE);
        assertEquals(a.fencingToken(), revived.fencingToken(), "an expired lease nobody took can still be renewed");
        assertTrue(store.releaseLease(revived));
        assertTrue(store.findLease("s1").isEmpty());
        assertFalse(store.releaseLease(revived));
        assertThrows(SessionLeaseException.Stale.class, () -> store.renewLease(revived, MINUTE));
        assertThrows(SessionLeaseException.Stale.class, () -> store.writeFile("s1", "/f", "x", revived.fencingToken()));
        store.writeFile("s1", "/f", "unfenced again", U);
        SessionLease b = store.acquireLease("s1", "client-b", MINUTE);
        assertTrue(b.fencingToken() > a.fencingToken());
    }

    /** Contract: Delete session removes the lease and tokens never repeat. */
    @Test
    public void deleteSessionRemovesTheLeaseAndTokensNeverRepeat() {
        SessionLease a = store.acquireLease("s1", "client-a", MINUTE);
        store.writeFile("s1", "/f", "x", a.fencingToken());
        assertTrue(store.deleteSession("s1"));
        assertTrue(store.findLease("s1").isEmpty());
        assertFalse(store.exists("s1", "/f"));
        assertThrows(SessionLeaseException.Stale.class, () -> store.writeFile("s1", "/f", "zombie", a.fencingToken()));
        SessionLease b = store.acquireLease("s1", "client-b", MINUTE);
        assertTrue(b.fencingToken() > a.fencingToken());
        Set<Long> tokens = new HashSet<>();
        long last = b.fencingToken();
        for (int i = 0; i < 20; i++) {
            long token = store.acquireLease("t" + (i % 3), "h" + i, MINUTE).fencingToken();
            assertTrue(token > last, "tokens grow with every acquisition, across sessions");
            last = token;
            tokens.add(token);
            expireLease(store, "t" + (i % 3));
        }
        assertEquals(20, tokens.size(), "tokens are unique across sessions");
    }

    /** Contract: Lease arguments are checked. */
    @Test
    public void leaseArgumentsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> store.acquireLease("s1", "a", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> store.acquireLease("s1", "", MINUTE));
        assertThrows(IllegalArgumentException.class, () -> store.acquireLease("", "a", MINUTE));
    }

    // ------------------------------------------------------------------ concurrency

    /** Contract: Concurrent appends are neither lost nor interleaved. */
    @Test
    public void concurrentAppendsAreNeitherLostNorInterleaved() throws Exception {
        int threads = 4;
        int per = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < per; i++) {
                        store.appendFile(
                                "s1",
                                "/shared/events.jsonl",
                                "{\"t\":" + id + ",\"i\":" + i + ",\"pad\":\"" + "x".repeat(50) + "\"}\n",
                                U);
                        store.appendFile("s-" + id, "/own", "" + i + ",", U);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        String[] lines = store.readFile("s1", "/shared/events.jsonl").lines().toArray(String[]::new);
        assertEquals(threads * per, lines.length);
        int[] next = new int[threads];
        for (String line : lines) {
            int t = Integer.parseInt(line.replaceAll(".*\"t\":(\\d+),.*", "$1"));
            int i = Integer.parseInt(line.replaceAll(".*\"i\":(\\d+),.*", "$1"));
            assertEquals(next[t]++, i, "each writer's lines stay in its order");
        }
        assertEquals(
                store.readFile("s1", "/shared/events.jsonl").getBytes(StandardCharsets.UTF_8).length,
                store.stat("s1", "/shared/events.jsonl").size());
        StringBuilder own = new StringBuilder();
        for (int i = 0; i < per; i++) {
            own.append(i).append(',');
        }
        for (int t = 0; t < threads; t++) {
            assertEquals(own.toString(), store.readFile("s-" + t, "/own"));
        }
    }

    /** Contract: Concurrent acquisition grants one holder. */
    @Test
    public void concurrentAcquisitionGrantsOneHolder() throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<SessionLease>> fs = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                String holder = "h" + t;
                fs.add(pool.submit(() -> {
                    try {
                        return store.acquireLease("contended", holder, MINUTE);
                    } catch (SessionLeaseException.Held e) {
                        return null;
                    }
                }));
            }
            int winners = 0;
            for (Future<SessionLease> f : fs) {
                if (f.get(60, TimeUnit.SECONDS) != null) {
                    winners++;
                }
            }
            assertEquals(1, winners);
        } finally {
            pool.shutdownNow();
        }
    }
}
