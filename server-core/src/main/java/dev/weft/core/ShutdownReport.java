package dev.weft.core;

import java.time.Duration;

/**
 * What a graceful shutdown did.
 *
 * @param completed  connections busy when shutdown began that finished on their own within the grace
 * @param closedIdle connections closed at once because they were idle (or went idle during the drain)
 * @param forced     connections still busy at the end of the grace, closed by force
 * @param elapsed    from the start of shutdown until every connection thread had ended
 */
public record ShutdownReport(long completed, long closedIdle, long forced, Duration elapsed) {
}
