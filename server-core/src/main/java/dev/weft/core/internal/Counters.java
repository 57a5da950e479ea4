package dev.weft.core.internal;

import dev.weft.core.ConnectionTimeoutException;
import dev.weft.core.ServerStats;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters. {@link LongAdder}s, because every connection thread adds bytes on
 * every read and write: striped cells keep that free of contention.
 */
final class Counters {

    private static final ConnectionTimeoutException.Kind[] KINDS = ConnectionTimeoutException.Kind.values();

    final LongAdder accepted = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder waitedAtLimit = new LongAdder();
    final LongAdder idleEvicted = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    /** Connections hibernated now (see {@link Hibernator}): up on hibernating, down on waking or ending. */
    final LongAdder hibernated = new LongAdder();
    private final LongAdder[] timeouts = new LongAdder[KINDS.length];

    Counters() {
        for (int i = 0; i < timeouts.length; i++) {
            timeouts[i] = new LongAdder();
        }
    }

    void timeout(ConnectionTimeoutException.Kind kind) {
        timeouts[kind.ordinal()].increment();
    }

    ServerStats snapshot(long active, boolean watchdogAlive) {
        Map<ConnectionTimeoutException.Kind, Long> byKind = new EnumMap<>(ConnectionTimeoutException.Kind.class);
        for (ConnectionTimeoutException.Kind k : KINDS) {
            byKind.put(k, timeouts[k.ordinal()].sum());
        }
        return new ServerStats(accepted.sum(), active, completed.sum(), waitedAtLimit.sum(), byKind,
                bytesIn.sum(), bytesOut.sum(), idleEvicted.sum(), watchdogAlive, hibernated.sum());
    }
}
