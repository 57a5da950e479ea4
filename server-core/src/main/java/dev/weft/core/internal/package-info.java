/**
 * The implementation behind {@code dev.weft.core}, exported to no module: protocol modules use
 * the public package only.
 *
 * <h2>For protocol modules</h2>
 * <ul>
 *   <li><b>Idle and busy.</b> A connection starts busy. Call {@code markIdle()} right before
 *       waiting for the next unit of work (flush first: an idle connection gives its output
 *       buffer back only when it is empty), then {@code in().peek()}; when it returns a byte,
 *       call {@code markBusy()} and stop if it returns false (shutdown closed the connection).
 *       Reads while idle are bounded by idleTimeout, while busy by readTimeout. When a drain is
 *       on, {@code markIdle()} closes the connection at once and the next read fails.</li>
 *   <li><b>Buffers.</b> Each connection's input and output take a {@code bufferSize} buffer from
 *       the server's {@link dev.weft.core.internal.BufferPool} and give it back while idle and
 *       empty, and when the connection ends. While idle the thread waits reading into a 256-byte
 *       array, so an idle connection holds no buffer (about 4 KB RSS each at 10k, HTTP).
 *       Other code may borrow from {@code ((ConnectionImpl) conn).pool()} with
 *       {@code acquire(conn.id())} / {@code release(buf, conn.id())}; never release a buffer
 *       twice or keep using it after release.</li>
 *   <li><b>Deadlines.</b> {@code in().deadline(Instant)} bounds every following read until
 *       cleared with {@code null}; {@link dev.weft.core.internal.SocketInputImpl#deadlineAfter}
 *       does the same from a {@code Duration}. A passed deadline is a
 *       {@code ConnectionTimeoutException} of kind DEADLINE; the connection stays open so the
 *       protocol can answer (HTTP 408) before closing.</li>
 *   <li><b>Timeouts do not close.</b> A read timeout throws and leaves the socket usable; the
 *       connection closes when the handler returns or throws. A write timeout has already
 *       closed the socket (the watchdog's only way to unblock a write).</li>
 *   <li><b>Streams.</b> {@code in().close()} and {@code out().close()} close the connection, as
 *       a socket's streams do. {@code in().transferTo(out)} flushes after each chunk, so it
 *       works as an interactive pump.</li>
 *   <li><b>Threads.</b> One thread reads and one thread writes at a time: the connection's own
 *       thread for both, or a reader and a writer (as the chat sample does; reads and writes
 *       have separate watchdog bounds). Any thread
 *       may {@code close()} or {@code abort()}: from another thread that only closes the socket
 *       (no flush, no TLS close_notify).</li>
 *   <li><b>TLS.</b> {@code conn.tls()} is what the handshake settled (version, cipher suite,
 *       the ALPN protocol, the client's certificates, SNI). A protocol server offers its ALPN
 *       names and its answer to plain text on the TLS port through
 *       {@code ServerBuilder.tlsDefaults}; {@link dev.weft.core.internal.TlsRuntime} applies them
 *       to each socket and reloads renewed files without a thread.</li>
 * </ul>
 */
package dev.weft.core.internal;
