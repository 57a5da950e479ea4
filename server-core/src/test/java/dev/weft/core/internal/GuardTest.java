package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The guard word with a controlled clock (plain numbers for "now"), and the owner's moves put
 * between the watchdog's read and its compare-and-set, where a real race would put them.
 */
class GuardTest {

    /** The owner of a guard word, as the connection owns its two. */
    static final class G {
        private static final java.lang.invoke.VarHandle WORD;

        static {
            try {
                WORD = java.lang.invoke.MethodHandles.lookup().findVarHandle(G.class, "word", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused") // through WORD
        private volatile long word;

        long arm(int kind, long due) {
            return Guard.arm(WORD, this, kind, due);
        }

        long renew(long mine, int kind, long due) {
            return Guard.renew(WORD, this, mine, kind, due);
        }

        boolean disarm() {
            return Guard.disarm(WORD, this);
        }

        long current() {
            return Guard.current(WORD, this);
        }

        int fireIfDue(long now) {
            return Guard.fireIfDue(WORD, this, now);
        }

        int fire(long seen, long now) {
            return Guard.fire(WORD, this, seen, now);
        }
    }

    private static final int WRITE = 1;
    private static final int HANDSHAKE = 2;

    @Test
    void aStalePastBoundCannotKillTheNextOperation() {
        G g = new G();
        g.arm(WRITE, 1_000);                 // operation A, due at 1000
        long seen = g.current();            // the watchdog reads A's word at now = 2000: past due
        assertFalse(g.disarm());            // A ends in time, as far as its owner knows
        g.arm(WRITE, 1_000_000);            // B starts, due far ahead, same kind
        assertEquals(0, g.fire(seen, 2_000), "the watchdog's CAS on A's word must fail");
        assertEquals(0, g.fireIfDue(2_000), "B is not due");
        assertFalse(g.disarm(), "B ends unharmed");
    }

    @Test
    void aBoundRenewedByProgressCannotBeFiredOnItsOldDueTime() {
        G g = new G();
        long mine = g.arm(WRITE, 1_000);
        long seen = g.current();
        mine = g.renew(mine, WRITE, 5_000);        // the write made progress: a new due time
        assertTrue(mine != Guard.FIRED);
        assertEquals(0, g.fire(seen, 2_000));
        assertEquals(0, g.fireIfDue(4_999));
        assertEquals(WRITE, g.fireIfDue(5_001), "no progress past the new due time: fired");
        assertEquals(Guard.FIRED, g.renew(mine, WRITE, 9_000), "a renewal after the fire sees it");
        assertTrue(g.disarm(), "and so does the end of the operation");
        assertFalse(g.disarm(), "the next operation starts clean");
    }

    @Test
    void firesOnceOnTheBoundInForceAndTellsItsKind() {
        G g = new G();
        g.arm(HANDSHAKE, 1_000);
        assertEquals(0, g.fireIfDue(1_000), "due means past, not at");
        assertEquals(HANDSHAKE, g.fireIfDue(1_001));
        assertEquals(0, g.fireIfDue(1_002), "once");
        assertTrue(g.disarm());
        assertEquals(0, g.fireIfDue(Long.MAX_VALUE), "a disarmed guard never fires");
    }

    @Test
    void theSameWordAgainIsPastTheSameDueTimeSoFiringIsRight() {
        G g = new G();
        g.arm(WRITE, 1_000);
        long seen = g.current();
        g.disarm();
        g.arm(WRITE, 1_000);
        assertEquals(WRITE, g.fire(seen, 2_000));
        assertTrue(g.disarm());
    }

    @Test
    void dueTimesAreNanoTimeValuesOfAnySign() {
        G g = new G();
        g.arm(WRITE, -10);                   // nanoTime may be negative
        assertEquals(0, g.fireIfDue(-20));
        assertEquals(WRITE, g.fireIfDue(0));
        assertTrue(g.disarm());
        g.arm(WRITE, Long.MAX_VALUE - 5);    // and wraps: "past" is now - due > 0
        assertEquals(0, g.fireIfDue(Long.MAX_VALUE - 100));
        assertEquals(WRITE, g.fireIfDue(Long.MIN_VALUE + 100));
        assertTrue(g.disarm());
    }
}
