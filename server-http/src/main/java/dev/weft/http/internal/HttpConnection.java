package dev.weft.http.internal;

import dev.weft.core.Connection;
import dev.weft.core.ConnectionTimeoutException;
import dev.weft.core.SocketInput;
import dev.weft.core.SocketOutput;
import dev.weft.http.Filter;
import dev.weft.http.Handler;
import dev.weft.http.HttpException;
import dev.weft.http.Request;
import dev.weft.http.Response;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request loop of one connection, on its own virtual thread:
 *
 * <pre>
 *   idle ──first byte──▶ head ──parsed──▶ handler ──▶ finish ──keep-alive──▶ idle
 *     │ idle timeout,      │ 4xx / 408                   │ close / drain too long /
 *     ▼ EOF, shutdown      ▼                             ▼ draining / broken
 *   close               respond, close                 close
 * </pre>
 *
 * Responses go into the connection's buffered output and are flushed only when no further
 * request is already buffered (pipelining: one write for many responses) or before any read
 * that would block.
 */
public final class HttpConnection {

    private static final Logger LOG = LoggerFactory.getLogger("dev.weft.http");
    private static final Logger ACCESS = LoggerFactory.getLogger("dev.weft.http.access");

    final HttpSettings settings;
    final Connection conn;
    final SocketInput in;
    final dev.weft.core.internal.SocketInputImpl coreIn;
    final SocketOutput out;
    final RequestParser parser;
    final ResponseWriter writer = new ResponseWriter();
    final byte[] serverLine;
    /** The socket failed under a handler (peer gone, timeout): nothing more can be said on it. */
    boolean ioFailed;

    public HttpConnection(HttpSettings settings, Connection conn) {
        this.settings = settings;
        this.conn = conn;
        this.in = conn.in();
        this.coreIn = in instanceof dev.weft.core.internal.SocketInputImpl impl ? impl : null;
        this.out = conn.out();
        this.parser = new RequestParser(settings.maxRequestLineBytes(), settings.maxHeaderBytes(),
                settings.maxHeaderCount(), settings.maxBodyBytes(), in, out);
        if (conn instanceof dev.weft.core.internal.ConnectionImpl impl) {
            // Scratch for heads comes from the same pool as the socket buffers, and goes back while idle.
            parser.usePool(impl.pool(), conn.id());
            writer.usePool(impl.pool(), conn.id());
        }
        this.serverLine = settings.serverHeader() == null ? null
                : ("Server: " + settings.serverHeader() + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Per streamed response, not per connection: an idle connection keeps no 8 KiB it once streamed with. */
    byte[] chunkBuffer() {
        return new byte[8192];
    }

    /** Before a read that would block: send what is held back, so the client is never kept waiting for it. */
    void flushBeforeBlocking() throws IOException {
        if (in.buffered() == 0 && out.buffered() > 0) {
            out.flush();
        }
    }

    void sendContinue() throws IOException {
        try {
            out.write(ResponseWriter.CONTINUE_100);
            out.flush();
        } catch (IOException e) {
            ioFailed = true;
            throw e;
        }
    }

    /** Serves requests until the connection should close; returning closes it. */
    public void run() throws IOException {
        long headerTimeoutMillis = settings.headerTimeout().toMillis();
        while (true) {
            if (in.buffered() == 0) {
                // Nothing pipelined: send what is held back, then wait as an idle connection.
                if (out.buffered() > 0) {
                    out.flush();
                }
                parser.release();
                writer.release();
                conn.markIdle();
                int first;
                try {
                    first = in.peek();
                } catch (IOException e) {
                    // Idle timeout, shutdown closing an idle connection, or a reset: all quiet ends.
                    LOG.debug("conn {}: closed while idle: {}", conn.id(), e.toString());
                    return;
                }
                if (first < 0 || !conn.markBusy()) {
                    return;
                }
            }
            if (headerTimeoutMillis > 0) {
                if (coreIn != null) {
                    coreIn.deadlineAfter(settings.headerTimeout()); // one clock read fewer per request
                } else {
                    in.deadline(Instant.now().plusMillis(headerTimeoutMillis));
                }
            }
            boolean log = settings.accessLog() && ACCESS.isInfoEnabled();
            long start = log ? System.nanoTime() : 0;
            RequestHead head;
            try {
                head = parser.readHead(in);
            } catch (BadMessageException e) {
                LOG.debug("conn {}: rejected: {}", conn.id(), e.getMessage());
                reject(e.violation().status(), e.violation().reason(), log, start);
                return;
            } catch (ConnectionTimeoutException e) {
                LOG.debug("conn {}: request head timed out: {}", conn.id(), e.getMessage());
                reject(Violation.HEADER_TIMEOUT.status(), Violation.HEADER_TIMEOUT.reason(), log, start);
                return;
            } catch (EOFException e) {
                LOG.debug("conn {}: {}", conn.id(), e.getMessage());
                return;
            }
            if (head == null) {
                return;
            }
            if (headerTimeoutMillis > 0) {
                in.deadline(null);
            }
            if (!serve(head, log, start)) {
                return;
            }
        }
    }

    /**
     * Answers a request whose head could not be trusted, and ends the connection. Its access-log
     * line has {@code "-"} for the request: a head that broke the rules is not repeated as if it
     * were one.
     */
    private void reject(int status, String reason, boolean log, long start) {
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        long sent = 0;
        try {
            writer.start(status);
            if (serverLine != null) {
                writer.raw(serverLine);
            }
            writer.header(ResponseWriter.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .contentLength(body.length).raw(ResponseWriter.CONNECTION_CLOSE).end().raw(body).writeTo(out);
            out.flush();
            sent = body.length;
        } catch (IOException e) {
            LOG.debug("conn {}: could not send {}: {}", conn.id(), status, e.toString());
        }
        // Before lingering: the line is about the answer, not the half second spent closing.
        if (log) {
            ACCESS.info("{} \"-\" {} {} {}ms", conn.remoteAddress(), status, sent, (System.nanoTime() - start) / 1_000_000);
        }
        if (sent > 0) {
            lingerClose();
        }
    }

    /**
     * Sends FIN, then reads and discards what the client is still sending for a short while:
     * closing with unread input makes the kernel send RST, which can destroy the error response
     * before the client reads it (RFC 9112 §9.6, the same dance as Go's closeWrite + delay).
     */
    void lingerClose() {
        if (lingered) {
            return;
        }
        lingered = true;
        try {
            conn.shutdownOutput();
            in.deadline(Instant.now().plusMillis(LINGER_MILLIS));
            long left = LINGER_BYTES;
            while (left > 0) {
                long n = in.skip(left);
                if (n <= 0 && in.read() < 0) {
                    break;
                }
                left -= Math.max(n, 1);
            }
        } catch (IOException e) {
            // Timeout, reset or EOF: the close that follows is all that is left to do.
        }
    }

    private boolean lingered;
    private static final long LINGER_MILLIS = 500;
    private static final long LINGER_BYTES = 256 << 10;

    /** True when the connection must close after the current response. */
    boolean mustClose(Exchange ex) {
        return !ex.head.clientKeepAlive() || conn.isDraining() || ex.body.forcesClose(settings.maxDrainBytes());
    }

    /** Serves one request; {@code start} is when its head began to be read. @return true to go on with the next request */
    private boolean serve(RequestHead head, boolean log, long start) {
        Exchange ex = new Exchange(this, head);
        ResponseImpl res = new ResponseImpl(this, ex);
        ex.body.response = res;
        boolean keep;
        try {
            dispatch(ex, res);
            keep = finish(ex, res);
        } catch (Throwable e) {
            if (fatal(e)) {
                throw (VirtualMachineError) e;
            }
            keep = fail(ex, res, e);
        }
        if (log) {
            ACCESS.info("{} \"{} {} {}\" {} {} {}ms", conn.remoteAddress(), head.method, head.target, ex.version(),
                    res.status(), res.bodyBytes, (System.nanoTime() - start) / 1_000_000);
        }
        // Once the response said close, the rest of the body is not worth waiting for: lingerClose below.
        if (keep && !res.closeAfter && !ex.body.eof() && !ex.body.drain(settings.maxDrainBytes())) {
            LOG.debug("conn {}: request body not read and longer than the drain bound: closing", conn.id());
            keep = false;
        }
        if (!keep || res.closeAfter) {
            try {
                out.flush();
            } catch (IOException e) {
                return false;
            }
            if (!ex.body.eof() && !ioFailed) {
                lingerClose();
            }
        }
        return keep && !res.closeAfter;
    }

    private void dispatch(Exchange ex, ResponseImpl res) throws Exception {
        RequestHead head = ex.head;
        Handler terminal;
        if (head.rawPath == "*") {
            ex.allow = settings.router().allowAll();
            terminal = OPTIONS;
        } else {
            Router.Match m = settings.router().route(head.method, head.rawPath);
            if (m == null) {
                terminal = NOT_FOUND;
            } else if (m.handler != null) {
                terminal = m.handler;
                ex.paramNames = m.names;
                ex.paramValues = m.values;
                ex.allow = m.allow;
            } else {
                ex.allow = m.allow;
                terminal = head.method == "OPTIONS" ? OPTIONS
                        : settings.router().unknownMethod(head.method) ? NOT_IMPLEMENTED : METHOD_NOT_ALLOWED;
            }
        }
        Filter[] filters = settings.filters();
        if (filters.length == 0) {
            terminal.handle(ex, res);
        } else {
            new Chain(filters, terminal, ex, res).next();
        }
    }

    private static final Handler NOT_FOUND = new Builtin(404);
    private static final Handler METHOD_NOT_ALLOWED = new Builtin(405);
    private static final Handler NOT_IMPLEMENTED = new Builtin(501);
    private static final Handler OPTIONS = new Builtin(204);

    /**
     * The answers the router gives itself. One class, not four lambdas: each lambda is a class
     * spun when HttpConnection initializes, on the first request's path (start-up is measured).
     */
    private static final class Builtin implements Handler {
        private final int status;

        Builtin(int status) {
            this.status = status;
        }

        @Override
        public void handle(Request req, Response res) {
            switch (status) {
                case 404 -> error(res, 404, "not found");
                case 405 -> {
                    res.header("Allow", ((Exchange) req).allow);
                    error(res, 405, "method not allowed");
                }
                case 501 -> error(res, 501, "method not implemented");
                default -> {
                    res.header("Allow", ((Exchange) req).allow);
                    res.status(204).send();
                }
            }
        }
    }

    /** Runs each accepted connection's request loop (a class for the same reason as {@link Builtin}). */
    public static final class RequestLoop implements dev.weft.core.ConnectionHandler {
        private final HttpSettings settings;

        public RequestLoop(HttpSettings settings) {
            this.settings = settings;
        }

        @Override
        public void handle(Connection connection) throws IOException {
            new HttpConnection(settings, connection).run();
        }
    }

    private static void error(Response res, int status, String reason) {
        res.status(status).contentType("text/plain; charset=utf-8").send(reason + "\n");
    }

    private static final class Chain implements Filter.Chain {
        private final Filter[] filters;
        private final Handler terminal;
        private final Request req;
        private final Response res;
        private int next;

        Chain(Filter[] filters, Handler terminal, Request req, Response res) {
            this.filters = filters;
            this.terminal = terminal;
            this.req = req;
            this.res = res;
        }

        @Override
        public void next() throws Exception {
            int i = next++;
            if (i < filters.length) {
                filters[i].filter(req, res, this);
            } else if (i == filters.length) {
                terminal.handle(req, res);
            } else {
                throw new IllegalStateException("chain.next() called twice by a filter");
            }
        }
    }

    /** Completes what the handler left open. @return true if the connection may go on */
    private boolean finish(Exchange ex, ResponseImpl res) throws IOException {
        if (res.stream != null) {
            if (!res.stream.closed()) {
                res.stream.close();
            }
        } else if (!res.committed) {
            res.send();
        }
        return !res.incomplete;
    }

    /**
     * The JVM itself is in trouble (out of memory, internal error): answering could fail the same
     * way, so the connection ends and core logs it. A stack overflow is only the handler's own
     * recursion, unwound by now: it gets a 500 like any bug.
     */
    private static boolean fatal(Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof StackOverflowError);
    }

    /** A handler or filter threw. @return true if the connection may go on */
    private boolean fail(Exchange ex, ResponseImpl res, Throwable e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (cause instanceof ConnectionTimeoutException t) {
            LOG.debug("conn {}: {} during {}", conn.id(), t.getMessage(), ex);
            if (t.kind() != ConnectionTimeoutException.Kind.WRITE && !res.committed && !conn.isClosed()) {
                answerError(ex, res, 408, "request body not received in time", true);
            }
            return false;
        }
        if (ioFailed || conn.isClosed() || cause instanceof SocketException) {
            LOG.debug("conn {}: connection failed during {}: {}", conn.id(), ex, cause.toString());
            return false;
        }
        if (cause instanceof BadMessageException bad) {
            LOG.debug("conn {}: bad request body: {}", conn.id(), bad.getMessage());
            if (!res.committed) {
                answerError(ex, res, bad.violation().status(), bad.violation().reason(), true);
            }
            return false;
        }
        if (res.committed) {
            LOG.error("conn {}: {} failed after the response was committed; closing the connection", conn.id(), ex, e);
            return false;
        }
        // The mapper's contract takes an Exception; an Error from a handler goes straight to the 500.
        if (settings.exceptionMapper() != null && e instanceof Exception thrown && !(e instanceof HttpException)) {
            // The mapper answers instead of the handler: nothing the handler set (status, headers,
            // a length for a body it never wrote) belongs to that answer.
            res.resetForError(500);
            try {
                settings.exceptionMapper().map(thrown, ex, res);
                return finish(ex, res) && !res.closeAfter;
            } catch (Throwable mapperFailure) {
                if (fatal(mapperFailure)) {
                    throw (VirtualMachineError) mapperFailure;
                }
                if (mapperFailure instanceof HttpException mapped) {
                    e = mapped; // the mapper translated it
                } else if (mapperFailure != e) {
                    e.addSuppressed(mapperFailure);
                }
                if (res.committed) {
                    LOG.error("conn {}: exception mapper failed for {}", conn.id(), ex, e);
                    return false;
                }
            }
        }
        if (e instanceof HttpException h) {
            LOG.debug("conn {}: {} -> {} {}", conn.id(), ex, h.status(), h.reason());
            return answerError(ex, res, h.status(), h.reason(), false);
        }
        LOG.error("conn {}: {} failed", conn.id(), ex, e);
        return answerError(ex, res, 500, "internal server error", false);
    }

    private boolean answerError(Exchange ex, ResponseImpl res, int status, String reason, boolean close) {
        res.resetForError(status);
        if (close) {
            res.forceClose();
        }
        try {
            res.contentType("text/plain; charset=utf-8");
            res.send(reason == null ? Status.reason(status) + "\n" : reason + "\n");
            if (close || res.closeAfter) {
                out.flush();
                lingerClose();
            }
            return !close;
        } catch (RuntimeException | IOException e) {
            LOG.debug("conn {}: could not send {}: {}", conn.id(), status, e.toString());
            return false;
        }
    }
}
