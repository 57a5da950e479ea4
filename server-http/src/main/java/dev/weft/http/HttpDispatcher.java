package dev.weft.http;

import dev.weft.core.ConnectionTimeoutException;
import dev.weft.http.internal.AccessLog;
import dev.weft.http.internal.BadMessageException;
import dev.weft.http.internal.HttpRequestEvent;
import dev.weft.http.internal.HttpSettings;
import dev.weft.http.internal.Jfr;
import dev.weft.http.internal.Router;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request of any protocol through the server's filters, router, handler and exception
 * mapper, with HTTP/1.1's rules: a failure while nothing was committed becomes its error answer
 * (the exception mapper renders it, the defaults apply if it throws), inside the filters, so a
 * filter sees the final status; a failure after the response was committed propagates and
 * sticks (a filter that swallows it cannot make it a success). The protocol {@link #dispatch}es,
 * then finishes the response if that returned normally, or aborts it (HTTP/2: RST_STREAM) if it
 * threw; then it records the exchange as HTTP/1.1 records its own ({@link #beginRequestEvent}
 * when it began, {@link #exchangeEnded} once it is over: the access log and the JFR event). One
 * per server, shared by its connections; thread-safe.
 */
public final class HttpDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger("dev.weft.http");
    private static final Logger ACCESS = LoggerFactory.getLogger("dev.weft.http.access");
    private static final String[] NONE = new String[0];

    private final HttpSettings settings;
    /** Exchanges ended through this view of the dispatcher (see {@link #forConnection}); null in the server's own. */
    private final java.util.concurrent.atomic.AtomicLong exchanges;

    HttpDispatcher(HttpSettings settings) {
        this(settings, null);
    }

    private HttpDispatcher(HttpSettings settings, java.util.concurrent.atomic.AtomicLong exchanges) {
        this.settings = settings;
        this.exchanges = exchanges;
    }

    /**
     * This dispatcher for one connection: the same server, and a count of the exchanges ended
     * through it ({@link #exchangesEnded()}), which the connection's own records (the
     * {@code dev.weft.Connection} JFR event's {@code requests}) report. The server hands each
     * connection a protocol takes over one of these.
     *
     * @return a dispatcher whose count starts at 0
     */
    public HttpDispatcher forConnection() {
        return new HttpDispatcher(settings, new java.util.concurrent.atomic.AtomicLong());
    }

    /**
     * The exchanges {@link #exchangeEnded} was called for on this dispatcher, if it was made by
     * {@link #forConnection()}; 0 on the server's own, which counts nothing.
     *
     * @return how many exchanges ended through this dispatcher
     */
    public long exchangesEnded() {
        return exchanges == null ? 0 : exchanges.get();
    }

    /**
     * The server's {@code compression} setting: whether responses may be gzip-encoded on the fly
     * (see {@link Compression#applies}).
     *
     * @return true when on-the-fly compression is on
     */
    public boolean compression() {
        return settings.compression();
    }

    /**
     * The server's {@code decodeRequestBodies} setting: whether a request body with a
     * Content-Encoding reaches the handler decoded (see {@link Compression#decodedBody}).
     *
     * @return true when request bodies are decoded
     */
    public boolean decodeRequestBodies() {
        return settings.decodeRequestBodies();
    }

    /** The server's {@code maxBodyBytes}: the default request body limit. */
    public long maxBodyBytes() {
        return settings.maxBodyBytes();
    }

    /** The server's {@code maxHeaderBytes}: the most bytes of header fields a request may have. */
    public int maxHeaderBytes() {
        return settings.maxHeaderBytes();
    }

    /** The server's {@code maxHeaderCount}: the most header field lines a request may have. */
    public int maxHeaderCount() {
        return settings.maxHeaderCount();
    }

    /** The server's {@code bodyTimeout}, {@code Duration.ZERO} for none. */
    public Duration bodyTimeout() {
        return settings.bodyTimeout();
    }

    /** The server's {@code sseHeartbeat}, {@code Duration.ZERO} for none. */
    public Duration sseHeartbeat() {
        return settings.sseHeartbeat();
    }

    /** The {@code Server} header value to send on every response, or {@code null}. */
    public String serverHeader() {
        return settings.serverHeader();
    }

    /** True when one access-log line per request is to be written (by {@link #exchangeEnded}). */
    public boolean accessLogEnabled() {
        return settings.accessLog() && ACCESS.isInfoEnabled();
    }

    /**
     * Begins the {@code dev.weft.HttpRequest} JFR event of an exchange that begins now (the
     * event's duration runs from here to {@link #exchangeEnded}), or returns {@code null} when
     * no recording takes that event: then nothing is allocated, and JFR's classes are not even
     * loaded (docs/observability.md).
     *
     * @return the begun event, to hand to {@link #exchangeEnded}; or {@code null}
     */
    public RequestEvent beginRequestEvent() {
        if (!Jfr.requests()) {
            return null;
        }
        HttpRequestEvent e = new HttpRequestEvent();
        e.begin();
        return new RequestEvent(e);
    }

    /**
     * Records an exchange that is over, as HTTP/1.1 records its own: the access-log line on the
     * logger {@code dev.weft.http.access} in the server's {@link AccessLogFormat} (the query
     * hidden unless {@code accessLogQuery}; the remote address without a leading {@code /}), and
     * the {@code dev.weft.HttpRequest} event if one was begun. An aborted exchange is recorded as
     * it really went: the status of the head that went out ({@code -} in the log, 0 in the event,
     * if none did), the body bytes handed to the connection, {@code aborted} as its outcome.
     * Call it once per exchange, after the response's {@code onComplete} actions ran.
     *
     * @param request    the request
     * @param response   the response, finished or aborted ({@link Response#failure()} names the
     *                   failure behind a 5xx answer)
     * @param statusSent the status of the head handed to the connection, or -1 if none was (an
     *                   exchange aborted before its head went out)
     * @param bytesIn    request body bytes received
     * @param bytesOut   response body bytes handed to the connection
     * @param abort      what aborted the exchange (HTTP/2: its stream was reset), or {@code null}
     *                   when it finished normally (an error answer included)
     * @param startNanos {@link System#nanoTime()} when the exchange began
     * @param event      what {@link #beginRequestEvent()} returned, or {@code null}
     */
    public void exchangeEnded(ProtocolRequest request, ProtocolResponse response, int statusSent, long bytesIn,
            long bytesOut, Throwable abort, long startNanos, RequestEvent event) {
        if (exchanges != null) {
            exchanges.incrementAndGet();
        }
        boolean aborted = abort != null;
        if (accessLogEnabled()) {
            AccessLog.exchange(settings, ACCESS, request, statusSent, bytesOut, aborted,
                    (System.nanoTime() - startNanos) / 1_000_000);
        }
        if (event != null) {
            HttpRequestEvent jfr = event.event;
            jfr.end();
            if (jfr.shouldCommit()) {
                jfr.method = request.method();
                jfr.route = request.routeTemplate();
                jfr.path = request.rawPath();
                jfr.status = Math.max(statusSent, 0);
                jfr.outcome = aborted ? "aborted" : "complete";
                jfr.bytesIn = bytesIn;
                jfr.bytesOut = bytesOut;
                jfr.connectionId = request.connectionId();
                Throwable failure = aborted ? abort : response.failure();
                if (failure != null && (aborted || response.status() >= 500)) {
                    jfr.exception = failure.getClass().getName();
                }
                jfr.commit();
            }
        }
    }

    /**
     * The {@code dev.weft.HttpRequest} JFR event of one exchange, begun by
     * {@link #beginRequestEvent()} and ended by {@link #exchangeEnded}; opaque to the protocol.
     * Exists only while a recording takes the event.
     */
    public static final class RequestEvent {
        private final HttpRequestEvent event;

        private RequestEvent(HttpRequestEvent event) {
            this.event = event;
        }
    }

    /**
     * Routes the request and runs the filters and the handler. Returns normally when the
     * response holds the answer to send (the handler's, or the error answer of a failure that
     * came before anything was committed); the protocol then finishes it.
     *
     * @throws Exception a failure after the response was committed: the protocol must abort it,
     *     never end it cleanly
     */
    public void dispatch(ProtocolRequest request, ProtocolResponse response) throws Exception {
        Run run = new Run(request, response);
        Handler terminal;
        String rawPath = request.rawPath();
        if ("*".equals(rawPath)) {
            run.allow = settings.router().allowAll();
            terminal = null;
            request.pathParams(NONE, NONE);
        } else {
            Router.Match m;
            try {
                m = settings.router().route(request.method(), rawPath);
            } catch (BadMessageException e) {
                m = null; // a path that does not decode: 400 below, as HTTP/1.1 answers it
                rawPath = null;
            }
            if (rawPath == null) {
                terminal = Builtin.BAD_PATH;
                request.pathParams(NONE, NONE);
            } else if (m == null) {
                terminal = Builtin.NOT_FOUND;
                request.pathParams(NONE, NONE);
            } else if (m.handler != null) {
                terminal = m.handler;
                run.allow = m.allow;
                request.pathParams(m.names, m.values);
                request.routeTemplate(m.template);
            } else {
                run.allow = m.allow;
                request.pathParams(NONE, NONE);
                terminal = "OPTIONS".equals(request.method()) ? null
                        : settings.router().unknownMethod(request.method()) ? Builtin.NOT_IMPLEMENTED : Builtin.METHOD_NOT_ALLOWED;
            }
        }
        run.terminal = terminal;
        run.next();
        if (run.unanswerable != null) {
            throw run.unanswerable instanceof Exception e ? e : new IllegalStateException(run.unanswerable);
        }
        HttpException broken = request.bodyFailure();
        if (broken != null && !run.errorAnswer) {
            if (response.isCommitted()) {
                throw broken;
            }
            answer(run, broken);
        }
    }

    /**
     * Turns the response into the error answer for {@code failure}, which the protocol met
     * itself while nothing was committed (finishing the response failed, say). Returns normally
     * when the response holds the error answer to send.
     *
     * @throws Exception if the exception mapper's own answer failed after it committed
     * @throws IllegalStateException if the response is already committed
     */
    public void answerError(ProtocolRequest request, ProtocolResponse response, Throwable failure) throws Exception {
        if (response.isCommitted()) {
            throw new IllegalStateException("the response is committed: abort it instead");
        }
        answer(new Run(request, response), failure);
    }

    private void answer(Run run, Throwable e) throws Exception {
        ProtocolRequest req = run.req;
        ProtocolResponse res = run.res;
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        HttpException body = req.bodyFailure();
        HttpException http;
        if (body != null) {
            http = body;
            LOG.debug("conn {}: {} {}: request body failed: {}", req.connectionId(), req.method(), req.target(), body.reason());
        } else if (cause instanceof ConnectionTimeoutException) {
            http = new HttpException(408, "request body not received in time", cause);
        } else if (e instanceof HttpException h) {
            http = h;
            LOG.debug("conn {}: {} {} -> {} {}", req.connectionId(), req.method(), req.target(), h.status(), h.reason());
        } else {
            http = new HttpException(500, "internal server error", e);
            LOG.error("conn {}: {} {} failed", req.connectionId(), req.method(), req.target(), e);
        }
        run.errorAnswer = true;
        reset(run, http.status(), e);
        ExceptionMapper mapper = settings.exceptionMapper();
        if (mapper != null) {
            try {
                mapper.map(body == null && e instanceof Exception thrown ? thrown : http, req, res);
                return;
            } catch (Exception mapperFailure) {
                if (mapperFailure instanceof HttpException mapped) {
                    http = mapped;
                } else if (mapperFailure != e) {
                    LOG.error("conn {}: exception mapper failed for {} {}", req.connectionId(), req.method(), req.target(), mapperFailure);
                }
                if (res.isCommitted()) {
                    throw mapperFailure;
                }
                reset(run, http.status(), e);
            }
        }
        res.contentType("text/plain; charset=utf-8");
        res.send((http.reason() == null ? "error" : http.reason()) + "\n");
    }

    private static void reset(Run run, int status, Throwable failure) {
        run.res.resetForError(status, failure);
        if (status == 405 && run.allow != null) {
            run.res.header("Allow", run.allow); // RFC 9110 §15.5.6: a 405 MUST list what is allowed
        }
    }

    private static boolean fatal(Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof StackOverflowError);
    }

    /** One request's pass through the filters: the chain, and what its failures left behind. */
    private final class Run implements Filter.Chain {
        final ProtocolRequest req;
        final ProtocolResponse res;
        Handler terminal;
        String allow;
        Throwable unanswerable;
        boolean errorAnswer;
        private int next;

        Run(ProtocolRequest req, ProtocolResponse res) {
            this.req = req;
            this.res = res;
        }

        @Override
        public void next() throws Exception {
            Filter[] filters = settings.filters();
            int i = next++;
            if (i < filters.length) {
                filters[i].filter(req, res, this);
            } else if (i == filters.length) {
                handle();
            } else {
                throw new IllegalStateException("chain.next() called twice by a filter");
            }
        }

        /** The handler; a failure it can still answer is answered here, inside the filters. */
        private void handle() throws Exception {
            try {
                if (terminal == null) {
                    res.header("Allow", allow);
                    res.status(204).send();
                } else {
                    terminal.handle(req, res);
                }
                HttpException broken = req.bodyFailure();
                if (broken != null && !res.isCommitted()) {
                    throw broken;
                }
            } catch (Throwable e) {
                if (fatal(e) || res.isCommitted() || req.aborted()) {
                    unanswerable = e;
                    throw e;
                }
                try {
                    answer(this, e);
                } catch (Throwable mapper) {
                    unanswerable = mapper;
                    throw mapper;
                }
            }
        }
    }

    /** The router's own answers, as exceptions so the mapper renders them; no stack trace for a scanner's 404s. */
    private static final class Builtin extends HttpException implements Handler {
        private static final long serialVersionUID = 1L;
        static final Builtin NOT_FOUND = new Builtin(404, "not found");
        static final Builtin METHOD_NOT_ALLOWED = new Builtin(405, "method not allowed");
        static final Builtin NOT_IMPLEMENTED = new Builtin(501, "method not implemented");
        static final Builtin BAD_PATH = new Builtin(400, "bad escape in path");

        private Builtin(int status, String reason) {
            super(status, reason);
        }

        @Override
        public Throwable fillInStackTrace() {
            return this;
        }

        @Override
        public void handle(Request request, Response response) {
            throw this;
        }
    }
}
