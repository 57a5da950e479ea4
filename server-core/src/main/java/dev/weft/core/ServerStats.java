package dev.weft.core;

import java.util.Map;

/**
 * A snapshot of a server's counters since start.
 *
 * @param accepted      connections accepted
 * @param active        connections open now
 * @param completed     connections that have ended (for any reason)
 * @param waitedAtLimit times the acceptor had to wait because {@code maxConnections} were open
 * @param timeouts      timeouts fired, by kind (every kind present, zero when none fired)
 * @param bytesIn       bytes read from all connections
 * @param bytesOut      bytes written to all connections
 * @param idleEvicted   idle connections closed at {@code maxConnections} to make room for a new one
 * @param watchdogAlive true while the server's watchdog thread, which enforces every write
 *                      timeout, the TLS handshake timeout and the read timeouts of plain TCP,
 *                      has completed a scan of all connections
 *                      within the last second (it scans at least ten times a second). False
 *                      after shutdown, or if the watchdog stalled or failed tick after tick: then
 *                      timeouts are not being enforced, and the server should be restarted.
 *                      A failure in one connection's check does not make it false (it is logged
 *                      at ERROR and the other connections are still checked).
 * @param hibernated    connections open now that wait without a thread (see
 *                      {@link ServerBuilder#hibernateIdleAfter}); they are counted in {@code active} too
 */
public record ServerStats(long accepted, long active, long completed, long waitedAtLimit,
                          Map<ConnectionTimeoutException.Kind, Long> timeouts,
                          long bytesIn, long bytesOut, long idleEvicted, boolean watchdogAlive,
                          long hibernated) {

    /** Copies {@code timeouts}: a snapshot does not change under its reader. */
    public ServerStats {
        timeouts = Map.copyOf(timeouts);
    }

    /** The counters without {@code hibernated} (zero), as before it existed. */
    public ServerStats(long accepted, long active, long completed, long waitedAtLimit,
                       Map<ConnectionTimeoutException.Kind, Long> timeouts, long bytesIn, long bytesOut,
                       long idleEvicted, boolean watchdogAlive) {
        this(accepted, active, completed, waitedAtLimit, timeouts, bytesIn, bytesOut, idleEvicted, watchdogAlive, 0);
    }

    /** The counters without {@code idleEvicted} (zero) and {@code watchdogAlive} (true), as before they existed. */
    public ServerStats(long accepted, long active, long completed, long waitedAtLimit,
                       Map<ConnectionTimeoutException.Kind, Long> timeouts, long bytesIn, long bytesOut) {
        this(accepted, active, completed, waitedAtLimit, timeouts, bytesIn, bytesOut, 0, true, 0);
    }

    /** Timeouts of one kind. */
    public long timeouts(ConnectionTimeoutException.Kind kind) {
        return timeouts.getOrDefault(kind, 0L);
    }
}
