package io.github.copilot4j.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Proves that code under test leaves no thread and no child process behind: take a snapshot
 * before, run, then {@link #assertNoLeaks(Duration)} waits (bounded) until every thread and every
 * descendant process started since the snapshot has ended, and fails naming the ones still alive.
 *
 * <pre>{@code
 * LeakCheck leaks = LeakCheck.start();
 * try (CopilotClient client = ...) { ... }
 * leaks.assertNoLeaks(Duration.ofSeconds(10));
 * }</pre>
 *
 * <p>Threads the JDK starts lazily once per JVM and keeps for good (the common fork-join pool, the
 * {@code CompletableFuture} delay scheduler, the process reaper, the carriers of virtual threads,
 * ...) are not leaks and are ignored, as are threads whose names start with a prefix given to
 * {@link #ignoringThreads}.
 * Virtual threads are not visible to this check. Thread-safe enough for tests: use from one thread.
 */
public final class LeakCheck {
    private static final List<String> JDK_LAZY_THREADS = List.of(
            "ForkJoinPool.commonPool-worker-",
            "CompletableFutureDelayScheduler",
            "process reaper",
            "Common-Cleaner",
            "Attach Listener",
            "Signal Dispatcher",
            "Reference Handler",
            "Finalizer",
            "surefire-",
            "junit-",
            "JFR ",
            "PostgreSQL-JDBC-",
            "InnocuousThread-",
            "Notification Thread",
            "VirtualThread-unblocker");
    /** The carrier threads of virtual threads (JDK 21+), kept by the JDK's scheduler like the common pool's. */
    private static final String CARRIER_THREAD_CLASS = "jdk.internal.misc.CarrierThread";

    private final Set<Thread> threadsBefore;
    private final Set<Long> processesBefore;
    private final List<String> ignoredPrefixes;

    private LeakCheck(Set<Thread> threads, Set<Long> processes, List<String> ignoredPrefixes) {
        this.threadsBefore = threads;
        this.processesBefore = processes;
        this.ignoredPrefixes = ignoredPrefixes;
    }

    /** Takes the snapshot: live threads and this JVM's descendant processes. */
    public static LeakCheck start() {
        return new LeakCheck(liveThreads(), descendantPids(), JDK_LAZY_THREADS);
    }

    /** The same snapshot, also ignoring threads whose names start with one of {@code prefixes}. */
    public LeakCheck ignoringThreads(String... prefixes) {
        List<String> all = new ArrayList<>(ignoredPrefixes);
        all.addAll(Arrays.asList(prefixes));
        return new LeakCheck(threadsBefore, processesBefore, List.copyOf(all));
    }

    /** Alive threads started since the snapshot and not ignored. */
    public List<Thread> newThreads() {
        List<Thread> out = new ArrayList<>();
        for (Thread t : liveThreads()) {
            if (!threadsBefore.contains(t)
                    && ignoredPrefixes.stream().noneMatch(p -> t.getName().startsWith(p))
                    && !t.getClass().getName().equals(CARRIER_THREAD_CLASS)) {
                out.add(t);
            }
        }
        return out;
    }

    /** New non-daemon threads (these keep a JVM from exiting). */
    public List<Thread> newNonDaemonThreads() {
        return newThreads().stream().filter(t -> !t.isDaemon()).toList();
    }

    /** Alive descendant processes of this JVM started since the snapshot. */
    public List<ProcessHandle> newProcesses() {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.isAlive() && !processesBefore.contains(p.pid()))
                .toList();
    }

    /**
     * Waits up to {@code wait} for every new thread and process to end.
     *
     * @throws AssertionError naming what is still alive (thread names, daemon flag, top stack
     *     frames; process ids and commands)
     */
    public void assertNoLeaks(Duration wait) {
        Objects.requireNonNull(wait, "wait");
        long end = System.nanoTime() + wait.toNanos();
        List<Thread> threads;
        List<ProcessHandle> processes;
        while (true) {
            threads = newThreads();
            processes = newProcesses();
            if (threads.isEmpty() && processes.isEmpty()) {
                return;
            }
            if (System.nanoTime() > end) {
                break;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for threads and processes to end", e);
            }
        }
        StringBuilder sb = new StringBuilder("Leaked after " + wait.toMillis() + " ms:");
        for (Thread t : threads) {
            sb.append("\n  thread '")
                    .append(t.getName())
                    .append("'")
                    .append(t.isDaemon() ? " (daemon)" : " (NON-DAEMON)")
                    .append(" state ")
                    .append(t.getState());
            StackTraceElement[] st = t.getStackTrace();
            for (int i = 0; i < Math.min(6, st.length); i++) {
                sb.append("\n      at ").append(st[i]);
            }
        }
        for (ProcessHandle p : processes) {
            sb.append("\n  process ")
                    .append(p.pid())
                    .append(' ')
                    .append(p.info().commandLine().orElse("?"));
        }
        throw new AssertionError(sb.toString());
    }

    private static Set<Thread> liveThreads() {
        Set<Thread> s = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive()) {
                s.add(t);
            }
        }
        return s;
    }

    private static Set<Long> descendantPids() {
        return ProcessHandle.current()
                .descendants()
                .map(ProcessHandle::pid)
                .collect(Collectors.toCollection(HashSet::new));
    }
}
