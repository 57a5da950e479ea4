package dev.weft.core;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One accepted TCP (or TLS) connection, owned by the virtual thread that runs its handler.
 *
 * <p>Only that thread reads and writes, unless the protocol hands the reading to one thread of
 * its own, or {@linkplain #shareOutput() shares the output} with writers on other threads. Other
 * threads (shutdown, the write watchdog) may close it, which makes a blocked read or write fail at
 * once.
 *
 * <p>Idle and busy tell graceful shutdown what it may close at once: a connection is
 * <em>busy</em> from the moment it is accepted; a protocol calls {@link #markIdle()} while it
 * waits for the next unit of work (an HTTP keep-alive wait) and {@link #markBusy()} when one
 * begins. Reads while idle are bounded by {@code idleTimeout}, reads while busy by
 * {@code readTimeout}. Idle connections also give their I/O buffers back to a shared pool.
 */
public interface Connection extends AutoCloseable {

    /** A number unique within the server, also in the thread name {@code weft-conn-<id>}. */
    long id();

    /** The buffered input of this connection; always the same object. */
    SocketInput in();

    /** The buffered output of this connection; always the same object. */
    SocketOutput out();

    /** Scratch buffers leased from the server's pool; see {@link Buffers}. Always the same object. */
    Buffers buffers();

    /** The peer's address and port, as accepted. */
    InetSocketAddress remoteAddress();

    /** This end's address and port: on a wildcard bind, the interface the peer reached. */
    InetSocketAddress localAddress();

    /** True when the connection runs over TLS. */
    boolean isSecure();

    /**
     * What the TLS handshake settled (version, cipher suite, ALPN protocol, the client's
     * certificates, SNI name); empty on plain TCP. A protocol server that offers several
     * application protocols picks its parser by {@link TlsInfo#applicationProtocol()}.
     * The default, for connections that are not sockets (tests), is empty.
     */
    default java.util.Optional<TlsInfo> tls() {
        return java.util.Optional.empty();
    }

    /**
     * The application protocol the TLS handshake agreed by ALPN (RFC 7301), e.g. {@code h2} or
     * {@code http/1.1}; {@code null} on plain TCP or when the handshake agreed none. A protocol
     * that offers several over one port (see {@code SSLSocket.setHandshakeApplicationProtocolSelector},
     * set through the server's {@code SSLContext}) reads it before its first byte.
     */
    default String applicationProtocol() {
        return tls().map(TlsInfo::applicationProtocol).filter(p -> !p.isEmpty()).orElse(null);
    }

    /** Flushes, then half-closes: sends FIN while reading goes on. */
    void shutdownOutput() throws IOException;

    /**
     * Closes without destroying what was just sent: flushes, sends FIN (TLS: close_notify), then
     * reads and discards what the peer still sends until it closes its side, {@code maxBytes} were
     * discarded or {@code maxWait} has passed, and only then closes. If {@code maxBytes} run out
     * first, it stops reading but keeps the socket open for the rest of {@code maxWait}: the
     * peer's sends stall while it has the time to read the response. For a protocol that answers
     * an error (an HTTP 400, 408 or 413) while the peer may still be sending: closing a socket
     * with unread input makes the kernel send RST instead of FIN, and an RST can discard the
     * response before the peer has read it (RFC 9112 §9.6; Go's closeWriteAndWait). Call it from
     * the thread that writes, with no other thread reading; a closed connection is left as is.
     *
     * <p>After a read timeout on plain TCP the socket's input has been shut down (that is how a
     * blocked read is cut) and cannot be read any more, and the kernel would reset the connection
     * on the first byte the peer sends after our FIN. So then the connection stays open for
     * {@code maxWait} while the kernel delivers the response, and only then sends FIN and closes.
     *
     * @param maxWait  the longest the peer is given to close its side; zero closes right after the FIN
     * @param maxBytes the most bytes read and discarded meanwhile
     */
    void closeGracefully(java.time.Duration maxWait, long maxBytes);

    /** Resets the connection (SO_LINGER 0, then close): queued bytes are discarded, the peer sees RST. */
    void abort();

    /** Flushes what is buffered (best effort) and closes. Safe to call more than once, from any thread. */
    @Override
    void close();

    /** True once the connection is closed, by anyone. */
    boolean isClosed();

    /**
     * Marks that no unit of work is in flight. If the server is draining and its drain delay is
     * over (the listener is closed), the connection is closed at once (the next read fails),
     * since nothing would be lost. Except a connection accepted after the shutdown began that has
     * not yet been busy after such a wait: its client connected to send something, perhaps
     * already on its way, so it is given the grace for that first unit of work.
     */
    void markIdle();

    /**
     * Marks that a unit of work has begun.
     *
     * @return false if shutdown closed the connection while it was idle: the work must not start
     */
    boolean markBusy();

    /** What {@link #awaitIdle(ConnectionHandler)} returns when the connection hibernates. */
    int HIBERNATED = -2;

    /**
     * A continuation for {@link #awaitIdle} that is also told when its connection is closed
     * while hibernated by the server itself (the idle timeout, graceful shutdown, eviction at
     * {@code maxConnections}), which no thread of the connection would see. The peer's FIN or
     * reset is not such a close: it wakes the connection as bytes do, and {@link #handle} reads
     * the end. A close that comes while the connection is on its way into the hibernation, after
     * {@code awaitIdle} returned {@link #HIBERNATED}, is told the same way. For a protocol that holds resources across a hibernation or owes someone a notice
     * (a WebSocket listener's {@code onClose}).
     */
    interface HibernatedHandler extends ConnectionHandler {
        /**
         * The connection was closed while hibernated; on a virtual thread of its own. Do not use
         * the connection; an exception is logged.
         *
         * @param connection the closed connection
         */
        void closedWhileHibernated(Connection connection);
    }

    /**
     * The idle wait of a protocol that can go on from a fresh thread: like {@code in().peek()},
     * but if nothing arrives within {@code hibernateIdleAfter} (see
     * {@link ServerBuilder#hibernateIdleAfter}) the connection <em>hibernates</em> and this
     * returns {@link #HIBERNATED}. The caller must then return from its handler at once,
     * without touching the connection: its virtual thread ends and its stack is freed, the
     * socket waits in a poller the server owns, and when the socket becomes readable (bytes, the
     * peer's FIN or a reset) {@code resume} runs on a fresh virtual thread with this same
     * connection, as a handler would (when it returns the connection is closed, unless it
     * hibernated again). It finds the connection still idle: it calls this method again, which
     * returns the first byte at once (or -1), and then {@link #markBusy()}. A hibernated
     * connection keeps no streams either: {@link #in()} and {@link #out()} are new objects on
     * the fresh thread (their byte counts go on), so {@code resume} takes them again from the
     * connection rather than keep the ones from before.
     *
     * <p>While hibernated the connection is idle in every respect: the idle timeout closes it at
     * the same deadline it would have had, graceful shutdown closes it at once and counts it
     * among the idle, the limit at {@code maxConnections} may evict it, and it holds no buffer.
     * {@code resume} is all the protocol keeps: keep in it only what a waiting connection needs.
     *
     * <p>Exactly {@code in().peek()} (never hibernates) when hibernation is off, on TLS, when
     * the connection is not idle, when bytes are already buffered, while a read deadline is in
     * force, during a drain, or when called from another thread than the connection's own. No
     * other thread may read meanwhile, and none may write but between {@link #acquireWriter()}
     * and {@link #releaseWriter()}: a writer that holds the connection when the wait ends keeps it
     * awake (the handler returns all the same, and {@code resume} runs at once on this thread).
     * A connection with an {@link #onDraining} action may hibernate: the action then runs while
     * the connection has no thread, and writes through {@link #acquireWriter()}, which wakes it.
     *
     * @param resume what continues the protocol on the fresh thread (typically the protocol's
     *               connection object itself, so that nothing is allocated per wait)
     * @return the next byte, not consumed; -1 at end of stream; or {@link #HIBERNATED}
     * @throws java.io.IOException as {@code in().peek()} (the idle timeout, a reset)
     */
    int awaitIdle(ConnectionHandler resume) throws IOException;

    /**
     * Declares that threads other than the connection's own will write to it (a WebSocket's
     * sends from a broadcasting thread), each between {@link #acquireWriter()} and
     * {@link #releaseWriter()}. Call it on the connection's thread before any such thread can
     * see the connection. From then on an idle read, on whichever thread reads, gives the output
     * buffer back, but only while no writer holds the connection, and a hibernated connection is
     * woken for a writer. Writers still take turns among themselves (the protocol's own lock): the output
     * is one stream. Idempotent. The default does nothing.
     */
    default void shareOutput() {
    }

    /**
     * Makes the connection writable from this thread until {@link #releaseWriter()}, for a
     * connection that {@link #shareOutput() shares its output}. A hibernated connection is woken
     * first (as when bytes arrive: its protocol continues on a fresh thread) and this waits until
     * its socket is back in blocking mode; while held, the connection does not hibernate and no
     * idle wait gives its output buffer back. Take {@link #out()} after this returns: the stream
     * is a new object after a hibernation. The connection's own thread may call it too (so every
     * write of the protocol goes the same way); it never waits there.
     *
     * @return false if the connection is closed (nothing may be written; do not release)
     * @throws java.io.InterruptedIOException if interrupted while waiting for the wake-up
     */
    default boolean acquireWriter() throws java.io.InterruptedIOException {
        return !isClosed();
    }

    /** Ends what {@link #acquireWriter()} began (only after it returned true). The default does nothing. */
    default void releaseWriter() {
    }

    /** True while idle (see {@link #markIdle()}). */
    boolean isIdle();

    /**
     * True once the server has begun a graceful shutdown: finish the current unit of work, then
     * close. True from the start of the drain delay ({@link ServerBuilder#drainDelay}), while the
     * server still accepts: a connection accepted then is draining from its first byte. Idle
     * connections are closed (and {@link #markIdle()} closes) only once the delay is over.
     */
    boolean isDraining();

    /**
     * Registers {@code action} to run when graceful shutdown begins: once, on the thread that
     * begins it, before idle connections are closed; or at once, on this thread, if the server is
     * already draining. The hook for a protocol that must say goodbye itself (a WebSocket's close
     * 1001). A connection with such an action is not closed as idle when the drain starts, nor
     * when it goes idle during the drain: it is given the grace like a busy one, and closed by
     * force when the grace ends. The action must not block for long (it delays the shutdown of
     * the other connections); an exception from it is logged and ignored.
     *
     * @param action what to run; actions run in the order registered
     */
    void onDraining(Runnable action);

    /**
     * Counts, for the shutdown report, one of several requests multiplexed on this connection
     * (an HTTP/2 stream) that was in flight when the connection began to drain (its
     * {@link #onDraining} action ran) and has ended since: {@code completed} when it finished
     * normally, false when it was reset or cut by the connection's close.
     * {@link ShutdownReport#streamsCompleted()} and {@link ShutdownReport#streamsReset()} are the
     * sums. Call it once per such request, before the connection's thread ends (a request still
     * running then is counted as reset by then); outside a graceful shutdown it is ignored. A
     * protocol that serves one request at a time does not call it: its connection is what the
     * report counts. The default ignores it.
     *
     * @param completed whether the request finished normally
     */
    default void streamEnded(boolean completed) {
    }
}
