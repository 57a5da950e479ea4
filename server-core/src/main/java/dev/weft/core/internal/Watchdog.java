package dev.weft.core.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * The one timer of a server: SO_TIMEOUT never bounds a write (Socket.setSoTimeout bounds reads
 * only), and on a
 * virtual thread it costs a timer-thread wake-up per read, so each guarded read, write (and TLS
 * handshake) records its deadline on the connection, and this thread acts on any connection
 * whose guarded operation runs past it: shuts a read's input down, closes a write's socket; about
 * once a second it also trims the buffer pool. One platform daemon thread per server, not a
 * timer per connection; a platform thread, so it still ticks when every carrier is busy.
 */
final class Watchdog implements Runnable {

    private final Engine engine;
    private final long tickNanos;
    private final Thread thread;
    private volatile boolean stopped;

    Watchdog(Engine engine, long shortestTimeoutNanos, String name) {
        this.engine = engine;
        // A quarter of the shortest timeout keeps its overrun under 25%; 100 ms bounds the overrun of a
        // deadline shorter than every configured timeout (HTTP's headerTimeout), at 10 scans a second.
        this.tickNanos = Math.max(5_000_000L, Math.min(shortestTimeoutNanos / 4, 100_000_000L));
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this);
    }

    void start() {
        thread.start();
    }

    /** How often the buffer pool lets go of buffers nobody used (see {@link BufferPool#trim}). */
    private static final long TRIM_NANOS = 1_000_000_000L;

    @Override
    public void run() {
        long lastTrim = System.nanoTime();
        while (!stopped) {
            LockSupport.parkNanos(this, tickNanos);
            long now = System.nanoTime();
            for (ConnectionImpl c : engine.connections()) {
                c.checkGuard(now);
            }
            if (now - lastTrim >= TRIM_NANOS) {
                lastTrim = now;
                engine.pool().trim();
            }
        }
    }

    void stop() throws InterruptedException {
        stopped = true;
        LockSupport.unpark(thread);
        thread.join();
    }
}
