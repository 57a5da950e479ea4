/** Weft websocket: RFC 6455 WebSockets with permessage-deflate on server-http, a blocking API. */
module dev.weft.websocket {
    requires transitive dev.weft.http;
    requires org.slf4j;
    requires jdk.jfr; // the dev.weft.WebSocketSession event (docs/observability.md)
    exports dev.weft.websocket;
}
