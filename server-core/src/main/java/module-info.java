/**
 * Weft server-core: TCP servers on virtual threads, one virtual thread per connection,
 * blocking streams with readn/writen loops, timeouts and graceful shutdown.
 */
module dev.weft.core {
    requires org.slf4j; // no slf4j type in the API: users pick their own binding
    requires jdk.jfr; // the dev.weft.Shutdown event (docs/observability.md)
    // Only the API. Protocol modules (HTTP/1.1 included) use nothing else: what they need to be
    // fast (look-ahead, a relative deadline, leased scratch buffers) is public here, for everyone.
    exports dev.weft.core;
}
