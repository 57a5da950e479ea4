package dev.weft.http2.internal;

import java.io.IOException;

/**
 * One stream's request on its own virtual thread, with the lifecycle of HTTP/1.1 per stream: the
 * response ends (END_STREAM) only once the handler and filters returned normally; a failure before
 * the head went out becomes its error answer; one after is RST_STREAM(INTERNAL_ERROR), so the
 * client never takes a cut response for a whole one.
 */
final class H2Exchange {

    private final H2Connection c;
    private final H2Stream s;
    private final H2Request req;
    private final H2Response res;

    H2Exchange(H2Connection c, H2Stream s, H2Request req) {
        this.c = c;
        this.s = s;
        this.req = req;
        this.res = new H2Response(c, s, req);
    }

    /**
     * Serves the stream, then runs its {@code onComplete} actions and records it (access log,
     * JFR) as HTTP/1.1 does.
     *
     * @return true when the stream finished normally (END_STREAM after the handler, its error
     *     answer included), false when it was reset
     */
    boolean serve() {
        Throwable abort = null;
        try {
            if (req.tooLarge) {
                // RFC 9113 §10.5.1: a header list over our bound is answered 431, the handler never runs.
                res.status(431).contentType("text/plain; charset=utf-8").send("request header fields too large\n");
            } else {
                c.dispatcher.dispatch(req, res);
            }
            boolean endedByShutdown = false;
            if (res.events != null) {
                res.events.stop();
                endedByShutdown = res.events.endedByShutdown; // already ended cleanly, with END_STREAM
            }
            if (!endedByShutdown) {
                res.finish();
            }
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError v && !(e instanceof StackOverflowError)) {
                c.abortStream(s, H2Error.INTERNAL_ERROR);
                throw v;
            }
            abort = fail(e);
        }
        // The exchange is over (finished, answered with its error, or reset): what filters registered learns which.
        res.complete(abort);
        c.dispatcher.exchangeEnded(req, res, res.statusSent(), s.received(), res.bodyBytes, abort, req.startNanos, req.event);
        return abort == null;
    }

    /** @return null when the failure was answered (or the stream had ended cleanly), else what reset the stream */
    private Throwable fail(Throwable e) {
        if (res.events != null) {
            res.events.stop();
            if (res.events.endedByShutdown) {
                H2Connection.LOG.debug("conn {}: stream {}: event stream ended by shutdown: {}", c.conn.id(), s.id, e.toString());
                return null;
            }
        }
        if (s.reset) {
            H2Connection.LOG.debug("conn {}: stream {} ended by a reset: {}", c.conn.id(), s.id, e.toString());
            return e;
        }
        if (!res.isCommitted()) {
            try {
                c.dispatcher.answerError(req, res, e);
                res.finish();
                return null;
            } catch (Throwable again) {
                if (!res.isCommitted() && !s.reset) {
                    try {
                        res.resetForError(500, again);
                        res.contentType("text/plain; charset=utf-8").send("internal server error\n");
                        res.finish();
                        H2Connection.LOG.error("conn {}: stream {}: answering the failure failed too", c.conn.id(), s.id, again);
                        return null;
                    } catch (Throwable last) {
                        again.addSuppressed(last);
                    }
                }
                e = again;
            }
        }
        if (e instanceof IOException && s.reset) {
            H2Connection.LOG.debug("conn {}: stream {} reset during the response: {}", c.conn.id(), s.id, e.toString());
        } else if (req.bodyFailure() != null) {
            H2Connection.LOG.info("conn {}: stream {} {} {}: the request body failed after the response began ({}); stream reset",
                    c.conn.id(), s.id, req.method(), req.target(), req.bodyFailure().reason());
        } else {
            H2Connection.LOG.error("conn {}: stream {} {} {} failed after the response began; stream reset",
                    c.conn.id(), s.id, req.method(), req.target(), e);
        }
        c.abortStream(s, H2Error.INTERNAL_ERROR);
        return e;
    }
}
