package dev.weft.websocket.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One WebSocket session, from the 101 to the close of its connection (the event's duration).
 * Name and fields are a contract (docs/observability.md).
 */
@Name("dev.weft.WebSocketSession")
@Label("WebSocket Session")
@Category({"Weft", "WebSocket"})
@Description("One WebSocket session: messages and bytes each way, and how it closed")
@StackTrace(false)
final class WebSocketSessionEvent extends Event {

    @Label("Connection Id")
    @Description("The id of the connection the session runs on, as in the thread name weft-conn-<id>")
    long connectionId;

    @Label("Path")
    String path;

    @Label("Subprotocol")
    String subprotocol;

    @Label("Compressed")
    @Description("permessage-deflate was negotiated")
    boolean compressed;

    @Label("Messages In")
    long messagesIn;

    @Label("Messages Out")
    long messagesOut;

    @Label("Bytes In")
    @Description("Payload bytes of data frames received, as on the wire (compressed when negotiated)")
    @DataAmount
    long bytesIn;

    @Label("Bytes Out")
    @Description("Payload bytes of data frames sent, as on the wire (compressed when negotiated)")
    @DataAmount
    long bytesOut;

    @Label("Close Code")
    @Description("The session's close status code (1006 when the connection was lost without a close)")
    int closeCode;

    @Label("Close Reason")
    String closeReason;
}
