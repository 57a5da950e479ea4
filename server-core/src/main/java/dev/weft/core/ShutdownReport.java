package dev.weft.core;

import java.time.Duration;
import java.util.List;

/**
 * What a graceful shutdown did.
 *
 * @param completed  connections busy when shutdown began that finished on their own within the grace
 * @param closedIdle connections closed at once because they were idle (or went idle during the drain)
 * @param forced     connections still busy at the end of the grace, closed by force
 * @param elapsed    from the start of shutdown until every connection thread had ended (the drain delay included)
 * @param forcedIds  the ids ({@link Connection#id()}) of the forced connections, in the order closed
 * @param drainDelay how long the server went on accepting and serving after the shutdown began
 *                   ({@link ServerBuilder#drainDelay}); shorter than configured if the shutting
 *                   thread was interrupted, zero without one
 * @param acceptedDuringDelay connections accepted during the drain delay
 * @param streamsCompleted requests multiplexed on a connection (HTTP/2 streams) that were in flight
 *                   when their connection began to drain and finished normally (see
 *                   {@link Connection#streamEnded}); 0 when no protocol multiplexes
 * @param streamsReset such requests that did not finish: reset, or cut by the forced close of
 *                   their connection
 */
public record ShutdownReport(long completed, long closedIdle, long forced, Duration elapsed, List<Long> forcedIds,
        Duration drainDelay, long acceptedDuringDelay, long streamsCompleted, long streamsReset) {

    /** Copies {@code forcedIds}: a report does not change under its reader. */
    public ShutdownReport {
        forcedIds = forcedIds == null ? List.of() : List.copyOf(forcedIds);
        drainDelay = drainDelay == null ? Duration.ZERO : drainDelay;
    }

    /** A report without stream counts, as before they were reported. */
    public ShutdownReport(long completed, long closedIdle, long forced, Duration elapsed, List<Long> forcedIds,
            Duration drainDelay, long acceptedDuringDelay) {
        this(completed, closedIdle, forced, elapsed, forcedIds, drainDelay, acceptedDuringDelay, 0, 0);
    }

    /** A report of a shutdown without a drain delay. */
    public ShutdownReport(long completed, long closedIdle, long forced, Duration elapsed, List<Long> forcedIds) {
        this(completed, closedIdle, forced, elapsed, forcedIds, Duration.ZERO, 0);
    }

    /** A report without the forced connections' ids, as before they were reported. */
    public ShutdownReport(long completed, long closedIdle, long forced, Duration elapsed) {
        this(completed, closedIdle, forced, elapsed, List.of());
    }
}
