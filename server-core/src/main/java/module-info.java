/**
 * Weft server-core: TCP servers on virtual threads, one virtual thread per connection,
 * blocking streams with readn/writen loops, timeouts and graceful shutdown.
 */
module dev.weft.core {
    requires org.slf4j; // no slf4j type in the API: users pick their own binding
    exports dev.weft.core;
    // A qualified export, not API: the HTTP module borrows the connection's buffer pool and the
    // clock-free deadline; no other module (and no user) can see the internal package.
    exports dev.weft.core.internal to dev.weft.http;
}
