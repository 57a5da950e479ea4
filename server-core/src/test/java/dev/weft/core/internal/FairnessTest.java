package dev.weft.core.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Virtual threads that yield without end (as saturated connections do before each idle read)
 * must not keep a thread woken from outside the scheduler from running. With plain
 * {@code Thread.yield()} in the same set-up the woken thread waits for as long as the yielders
 * go on (on JDK 25: the whole 3 s tried when this test was written).
 */
class FairnessTest {

    private static void spinUntil(Fairness f, AtomicBoolean stop, long deadline, boolean plainYield) {
        while (!stop.get() && System.nanoTime() - deadline < 0) {
            if (plainYield) {
                Thread.yield();
            } else {
                f.yieldNow();
            }
        }
    }

    /** Starts yielders on every carrier, then wakes a parked virtual thread from a platform thread; true if it ran before the yielders gave up. */
    static boolean wokenThreadRuns(Fairness f, boolean plainYield, Duration limit) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch parked = new CountDownLatch(1);
        AtomicBoolean ran = new AtomicBoolean();
        Thread woken = Thread.ofVirtual().start(() -> {
            parked.countDown();
            while (!stop.get()) {
                LockSupport.park();
                if (Thread.interrupted()) {
                    break;
                }
                ran.set(true);
                stop.set(true); // the yielders stop as soon as it ran
            }
        });
        assertTrue(parked.await(5, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + limit.toNanos();
        List<Thread> spinners = new ArrayList<>();
        int n = 8 * Runtime.getRuntime().availableProcessors();
        CountDownLatch spinning = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            spinners.add(Thread.ofVirtual().start(() -> {
                spinning.countDown();
                spinUntil(f, stop, deadline, plainYield);
            }));
        }
        assertTrue(spinning.await(5, TimeUnit.SECONDS));
        // From a platform thread: the wake-up is submitted to the scheduler from outside.
        Thread.ofPlatform().start(() -> LockSupport.unpark(woken)).join();
        for (Thread t : spinners) {
            assertTrue(t.join(limit.plusSeconds(5)), "a yielder ended");
        }
        stop.set(true);
        woken.interrupt();
        LockSupport.unpark(woken);
        assertTrue(woken.join(Duration.ofSeconds(5)));
        return ran.get() && System.nanoTime() - deadline < 0;
    }

    @Test
    void aThreadWokenFromOutsideRunsWhileOthersYieldWithoutEnd() throws Exception {
        Fairness f = new Fairness(1_000_000, 2_000_000);
        assertTrue(wokenThreadRuns(f, false, Duration.ofSeconds(10)),
                "the woken thread ran before the yielders' 10 s were up");
    }

    @Test
    void theTickerSleepsWhenNothingStarvesAndAYieldWakesIt() throws Exception {
        Fairness f = new Fairness(1_000_000, 2_000_000);
        Thread.ofVirtual().start(f::yieldNow).join(); // starts the ticker
        // Ten quiet ticks later it sleeps; a yield wakes it, and the next starvation is still caught.
        await().atMost(Duration.ofSeconds(5)).until(f::sleeping);
        assertTrue(wokenThreadRuns(f, false, Duration.ofSeconds(10)), "after a sleep too");
    }
}
