package dev.weft.core.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * One graceful shutdown, from its start to the end of the last connection thread (the event's
 * duration), with the counts of its {@link dev.weft.core.ShutdownReport}. Name and fields are a
 * contract (docs/observability.md).
 */
@Name("dev.weft.Shutdown")
@Label("Server Shutdown")
@Category({"Weft", "Server"})
@Description("A graceful shutdown: its phases and what it did with the connections")
@StackTrace(false)
final class ShutdownEvent extends Event {

    @Label("Port")
    int port;

    @Label("Grace")
    @Timespan(Timespan.NANOSECONDS)
    long grace;

    @Label("Stop Accepting")
    @Description("From the start until the listener was closed and the acceptor had ended")
    @Timespan(Timespan.NANOSECONDS)
    long stopAccepting;

    @Label("Drain")
    @Description("From the start until every busy connection had finished or the grace ended")
    @Timespan(Timespan.NANOSECONDS)
    long drain;

    @Label("Completed")
    @Description("Connections busy at the start that finished within the grace")
    long completed;

    @Label("Closed Idle")
    @Description("Connections closed at once because they were idle (or went idle during the drain)")
    long closedIdle;

    @Label("Forced")
    @Description("Connections still busy when the grace ended, closed by force")
    long forced;

    @Label("Forced Ids")
    @Description("The ids of the forced connections, at most 20")
    String forcedIds;

    @Label("Streams Completed")
    @Description("HTTP/2 streams in flight when their connection began to drain that finished normally")
    long streamsCompleted;

    @Label("Streams Reset")
    @Description("HTTP/2 streams in flight when their connection began to drain that were reset or cut by a forced close")
    long streamsReset;
}
