package dev.weft.core;

import java.time.Duration;
import java.util.List;

/**
 * What a graceful shutdown did.
 *
 * @param completed  connections busy when shutdown began that finished on their own within the grace
 * @param closedIdle connections closed at once because they were idle (or went idle during the drain)
 * @param forced     connections still busy at the end of the grace, closed by force
 * @param elapsed    from the start of shutdown until every connection thread had ended
 * @param forcedIds  the ids ({@link Connection#id()}) of the forced connections, in the order closed
 */
public record ShutdownReport(long completed, long closedIdle, long forced, Duration elapsed, List<Long> forcedIds) {

    /** Copies {@code forcedIds}: a report does not change under its reader. */
    public ShutdownReport {
        forcedIds = forcedIds == null ? List.of() : List.copyOf(forcedIds);
    }

    /** A report without the forced connections' ids, as before they were reported. */
    public ShutdownReport(long completed, long closedIdle, long forced, Duration elapsed) {
        this(completed, closedIdle, forced, elapsed, List.of());
    }
}
