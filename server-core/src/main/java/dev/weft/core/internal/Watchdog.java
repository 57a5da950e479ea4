package dev.weft.core.internal;

import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;

/**
 * The one timer of a server: SO_TIMEOUT never bounds a write, and on a virtual thread it costs
 * a timer-thread wake-up per read, so each guarded read, write (and TLS handshake) records its
 * due time on the connection, and this thread acts on any connection whose guarded operation
 * runs past it: shuts a read's input down, closes a write's socket; about once a second it also
 * trims the buffer pool. One platform daemon thread per server, not a timer per connection; a
 * platform thread, so it still ticks when every carrier is busy.
 *
 * <p>Every plain-TCP timeout depends on this thread, so nothing may end it but {@link #stop()}:
 * a {@link Throwable} from one connection's check (a bug, a log call failing, an
 * {@link OutOfMemoryError}) is caught there and the other connections are still checked; one
 * from the rest of a tick is caught per tick. Both are logged at ERROR, at most one line per
 * {@value #LOG_INTERVAL_SECONDS} s with a count of the rest, so a permanent fault cannot flood
 * the log.
 */
final class Watchdog implements Runnable {

    private static final long LOG_INTERVAL_SECONDS = 10;
    private static final long LOG_INTERVAL_NANOS = LOG_INTERVAL_SECONDS * 1_000_000_000L;

    /** How often the buffer pool lets go of buffers nobody used (see {@link BufferPool#trim}). */
    private static final long TRIM_NANOS = 1_000_000_000L;

    private final Engine engine;
    private final long tickNanos;
    /** No completed scan for this long and {@link #alive()} says false: ten ticks, at least a second. */
    private final long aliveNanos;
    private final Thread thread;
    private volatile boolean stopped;
    /** When the last scan of every connection completed (System.nanoTime). */
    private volatile long lastScan;

    // Rate-limiting of the ERROR line; this thread only.
    private long loggedAt;
    private boolean loggedOnce;
    private long unlogged;

    /** Tests inject a fault into one connection's check here; null in production. */
    volatile Consumer<ConnectionImpl> beforeCheck;
    /** Tests inject a fault into a whole tick here; null in production. */
    volatile Runnable onTick;

    Watchdog(Engine engine, long shortestTimeoutNanos, String name) {
        this.engine = engine;
        // A quarter of the shortest timeout keeps its overrun under 25%; 100 ms bounds the overrun of a
        // deadline shorter than every configured timeout (HTTP's headerTimeout), at 10 scans a second.
        this.tickNanos = Math.max(5_000_000L, Math.min(shortestTimeoutNanos / 4, 100_000_000L));
        this.aliveNanos = Math.max(1_000_000_000L, 10 * tickNanos);
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this);
    }

    void start() {
        lastScan = System.nanoTime();
        thread.start();
    }

    /** The time between scans. */
    long tickNanos() {
        return tickNanos;
    }

    /**
     * True while the thread runs and has completed a scan of every connection within the last
     * ten ticks (at least a second): the plain-TCP timeouts are being enforced.
     */
    boolean alive() {
        return !stopped && thread.isAlive() && System.nanoTime() - lastScan < aliveNanos;
    }

    @Override
    public void run() {
        long lastTrim = System.nanoTime();
        while (!stopped) {
            LockSupport.parkNanos(this, tickNanos);
            try {
                long now = System.nanoTime();
                Runnable tickHook = onTick;
                if (tickHook != null) {
                    tickHook.run();
                }
                scan(now);
                lastScan = System.nanoTime();
                if (now - lastTrim >= TRIM_NANOS) {
                    lastTrim = now;
                    engine.pool().trim();
                }
            } catch (Throwable t) {
                failed(null, t);
            }
        }
    }

    private void scan(long now) {
        for (ConnectionImpl c : engine.connections()) {
            try {
                Consumer<ConnectionImpl> hook = beforeCheck;
                if (hook != null) {
                    hook.accept(c);
                }
                c.checkGuard(now);
            } catch (Throwable t) {
                failed(c, t);
            }
        }
    }

    private void failed(ConnectionImpl c, Throwable t) {
        long now = System.nanoTime();
        if (loggedOnce && now - loggedAt < LOG_INTERVAL_NANOS) {
            unlogged++;
            return;
        }
        loggedOnce = true;
        loggedAt = now;
        long more = unlogged;
        unlogged = 0;
        try {
            String what = c == null ? "a tick" : "the check of " + c.describe();
            Engine.LOG.error("watchdog: {} failed{}; the watchdog keeps ticking and retries it next tick",
                    what, more > 0 ? " (" + more + " more failures since the last report)" : "", t);
        } catch (Throwable logFailed) {
            // The logger itself failed: nothing left to tell; the next tick must still run.
        }
    }

    void stop() throws InterruptedException {
        stopped = true;
        LockSupport.unpark(thread);
        thread.join();
    }
}
