package dev.weft.core.internal;

import java.lang.invoke.VarHandle;

/**
 * One bound the {@link Watchdog} enforces on a connection (its reads, or its writes and TLS
 * handshake): a single word that holds the due time and the kind together, so the watchdog can
 * only fire on the exact bound it looked at.
 *
 * <p>Why one word: with the due time in a plain field and a separate "armed" flag, the watchdog
 * could read the flag of operation A, the past due time of A, and then compare-and-set the flag
 * after A ended and a fresh operation B had set it again: B is killed the moment it starts (an
 * ABA race). Here the watchdog compares-and-sets the whole word it read ({@code due|kind}) to
 * {@link #FIRED}; once the owner has disarmed or re-armed, that word is gone and the CAS fails.
 * If B happens to get the very same word (same due time to the nanosecond, same kind), B is past
 * that same due time too, so firing is still right.
 *
 * <p>The word is a {@code volatile long} field of its owner, reached through a {@link VarHandle}
 * (the connection has two: its read bound and its write bound): a guard object of its own per
 * bound would be 24 bytes more on every connection, idle or hibernated ones included.
 *
 * <p>Encoding: the low two bits are the kind (1–3), the rest the due time ({@link System#nanoTime}
 * based, rounded down by at most 3 ns). A word whose low bits are 0 is not armed: {@link #NONE}
 * or {@link #FIRED}. Only the owner (the thread doing the operation) arms, renews and disarms;
 * only the watchdog fires; only the owner's {@link #disarm()} leaves {@code FIRED}.
 */
final class Guard {

    static final long NONE = 0;
    static final long FIRED = 4;

    private static final long KIND_BITS = 3;

    private Guard() {
    }

    /** The owner starts a bound of {@code kind} (1–3) due at {@code dueNanos}; returns its word. */
    static long arm(VarHandle word, Object owner, int kind, long dueNanos) {
        long w = (dueNanos & ~KIND_BITS) | kind;
        // Release is enough: the word is NONE (only the owner leaves FIRED, in disarm), so no CAS can race it.
        word.setRelease(owner, w);
        return w;
    }

    /**
     * The owner moves its bound to {@code dueNanos} of {@code kind} (progress was made); returns the new word, or
     * {@link #FIRED} if the watchdog fired on {@code mine} first (the guard stays FIRED then).
     */
    static long renew(VarHandle word, Object owner, long mine, int kind, long dueNanos) {
        long w = (dueNanos & ~KIND_BITS) | kind;
        long seen = (long) word.compareAndExchange(owner, mine, w);
        return seen == mine ? w : FIRED;
    }

    /** The owner ends its bound; true if the watchdog fired on it. */
    static boolean disarm(VarHandle word, Object owner) {
        return (long) word.getAndSet(owner, NONE) == FIRED;
    }

    /** The word now, as the watchdog reads it. */
    static long current(VarHandle word, Object owner) {
        return (long) word.getVolatile(owner);
    }

    /** The watchdog: fires on the bound now in force if it is past {@code now}; its kind, or 0. */
    static int fireIfDue(VarHandle word, Object owner, long now) {
        return fire(word, owner, current(word, owner), now);
    }

    /**
     * The watchdog's second half, split out so a test can put the owner's moves between the
     * read and the compare-and-set: fires only if {@code seen} is armed, past due at {@code now},
     * and still the word in force. Returns the kind fired, or 0.
     */
    static int fire(VarHandle word, Object owner, long seen, long now) {
        if (kind(seen) != 0 && now - (seen & ~KIND_BITS) > 0 && word.compareAndSet(owner, seen, FIRED)) {
            return kind(seen);
        }
        return 0;
    }

    /** The kind of a word, 0 if it is not armed. */
    static int kind(long word) {
        return (int) (word & KIND_BITS);
    }

    /** The {@code System.nanoTime()} reading at which wall-clock {@code deadline} falls, kept far from overflow. */
    static long dueAt(java.time.Instant deadline) {
        long nanos;
        try {
            nanos = java.time.Duration.between(java.time.Instant.now(), deadline).toNanos();
        } catch (ArithmeticException e) {
            nanos = deadline.isAfter(java.time.Instant.now()) ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return System.nanoTime() + clamp(nanos);
    }

    /** The {@code System.nanoTime()} reading {@code timeout} from now, without the wall clock, kept far from overflow. */
    static long dueAfter(java.time.Duration timeout) {
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = timeout.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return System.nanoTime() + clamp(nanos);
    }

    private static long clamp(long nanos) {
        return Math.max(Long.MIN_VALUE / 4, Math.min(Long.MAX_VALUE / 4, nanos));
    }
}
