package dev.weft.http.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One HTTP connection, from the start of its request loop (right after accept, or after the TLS
 * handshake) to its close. Name and fields are a contract (docs/observability.md).
 */
@Name("dev.weft.Connection")
@Label("HTTP Connection")
@Category({"Weft", "HTTP"})
@Description("One HTTP connection, from accept to close, and why it ended")
@StackTrace(false)
public final class HttpConnectionEvent extends Event {

    @Label("Connection Id")
    public long connectionId;

    @Label("Remote Address")
    @Description("The peer as host:port")
    public String remoteAddress;

    @Label("Requests")
    @Description("Requests served on the connection in this event (rejected heads included; HTTP/2: its streams; after a hibernation, since the wake)")
    public long requests;

    @Label("End")
    @Description("Why it ended: eof (the client closed), idle-timeout, header-timeout, body-timeout, read-timeout, "
            + "write-timeout, rejected (bad request head or body), close (a response said Connection: close), "
            + "body-unread (too much request body left to skip), reset (the peer reset it), aborted (the server "
            + "reset it: a failure after the response began), shutdown, upgrade-ended (after a 101), protocol-ended (the protocol that took it over, HTTP/2, returned), hibernated (the connection went on waiting without a thread: each stint after a wake is an event of its own, same connection id), error")
    public String end;
}
