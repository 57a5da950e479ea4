package dev.weft.core;

import java.net.SocketTimeoutException;

/**
 * A timeout ended a read or write on a connection. {@link #kind()} says which one fired; the
 * message also names the connection and the configured value.
 */
public final class ConnectionTimeoutException extends SocketTimeoutException {

    /** Which bound was exceeded. */
    public enum Kind {
        /** One blocking read while busy took longer than {@code readTimeout}. */
        READ,
        /** An idle connection saw no byte within {@code idleTimeout}. */
        IDLE,
        /** A unit of work passed the deadline set with {@link SocketInput#deadline}. */
        DEADLINE,
        /**
         * A blocked write saw no progress (the peer took no byte) for {@code writeTimeout}, or the
         * {@linkplain SocketOutput#deadline(java.time.Instant) write deadline} passed; the socket is closed.
         */
        WRITE,
        /** The TLS handshake took longer than {@code handshakeTimeout}. */
        HANDSHAKE
    }

    private static final long serialVersionUID = 1L;

    private final Kind kind;

    /**
     * @param kind    which timeout fired
     * @param message what timed out and where (the connection and peer, the bound in force)
     */
    public ConnectionTimeoutException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** Which timeout fired. */
    public Kind kind() {
        return kind;
    }
}
