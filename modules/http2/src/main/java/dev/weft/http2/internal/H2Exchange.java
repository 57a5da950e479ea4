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

    void serve() {
        try {
            if (req.tooLarge) {
                // RFC 9113 §10.5.1: a header list over our bound is answered 431, the handler never runs.
                res.status(431).contentType("text/plain; charset=utf-8").send("request header fields too large\n");
            } else {
                c.dispatcher.dispatch(req, res);
            }
            if (res.events != null) {
                res.events.stop();
                if (res.events.endedByShutdown) {
                    return; // already ended cleanly, with END_STREAM
                }
            }
            res.finish();
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError v && !(e instanceof StackOverflowError)) {
                c.abortStream(s, H2Error.INTERNAL_ERROR);
                throw v;
            }
            fail(e);
        } finally {
            c.dispatcher.logAccess(req, res.status(), res.bodyBytes, req.startNanos);
        }
    }

    private void fail(Throwable e) {
        if (res.events != null) {
            res.events.stop();
            if (res.events.endedByShutdown) {
                H2Connection.LOG.debug("conn {}: stream {}: event stream ended by shutdown: {}", c.conn.id(), s.id, e.toString());
                return;
            }
        }
        if (s.reset) {
            H2Connection.LOG.debug("conn {}: stream {} ended by a reset: {}", c.conn.id(), s.id, e.toString());
            return;
        }
        if (!res.isCommitted()) {
            try {
                c.dispatcher.answerError(req, res, e);
                res.finish();
                return;
            } catch (Throwable again) {
                if (!res.isCommitted() && !s.reset) {
                    try {
                        res.resetForError(500);
                        res.contentType("text/plain; charset=utf-8").send("internal server error\n");
                        res.finish();
                        H2Connection.LOG.error("conn {}: stream {}: answering the failure failed too", c.conn.id(), s.id, again);
                        return;
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
    }
}
