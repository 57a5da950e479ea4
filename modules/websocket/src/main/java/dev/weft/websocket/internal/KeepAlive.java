package dev.weft.websocket.internal;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The keep-alive timer of every session ({@link SessionImpl#keepAliveTurn}): one platform thread
 * for the JVM, started with the first session. A listener session has no thread to spare (it may
 * have none at all while hibernated), and an endpoint's connection thread waiting with a timeout
 * of its own would be a JDK timer per session; so pings and idle timeouts are turns of this timer. A turn does no I/O
 * itself: whatever may block goes to a virtual thread.
 *
 * <p>Turns fall on a grid of {@link #TICK_NANOS}: a turn due at any moment runs at the next tick
 * (a ping or an idle timeout at most that much late). Thousands of sessions then share each of
 * the timer thread's wake-ups instead of waking it one by one: a wake-up of a parked thread is a
 * context switch, and that, not the turn, was the cost (profile in docs/performance-history.md).
 */
final class KeepAlive {

    /** The grid the turns fall on. */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private KeepAlive() {
    }

    /** From now to the first tick at or after {@code nanos} from now. */
    static long onTick(long now, long nanos) {
        long due = now + nanos;
        return Math.floorDiv(due + TICK_NANOS - 1, TICK_NANOS) * TICK_NANOS - now;
    }

    /** A holder: the thread starts with the first listener session, not when the class is seen. */
    private static final class Timer {
        static final ScheduledThreadPoolExecutor EXECUTOR = executor();

        private static ScheduledThreadPoolExecutor executor() {
            ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1,
                    r -> Thread.ofPlatform().daemon().name("weft-ws-keepalive").unstarted(r));
            e.setRemoveOnCancelPolicy(true); // a finished session's turn goes with it, not at its time
            return e;
        }
    }

    /** Schedules the session's first turn; each turn schedules the next one. */
    static void schedule(SessionImpl session) {
        next(session, session.keepAliveTurn());
    }

    private static void next(SessionImpl session, long nanos) {
        if (nanos < 0) {
            return;
        }
        long delay = onTick(System.nanoTime(), nanos);
        session.keepAliveTask(Timer.EXECUTOR.schedule(() -> turn(session), delay, TimeUnit.NANOSECONDS));
    }

    private static void turn(SessionImpl session) {
        long nanos;
        try {
            nanos = session.keepAliveTurn();
        } catch (RuntimeException | OutOfMemoryError e) {
            // Starting a virtual thread failed: try again in a second rather than lose the session's timer.
            nanos = TimeUnit.SECONDS.toNanos(1);
        }
        next(session, nanos);
    }
}
