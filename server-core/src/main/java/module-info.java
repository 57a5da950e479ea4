/**
 * Weft server-core: TCP servers on virtual threads, one virtual thread per connection,
 * blocking streams with readn/writen loops, timeouts and graceful shutdown.
 */
module dev.weft.core {
    requires transitive org.slf4j;
    exports dev.weft.core;
    // The HTTP module reuses the buffer pool and clock; nobody else sees internals.
    exports dev.weft.core.internal to dev.weft.http;
}
