package dev.weft.core.internal;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;

/**
 * How a connection's end is logged: once, with the connection id. Peers that reset, vanish or
 * time out, and sockets we closed ourselves (shutdown, watchdog), are normal events at DEBUG
 * (a reset, broken pipe or EOF is the peer's doing, not a bug); a failed TLS handshake is one
 * rate-limited INFO line (see
 * {@link Engine#logHandshakeFailure}); anything else a handler throws is a bug worth a stack
 * trace at WARN.
 */
final class Failures {

    private Failures() {
    }

    static void log(ConnectionImpl conn, Throwable t, boolean closedByUs) {
        if (!closedByUs && conn.inHandshake() && !(t instanceof dev.weft.core.ConnectionTimeoutException)) {
            conn.engine().logHandshakeFailure(conn, t);
            return;
        }
        if ((closedByUs && isIoOrInterrupt(t)) || isPeerOrTimeout(t)) {
            if (Engine.LOG.isDebugEnabled()) {
                Engine.LOG.debug("{}: ended: {}", conn.describe(), t.toString());
            }
        } else if (t instanceof Error) {
            Engine.LOG.error("{}: handler failed", conn.describe(), t);
        } else {
            Engine.LOG.warn("{}: handler failed", conn.describe(), t);
        }
    }

    /** What a handler sees when we close its socket or interrupt its thread; anything else is still a bug. */
    private static boolean isIoOrInterrupt(Throwable t) {
        return t instanceof IOException || t instanceof java.io.UncheckedIOException || t instanceof InterruptedException;
    }

    /** Peer reset, broken pipe, EOF, a timeout, a closed socket, or a TLS alert from the peer. */
    static boolean isPeerOrTimeout(Throwable t) {
        for (int depth = 0; t != null && depth < 4; depth++, t = t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof EOFException
                    || t instanceof ClosedChannelException || t instanceof SSLException) {
                return true;
            }
            if (t instanceof SocketException || (t instanceof IOException && t.getClass() == IOException.class)) {
                String m = t.getMessage();
                if (m != null && (m.contains("reset") || m.contains("Broken pipe") || m.contains("closed")
                        || m.contains("Closed") || m.contains("abort") || m.contains("shutdown"))) {
                    return true;
                }
            }
        }
        return false;
    }
}
