package io.github.copilot4j.internal;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The client's default executors: virtual threads where the JDK has them, else a bounded pool of daemon threads. */
public final class Executors2 {
    private Executors2() {}

    public static ExecutorService defaultExecutor(String name, int maxThreads) {
        ExecutorService virtual = virtualThreadExecutor(name);
        if (virtual != null) {
            return virtual;
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                maxThreads, maxThreads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemonFactory(name));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    public static ThreadFactory daemonFactory(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static ExecutorService virtualThreadExecutor(String name) {
        if (Boolean.getBoolean("copilot4j.noVirtualThreads")) {
            return null;
        }
        try {
            Method ofVirtual = Thread.class.getMethod("ofVirtual");
            Object builder = ofVirtual.invoke(null);
            Class<?> builderClass = Class.forName("java.lang.Thread$Builder");
            builder = builderClass.getMethod("name", String.class, long.class).invoke(builder, name + "-", 1L);
            ThreadFactory factory =
                    (ThreadFactory) builderClass.getMethod("factory").invoke(builder);
            Method perTask =
                    java.util.concurrent.Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class);
            return (ExecutorService) perTask.invoke(null, factory);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
