package dev.weft.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps the yield before an idle read ({@link SocketInputImpl}) from starving the virtual
 * threads that are woken from outside the scheduler.
 *
 * <p>Why: the JDK's scheduler (a {@code ForkJoinPool}, JDK 21 to 25) runs a carrier's local queue
 * until it is empty before it takes a task submitted from outside, and {@code Thread.yield} of a
 * virtual thread goes into that local queue whenever it is not empty. A saturated server whose
 * connections yield, read the request that has arrived meanwhile, answer and yield again keeps
 * the local queue full for as long as the load lasts, while a thread woken from outside waits:
 * the connections woken by the JDK's master poller (once the read sub-poller had parked on it), by
 * a timer, a new connection's thread started by the acceptor. Measured as p99 latencies of
 * hundreds of milliseconds where the median is one (docs/performance-history.md).
 *
 * <p>How: a platform ticker thread wakes a sentinel virtual thread every {@code tick}, a task
 * submitted from outside like the starving ones. If it has not run {@code threshold} after being
 * woken, such tasks starve: until it runs, a connection that would yield parks instead, and the
 * ticker unparks it at its next tick, from outside, so that it queues behind the ones waiting.
 * Once every thread of the local queue has so parked (or blocked in a read) the queue is empty,
 * the scheduler takes the outside ones, the sentinel among them, and the episode ends. Costs: a
 * wake-up of the ticker per tick while connections yield (it sleeps once ten ticks in a row found
 * no starvation, and the next yield wakes it), and a park and an unpark per connection per
 * episode.
 *
 * <p>One per JVM ({@link #SCHEDULER}): the default scheduler is the JVM's. Off with
 * {@code -Ddev.weft.core.yieldFairness=false} (a plain {@code Thread.yield}).
 */
final class Fairness {

    private static final boolean ON = !"false".equals(System.getProperty("dev.weft.core.yieldFairness"));
    private static final int QUIET_TICKS = 10;

    /** The JVM's: one millisecond ticks, starvation at two. */
    static final Fairness SCHEDULER = new Fairness(1_000_000, 2_000_000);

    private static final VarHandle ASLEEP;

    static {
        try {
            ASLEEP = MethodHandles.lookup().findVarHandle(Fairness.class, "asleep", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long tickNanos;
    private final long thresholdNanos;
    private final ConcurrentLinkedQueue<Thread> deferred = new ConcurrentLinkedQueue<>();
    /** Episodes and deferred yields so far, for tests. */
    final LongAdder episodes = new LongAdder();
    final LongAdder deferrals = new LongAdder();

    /** The sentinel was woken at {@link #postedAt} and has not run yet. */
    private volatile boolean pending;
    private volatile long postedAt;
    /** Set by the ticker when the sentinel waited past the threshold; cleared when it runs. */
    private volatile boolean starving;
    /** The ticker is not ticking (also before it is started): the next yield wakes it. */
    @SuppressWarnings("unused") // through ASLEEP
    private volatile boolean asleep = true;
    private volatile Thread ticker;
    private volatile Thread sentinel;

    Fairness(long tickNanos, long thresholdNanos) {
        this.tickNanos = tickNanos;
        this.thresholdNanos = thresholdNanos;
    }

    /** Whether yields go through {@link #yieldNow} ({@code dev.weft.core.yieldFairness}). */
    static boolean on() {
        return ON;
    }

    /**
     * On a virtual thread, instead of {@code Thread.yield()}: yields, or, while outside
     * submissions starve, waits behind them (at most about a tick).
     */
    void yieldNow() {
        if (asleep) {
            wake();
        }
        if (!starving) {
            Thread.yield();
            return;
        }
        deferrals.increment();
        deferred.add(Thread.currentThread());
        if (asleep) {
            wake(); // the ticker that unparks us (it does not sleep with threads deferred, see tickLoop)
        }
        // A spurious return reads early: only less fair, never wrong.
        LockSupport.park(this);
    }

    /** The ticker is asleep (for tests). */
    boolean sleeping() {
        return asleep && ticker != null;
    }

    private void wake() {
        if (!ASLEEP.compareAndSet(this, true, false)) {
            return;
        }
        Thread t = ticker;
        if (t != null) {
            LockSupport.unpark(t);
            return;
        }
        // First use: only the caller whose compare-and-set won gets here, once (the ticker never
        // sets asleep again before it runs).
        Thread s = Thread.ofVirtual().name("weft-fairness-sentinel").unstarted(this::sentinelLoop);
        sentinel = s;
        s.start();
        t = Thread.ofPlatform().daemon().name("weft-fairness").unstarted(this::tickLoop);
        ticker = t;
        t.start();
    }

    private void sentinelLoop() {
        while (true) {
            LockSupport.park(this);
            // It ran: what is submitted from outside gets its turn again. (A spurious wake-up
            // ends an episode early: only less fair.)
            if (starving) {
                starving = false;
            }
            pending = false;
            if (!deferred.isEmpty()) {
                // The deferred go back now, from outside (behind whatever else waits there), not
                // at the next tick: a tick is several requests' time of a busy connection.
                LockSupport.unpark(ticker);
            }
        }
    }

    private void tickLoop() {
        int quiet = 0;
        while (true) {
            LockSupport.parkNanos(this, tickNanos);
            Thread d;
            while ((d = deferred.poll()) != null) {
                LockSupport.unpark(d);
            }
            long now = System.nanoTime();
            if (pending) {
                quiet = 0;
                if (!starving && now - postedAt > thresholdNanos) {
                    episodes.increment();
                    starving = true;
                }
                continue;
            }
            if (++quiet >= QUIET_TICKS && sleep()) {
                quiet = 0;
                continue;
            }
            postedAt = now;
            pending = true;
            LockSupport.unpark(sentinel);
        }
    }

    /**
     * Nothing starved for ten ticks: sleep until a yield wakes us. Publishes {@code asleep} first
     * and then looks at the deferred queue, while a deferring thread adds itself first and then
     * looks at {@code asleep}: one of the two sees the other, so no thread waits for a ticker
     * that sleeps. False if it did not sleep.
     */
    private boolean sleep() {
        asleep = true;
        if (!deferred.isEmpty()) {
            asleep = false;
            return false;
        }
        while (asleep) {
            LockSupport.park(this);
        }
        return true;
    }
}
