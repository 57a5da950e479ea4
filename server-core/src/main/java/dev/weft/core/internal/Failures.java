package dev.weft.core.internal;

import dev.weft.core.ConnectionTimeoutException;
import java.io.IOException;

/**
 * How a connection's end is logged: once, with the connection id. Classified by type and by who
 * threw, never by message text (a handler's own {@code IOException("backend closed")} is not the
 * peer leaving):
 * <ul>
 *   <li>DEBUG, normal events: what this connection's own socket or streams threw (the peer reset,
 *       vanished, sent a bad TLS record, ended mid-message; recorded as they are thrown, see
 *       {@link ConnectionImpl#socketFailed}), our own timeouts ({@link ConnectionTimeoutException}),
 *       and any I/O failure or interrupt after we closed the connection (shutdown, the watchdog,
 *       eviction at the connection limit);</li>
 *   <li>INFO, rate-limited: a failed TLS handshake (see {@link Engine#logHandshakeFailure});</li>
 *   <li>WARN with a stack trace (ERROR for an {@code Error}): anything else, which is the handler's
 *       own failure, a bug or a backend it could not reach.</li>
 * </ul>
 */
final class Failures {

    private Failures() {
    }

    static void log(ConnectionImpl conn, Throwable t, boolean closedByUs) {
        if (!closedByUs && conn.inHandshake() && !(t instanceof ConnectionTimeoutException)) {
            conn.engine().logHandshakeFailure(conn, t);
            return;
        }
        if ((closedByUs && isIoOrInterrupt(t)) || isOurTimeout(t) || conn.isSocketFailure(t)) {
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

    /** One of our timeouts, possibly wrapped by the handler. */
    private static boolean isOurTimeout(Throwable t) {
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof ConnectionTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
