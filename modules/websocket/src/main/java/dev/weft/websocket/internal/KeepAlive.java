package dev.weft.websocket.internal;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The timer of listener sessions ({@link SessionImpl#keepAliveTurn}): one platform thread for the
 * JVM, started with the first listener session. An endpoint session keeps itself alive on its
 * connection's thread; a listener session has no thread to spare (it may have none at all while
 * hibernated), so its pings and its idle timeout are turns of this timer. A turn does no I/O
 * itself: whatever may block goes to a virtual thread.
 */
final class KeepAlive {

    private KeepAlive() {
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
        session.keepAliveTask(Timer.EXECUTOR.schedule(() -> turn(session), nanos, TimeUnit.NANOSECONDS));
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
