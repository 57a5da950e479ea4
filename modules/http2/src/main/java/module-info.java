/**
 * Weft http2: HTTP/2 (RFC 9113, HPACK RFC 7541) for server-http, on virtual threads: one reads
 * a connection's frames, one runs each stream's handler. Register it with
 * {@code HttpServer.builder().protocol(Http2.protocol())}; the application's routes, filters and
 * exception mapper serve both protocols unchanged.
 */
module dev.weft.http2 {
    requires transitive dev.weft.http;
    requires org.slf4j;
    exports dev.weft.http2;
}
