package dev.weft.http.internal;

import dev.weft.core.Connection;
import dev.weft.core.ConnectionTimeoutException;
import dev.weft.core.SocketInput;
import dev.weft.core.SocketOutput;
import dev.weft.http.ExceptionMapper;
import dev.weft.http.Filter;
import dev.weft.http.Handler;
import dev.weft.http.HttpException;
import dev.weft.http.Request;
import dev.weft.http.Response;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
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
 *
 * <p>The keep-alive wait goes through {@link Connection#awaitIdle}: with {@code hibernateIdleAfter}
 * set, a connection idle that long hibernates, this thread returns, and {@link #handle} continues
 * the loop on a fresh thread when the next request arrives. What this object holds is all an
 * idle connection keeps: settings, streams, the parser and the writer, with their scratch given
 * back to the pool before the wait.
 */
public final class HttpConnection implements dev.weft.core.ConnectionHandler {

    static final Logger LOG = LoggerFactory.getLogger("dev.weft.http");
    private static final Logger ACCESS = LoggerFactory.getLogger("dev.weft.http.access");

    final HttpSettings settings;
    final Connection conn;
    /** Taken again from the connection on waking: a hibernation replaces them (see {@link #handle}). */
    SocketInput in;
    SocketOutput out;
    /** Dropped while hibernated (see {@link #handle}), made again on waking: an idle connection keeps only what it needs. */
    RequestParser parser;
    ResponseWriter writer;
    /** The server's: settings, the protocol that may take over, the Server line (shared, so not a field each). */
    final RequestLoop loop;
    /** The socket failed under a handler (peer gone, timeout): nothing more can be said on it. */
    boolean ioFailed;
    /** Requests begun on this connection (rejected heads included), for the Connection event. */
    long requests;
    /**
     * Why the connection ended, a constant of {@link HttpConnectionEvent#end}: set where the loop
     * decides to end, so the event (when recorded) can say so; a field write, nothing allocated.
     */
    String end = "eof";

    HttpConnection(RequestLoop loop, Connection conn) {
        this.loop = loop;
        this.settings = loop.settings;
        this.conn = conn;
        this.in = conn.in();
        this.out = conn.out();
        newParserAndWriter();
    }

    private void newParserAndWriter() {
        // The head is refused (413) only past the highest limit a route may raise to; the route's
        // own limit is checked when the body is first read (RequestBody), after limitBody ran.
        parser = new RequestParser(settings.maxRequestLineBytes(), settings.maxHeaderBytes(),
                settings.maxHeaderCount(), settings.bodyLimits().maxUploadBytes(), in, out);
        writer = new ResponseWriter();
        // Scratch for heads comes from the same pool as the socket buffers, and goes back while idle.
        parser.usePool(conn.buffers());
        writer.usePool(conn.buffers());
    }

    /** Per streamed response, not per connection: an idle connection keeps no 8 KiB it once streamed with. */
    byte[] chunkBuffer() {
        return new byte[CHUNK_BUFFER];
    }

    /** The streamed response's buffer from the connection's pool (a fresh array per response cost an allocation and its GC). */
    byte[] pooledChunkBuffer() {
        // A pool of smaller buffers (bufferSize under 8 KiB) would commit responses earlier than
        // documented: those get their own array.
        return conn.buffers().bufferSize() == CHUNK_BUFFER ? conn.buffers().acquire() : chunkBuffer();
    }

    void releaseChunkBuffer(byte[] b) {
        conn.buffers().release(b); // an array of another size is ignored
    }

    /** The response's own buffer: what may be held back before a response commits. */
    static final int CHUNK_BUFFER = 8192;

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
        // The first request's head is bounded from accept, not from its first byte: a connection
        // that never sends one is held for headerTimeout, not for idleTimeout.
        boolean firstHead = settings.headerTimeout().toMillis() > 0;
        if (firstHead) {
            in.deadlineAfter(settings.headerTimeout());
        }
        if (loop.protocol != null && loop.protocol.preface() != null && !conn.isSecure()) {
            int preface = prefaceFirst(loop.protocol.preface());
            if (preface > 0) {
                in.deadline(null);
                handOver(dev.weft.http.HttpProtocol.Via.PRIOR_KNOWLEDGE, null);
            }
            if (preface != 0) {
                return;
            }
        }
        loop(firstHead, false);
    }

    /**
     * Continues after a hibernation, on a fresh thread: the connection is still idle and its
     * next bytes (or its end) are readable. Not for handlers: core calls it.
     */
    @Override
    public void handle(Connection resumed) throws IOException {
        // New streams: the ones before went with the hibernation (Connection#awaitIdle).
        in = resumed.in();
        out = resumed.out();
        newParserAndWriter();
        if (!Jfr.connections()) {
            loop(false, true); // straight: each frame more is stack an idle connection parks with
            return;
        }
        // A stint of its own in the dev.weft.Connection event: the one before ended "hibernated".
        recorded(() -> loop(false, true));
    }

    /** The connection's work on this thread, as one dev.weft.Connection event when a recording takes it. */
    private interface Stint {
        void run() throws IOException;
    }

    private void recorded(Stint stint) throws IOException {
        if (!Jfr.connections()) {
            stint.run();
            return;
        }
        HttpConnectionEvent jfr = new HttpConnectionEvent();
        long before = requests;
        jfr.begin();
        try {
            stint.run();
        } catch (IOException | RuntimeException | Error e) {
            end = e instanceof IOException ? ioEnd(e) : "error";
            throw e;
        } finally {
            jfr.end();
            if (jfr.shouldCommit()) {
                jfr.connectionId = conn.id();
                jfr.remoteAddress = AccessLog.hostPort(conn.remoteAddress());
                jfr.requests = requests - before;
                jfr.end = end;
                jfr.commit();
            }
        }
    }

    private void loop(boolean firstHead, boolean resumed) throws IOException {
        long headerTimeoutMillis = settings.headerTimeout().toMillis();
        while (true) {
            if (resumed || in.buffered() == 0) {
                if (!resumed) {
                    // Nothing pipelined: send what is held back, then wait as an idle connection.
                    if (out.buffered() > 0) {
                        out.flush();
                    }
                    parser.release();
                    writer.release();
                    conn.markIdle();
                }
                resumed = false;
                int first;
                try {
                    first = conn.awaitIdle(this);
                } catch (IOException e) {
                    // Idle timeout, shutdown closing an idle connection, or a reset: all quiet ends.
                    LOG.debug("conn {}: closed while idle: {}", conn.id(), e.toString());
                    // While idle the only deadline is the first head's, bounded from accept.
                    end = e instanceof ConnectionTimeoutException t && t.kind() == ConnectionTimeoutException.Kind.DEADLINE
                            ? "header-timeout" : ioEnd(e);
                    return;
                }
                if (first == Connection.HIBERNATED) {
                    // This thread ends; handle() goes on when the next request arrives. The parser
                    // and the writer (their scratch already back in the pool) are made again then.
                    parser = null;
                    writer = null;
                    in = null;
                    out = null;
                    end = "hibernated";
                    return;
                }
                if (first < 0) {
                    end = "eof";
                    return;
                }
                if (!conn.markBusy()) {
                    end = "shutdown";
                    return;
                }
            }
            if (firstHead) {
                firstHead = false;
            } else if (headerTimeoutMillis > 0) {
                in.deadlineAfter(settings.headerTimeout()); // no wall clock: one per request
            }
            boolean log = settings.accessLog() && ACCESS.isInfoEnabled();
            long start = log ? System.nanoTime() : 0;
            // Only when a recording wants it: otherwise no event object exists (docs/observability.md).
            HttpRequestEvent jfr = null;
            if (Jfr.requests()) {
                jfr = new HttpRequestEvent();
                jfr.begin();
            }
            RequestHead head;
            try {
                head = parser.readHead(in);
            } catch (BadMessageException e) {
                LOG.debug("conn {}: rejected: {}", conn.id(), e.getMessage());
                requests++;
                end = "rejected";
                reject(e.violation().status(), e.violation().reason(), log, start, jfr);
                return;
            } catch (ConnectionTimeoutException e) {
                LOG.debug("conn {}: request head timed out: {}", conn.id(), e.getMessage());
                requests++;
                end = "header-timeout";
                reject(Violation.HEADER_TIMEOUT.status(), Violation.HEADER_TIMEOUT.reason(), log, start, jfr);
                return;
            } catch (EOFException e) {
                LOG.debug("conn {}: {}", conn.id(), e.getMessage());
                end = "eof";
                return;
            }
            if (head == null) {
                end = "eof";
                return;
            }
            if (headerTimeoutMillis > 0) {
                in.deadline(null);
            }
            requests++;
            if (loop.protocol != null && upgradeTo(head)) {
                return; // handOver says how it ended
            }
            if (!serve(head, log, start, jfr)) {
                return;
            }
        }
    }

    /**
     * 1 when the connection starts with {@code preface}, which has then been read; 0 when it does
     * not (HTTP/1.1 goes on); -1 when it ended or began like the preface and broke off. Looked at
     * in the buffer without consuming, so an HTTP/1.1 request is parsed as ever; when only part
     * of it has arrived, its first three bytes ({@code PRI}, a method RFC 7540 §11.6 reserves
     * for exactly this) are enough to commit to reading the rest.
     */
    private int prefaceFirst(byte[] preface) throws IOException {
        int first;
        conn.markIdle(); // as the request loop waits: idle until the first byte (shutdown may close it)
        try {
            first = in.peek();
        } catch (IOException e) {
            LOG.debug("conn {}: closed before the first byte: {}", conn.id(), e.toString());
            return -1;
        }
        if (first < 0 || !conn.markBusy()) {
            return -1;
        }
        int i = 0;
        for (; i < preface.length; i++) {
            int b = in.bufferedByte(i);
            if (b < 0) {
                break;
            }
            if (b != (preface[i] & 0xFF)) {
                return 0;
            }
        }
        if (i < preface.length && i < 3) {
            return 0; // too little to tell: HTTP/1.1 parses it (and answers 505 to a real preface)
        }
        byte[] got = in.readExactly(preface.length);
        if (!java.util.Arrays.equals(got, preface)) {
            // Neither the preface nor a request line an HTTP/1.1 client would send: nothing to answer.
            LOG.debug("conn {}: began like a protocol preface but is not one: closing", conn.id());
            return -1;
        }
        return 1;
    }

    /**
     * Hands the connection to the protocol for a request that asked for its upgrade token, if
     * the protocol accepts it and the body (with a Content-Length, small enough) can be read
     * whole first: then the 101 goes out and the protocol answers the request.
     *
     * @return true if the connection was handed over (and is done here)
     */
    private boolean upgradeTo(RequestHead head) throws IOException {
        String token = loop.protocol.upgradeToken();
        String upgrade = head.headers.get("upgrade");
        if (token == null || upgrade == null || head.minorVersion != 1 || head.chunked || head.expectContinue
                || head.contentLength > Math.min(settings.maxBodyBytes(), dev.weft.http.HttpProtocol.MAX_UPGRADE_BODY)
                || !hasToken(upgrade, token) || !hasToken(head.headers.get("connection"), "upgrade")
                || !loop.protocol.acceptsUpgrade(new Exchange(this, head))) {
            return false;
        }
        byte[] body = head.contentLength > 0 ? in.readExactly((int) head.contentLength) : new byte[0];
        out.write(("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: " + token + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        handOver(dev.weft.http.HttpProtocol.Via.UPGRADE,
                new dev.weft.http.HttpProtocol.UpgradeRequest(head.method, head.target, head.headers, body));
        return true;
    }

    private static boolean hasToken(String list, String token) {
        if (list == null) {
            return false;
        }
        for (String t : list.split(",")) {
            if (t.trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /** The protocol owns the connection on this thread until it returns; a failure resets it. */
    private void handOver(dev.weft.http.HttpProtocol.Via via, dev.weft.http.HttpProtocol.UpgradeRequest request) {
        parser.release();
        writer.release();
        end = "protocol-ended";
        // Its own view of the dispatcher: the exchanges the protocol ends are this connection's requests.
        dev.weft.http.HttpDispatcher mine = loop.dispatcher.forConnection();
        try {
            loop.protocol.serve(conn, new dev.weft.http.HttpProtocol.Handoff(via, request, mine));
        } catch (Throwable e) {
            if (fatal(e)) {
                throw (VirtualMachineError) e;
            }
            if (conn.isClosed() || e instanceof java.net.SocketException || e instanceof EOFException
                    || e instanceof ConnectionTimeoutException) {
                LOG.debug("conn {}: {} ended: {}", conn.id(), loop.protocol.alpnId(), e.toString());
            } else {
                LOG.warn("conn {}: {} failed", conn.id(), loop.protocol.alpnId(), e);
                end = "error";
            }
            conn.abort();
        } finally {
            long served = mine.exchangesEnded();
            // An upgrading request was counted when it came, and is answered as the protocol's first exchange.
            requests += request != null && served > 0 ? served - 1 : served;
        }
    }

    /**
     * Answers a request whose head could not be trusted, and ends the connection. Its access-log
     * line has {@code "-"} for the request: a head that broke the rules is not repeated as if it
     * were one.
     */
    private void reject(int status, String reason, boolean log, long start, HttpRequestEvent jfr) {
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        long sent = 0;
        boolean answered = false;
        try {
            writer.start(status);
            if (loop.serverLine != null) {
                writer.raw(loop.serverLine);
            }
            writer.header(ResponseWriter.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .contentLength(body.length).raw(ResponseWriter.CONNECTION_CLOSE).end();
            if (!parser.rejectedHead()) {
                writer.raw(body);
                sent = body.length;
            }
            writer.writeTo(out);
            out.flush();
            answered = true;
        } catch (IOException e) {
            LOG.debug("conn {}: could not send {}: {}", conn.id(), status, e.toString());
        }
        // Before lingering: the line is about the answer, not the half second spent closing.
        if (log) {
            AccessLog.rejected(settings, ACCESS, conn, answered ? status : -1, sent,
                    (System.nanoTime() - start) / 1_000_000);
        }
        if (jfr != null) {
            jfr.end();
            if (jfr.shouldCommit()) {
                jfr.connectionId = conn.id();
                jfr.status = answered ? status : 0;
                jfr.outcome = answered ? "rejected" : "aborted";
                jfr.bytesOut = sent;
                jfr.commit();
            }
        }
        if (answered) {
            lingerClose();
        }
    }

    /**
     * Sends FIN, then reads and discards what the client is still sending for a short while:
     * closing with unread input makes the kernel send RST, which can destroy the error response
     * before the client reads it (RFC 9112 §9.6; core's {@code closeGracefully}, Go's
     * closeWriteAndWait). Also right after a read timeout, when the input can no longer be read.
     */
    void lingerClose() {
        if (lingered) {
            return;
        }
        lingered = true;
        conn.closeGracefully(LINGER, LINGER_BYTES);
    }

    private boolean lingered;
    /** The longest the server spends skipping a request body the handler left unread. */
    static final long DRAIN_MILLIS = 2000;
    private static final java.time.Duration LINGER = java.time.Duration.ofMillis(500);
    private static final long LINGER_BYTES = 256 << 10;

    /** True when the connection must close after the current response. */
    boolean mustClose(Exchange ex) {
        return !ex.head.clientKeepAlive() || conn.isDraining() || ex.body.forcesClose(settings.maxDrainBytes());
    }

    /**
     * Serves one request; {@code start} is when its head began to be read. The message is
     * finished here, after the handler and every filter returned normally; a failure before
     * anything went out becomes its error answer, one after that resets the connection.
     *
     * @return true to go on with the next request
     */
    private boolean serve(RequestHead head, boolean log, long start, HttpRequestEvent jfr) {
        Exchange ex = new Exchange(this, head);
        ResponseImpl res = new ResponseImpl(this, ex);
        ex.body.response = res;
        boolean bodyBound = !ex.body.eof() && !settings.bodyTimeout().isZero();
        if (bodyBound) {
            // The whole body, not only each read: one byte per readTimeout would hold the thread for ever.
            in.deadlineAfter(settings.bodyTimeout()); // monotonic: no wall-clock read per request
        }
        boolean keep;
        try {
            try {
                dispatch(ex, res);
            } finally {
                if (res.events != null) {
                    res.events.stop();
                }
            }
            if (res.unanswerable != null) {
                // The handler failed after its response began and a filter swallowed it: still a reset.
                throw res.unanswerable;
            }
            IOException broken = ex.body.failure();
            if (broken != null && !res.errorAnswer) {
                // The handler swallowed a body failure: what it made of a broken body is no success.
                throw broken;
            }
            res.finish();
            keep = true;
        } catch (Throwable e) {
            if (fatal(e)) {
                res.release();
                throw (VirtualMachineError) e;
            }
            keep = fail(ex, res, e);
        }
        res.release(); // a file body's channel, sent or not
        // The exchange is over (finished, answered with its error, or reset): what filters registered learns which.
        res.complete(ex.aborted ? ex.abortCause : null);
        if (keep && res.takeover != null) {
            end = "upgrade-ended"; // unless takeOver says otherwise
            takeOver(ex, res);
            keep = false;
        } else if (!keep && !ex.aborted && ex.body.failure() == null) {
            end = conn.isDraining() ? "shutdown" : "close"; // an error answer that closes
        }
        if (log) {
            AccessLog.served(settings, ACCESS, ex, res, (System.nanoTime() - start) / 1_000_000);
        }
        if (jfr != null) {
            record(jfr, ex, res);
        }
        if (!keep) {
            if (!conn.isClosed() && !ioFailed) {
                // An error answer that ends the connection: out with it, then FIN and a short linger,
                // so unread request bytes do not turn the close into a reset that destroys it.
                try {
                    out.flush();
                    if (!ex.body.eof()) {
                        lingerClose();
                    }
                } catch (IOException e) {
                    LOG.debug("conn {}: could not send the error answer: {}", conn.id(), e.toString());
                }
            }
            return false;
        }
        // Once the response said close, the rest of the body is not worth waiting for: lingerClose below.
        if (!res.closeAfter && !ex.body.eof()) {
            // Skipping what nobody reads is bounded in time too, not only in bytes.
            Instant drainEnd = Instant.now().plusMillis(DRAIN_MILLIS);
            Instant bodyEnd = in.deadline();
            in.deadline(bodyEnd != null && bodyEnd.isBefore(drainEnd) ? bodyEnd : drainEnd);
            if (!ex.body.drain(settings.maxDrainBytes())) {
                LOG.debug("conn {}: request body not read, and longer than the drain bounds: closing", conn.id());
                keep = false;
            }
        }
        if (in.deadline() != null) {
            in.deadline(null);
        }
        if (!keep || res.closeAfter) {
            end = conn.isDraining() ? "shutdown" : keep ? "close" : "body-unread";
            try {
                out.flush();
            } catch (IOException e) {
                end = ioEnd(e);
                return false;
            }
            if (!ex.body.eof() && !ioFailed) {
                lingerClose();
            }
            return false;
        }
        // The response said keep-alive, so the client may already be sending its next request:
        // go on. If a drain began meanwhile, markIdle closes the connection once the drain delay
        // is over (as the drain closes every idle one); during the delay the next request is
        // served, with Connection: close, instead of racing a close. Not after an event stream
        // that the drain ended: its drain action keeps the connection from being closed as idle.
        if (res.events != null && conn.isDraining()) {
            end = "shutdown";
            return false;
        }
        return true;
    }

    /** The request's event, when a recording takes it; built only after shouldCommit(). */
    private void record(HttpRequestEvent jfr, Exchange ex, ResponseImpl res) {
        jfr.end();
        if (!jfr.shouldCommit()) {
            return;
        }
        jfr.method = ex.head.method;
        jfr.route = ex.route;
        jfr.path = ex.head.rawPath;
        jfr.status = ex.aborted && !res.committed ? 0 : res.status();
        jfr.outcome = ex.aborted ? "aborted" : res.takeover != null ? "upgraded" : "complete";
        jfr.bytesIn = ex.body.wire();
        jfr.bytesOut = res.bodyBytes;
        jfr.connectionId = conn.id();
        Throwable failure = ex.aborted ? ex.abortCause : res.failure();
        if (failure != null && (ex.aborted || res.status() >= 500)) {
            jfr.exception = failure.getClass().getName();
        }
        jfr.commit();
    }

    /** How an I/O failure ended the connection, as {@link #end}. */
    String ioEnd(Throwable e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (cause instanceof ConnectionTimeoutException t) {
            return switch (t.kind()) {
                case IDLE -> "idle-timeout";
                case READ -> "read-timeout";
                case WRITE -> "write-timeout";
                case HANDSHAKE -> "handshake-timeout";
                case DEADLINE -> "body-timeout";
            };
        }
        if (conn.isDraining() && conn.isClosed()) {
            return "shutdown";
        }
        return cause instanceof EOFException ? "eof" : "reset";
    }

    /**
     * After the 101: the other protocol owns the connection, on this thread, until it returns.
     * HTTP's deadlines are lifted (the protocol sets its own); the connection closes afterwards.
     */
    private void takeOver(Exchange ex, ResponseImpl res) {
        if (in.deadline() != null) {
            in.deadline(null);
        }
        parser.release();
        writer.release();
        try {
            res.takeover.handle(conn);
        } catch (Throwable e) {
            if (fatal(e)) {
                throw (VirtualMachineError) e;
            }
            end = ioEnd(e);
            if (conn.isClosed() || e instanceof java.net.SocketException || e instanceof EOFException
                    || e instanceof ConnectionTimeoutException) {
                LOG.debug("conn {}: {} after switching protocols ended: {}", conn.id(), ex, e.toString());
            } else {
                LOG.warn("conn {}: {} after switching protocols failed", conn.id(), ex, e);
            }
            conn.abort();
        }
    }

    /**
     * A handler, a filter or the end of the message failed. While nothing went out the failure
     * is answered with its error; after that the connection is reset, so no client can take a
     * cut body for a whole one (no last chunk, no clean FIN, no TLS close_notify).
     *
     * @return true if the connection may go on
     */
    private boolean fail(Exchange ex, ResponseImpl res, Throwable e) {
        if (res.events != null && res.events.endedByShutdown) {
            // The stream was ended cleanly for the shutdown; the handler's send failing on it is its end.
            LOG.debug("conn {}: {}: event stream ended by shutdown: {}", conn.id(), ex, e.toString());
            return false;
        }
        if (answerable(res)) {
            prepareError(ex, res, e);
            try {
                res.finish();
                return !res.closeAfter;
            } catch (Throwable again) {
                if (fatal(again)) {
                    throw (VirtualMachineError) again;
                }
                if (!res.committed && answerable(res)) {
                    // The error answer itself failed before going out (a before-commit action): the plain one.
                    res.resetForError(500);
                    res.forceClose();
                    try {
                        res.contentType("text/plain; charset=utf-8").send("internal server error\n");
                        res.finish();
                        LOG.error("conn {}: answering the failure of {} failed too", conn.id(), ex, again);
                        return false;
                    } catch (Throwable last) {
                        again.addSuppressed(last);
                    }
                }
                e = again;
            }
        }
        return abort(ex, e);
    }

    /** Nothing of this response went out, and the connection can still carry an answer. */
    private boolean answerable(ResponseImpl res) {
        return !res.committed && !ioFailed && !conn.isClosed();
    }

    /** Resets the connection after a failure that came too late to be answered; logged once. */
    private boolean abort(Exchange ex, Throwable e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        ex.aborted = true;
        ex.abortCause = cause;
        end = ioFailed || conn.isClosed() ? ioEnd(cause) : "aborted";
        if (ioFailed || conn.isClosed()) {
            LOG.debug("conn {}: connection failed during {}: {}", conn.id(), ex, cause.toString());
        } else if (ex.body.failure() != null) {
            LOG.info("conn {}: {}: the request body failed after the response began ({}); connection reset",
                    conn.id(), ex, ex.body.failure().getMessage());
        } else {
            LOG.error("conn {}: {} failed after the response began; connection reset", conn.id(), ex, e);
        }
        conn.abort();
        return false;
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
                ex.route = m.template;
            } else {
                ex.allow = m.allow;
                terminal = head.method == "OPTIONS" ? OPTIONS
                        : settings.router().unknownMethod(head.method) ? NOT_IMPLEMENTED : METHOD_NOT_ALLOWED;
            }
        }
        Filter[] filters = settings.filters();
        if (filters.length == 0) {
            handle(terminal, ex, res);
        } else {
            new Chain(filters, terminal, ex, res).next();
        }
    }

    /**
     * Runs the route's handler. A failure it can still answer is answered here, inside the
     * filters: {@code chain.next()} returns normally and a filter sees the final status (and
     * may add headers) for errors as for successes. Only a failure after the response began
     * propagates, through the filters, to the connection reset.
     */
    void handle(Handler terminal, Exchange ex, ResponseImpl res) throws Exception {
        try {
            terminal.handle(ex, res);
            IOException broken = ex.body.failure();
            if (broken != null && answerable(res)) {
                throw broken; // swallowed by the handler: still the body's error, not the handler's answer
            }
        } catch (Throwable e) {
            if (fatal(e) || !answerable(res)) {
                res.unanswerable = e; // sticks: a filter that swallows it cannot turn it into a success
                throw e;
            }
            try {
                prepareError(ex, res, e);
            } catch (Throwable mapper) {
                res.unanswerable = mapper; // the mapper failed after its answer began
                throw mapper;
            }
        }
    }

    private static final Handler NOT_FOUND = new Builtin(404);
    private static final Handler METHOD_NOT_ALLOWED = new Builtin(405);
    private static final Handler NOT_IMPLEMENTED = new Builtin(501);
    private static final Handler OPTIONS = new Builtin(204);

    /**
     * The answers the router gives itself, as {@link HttpException}s so the exception mapper
     * renders them like every other error. One class, not four lambdas: each lambda is a class
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
                case 404 -> throw new RouterAnswer(404, "not found");
                case 405 -> throw new RouterAnswer(405, "method not allowed");
                case 501 -> throw new RouterAnswer(501, "method not implemented");
                default -> {
                    res.header("Allow", ((Exchange) req).allow);
                    res.status(204).send();
                }
            }
        }
    }

    /** The router's own answers: routine (a scanner's 404s), so no stack trace is taken for them. */
    private static final class RouterAnswer extends HttpException {
        private static final long serialVersionUID = 1L;

        RouterAnswer(int status, String reason) {
            super(status, reason);
        }

        @Override
        public Throwable fillInStackTrace() {
            return this;
        }
    }

    /** Runs each accepted connection's request loop (a class for the same reason as {@link Builtin}). */
    public static final class RequestLoop implements dev.weft.core.ConnectionHandler {
        private final HttpSettings settings;
        /** Another protocol that may take connections over (HTTP/2), or null; see {@link dev.weft.http.HttpProtocol}. */
        final dev.weft.http.HttpProtocol protocol;
        final dev.weft.http.HttpDispatcher dispatcher;
        /** The {@code Server} header line, or null. */
        final byte[] serverLine;

        public RequestLoop(HttpSettings settings) {
            this(settings, null, null);
        }

        /** With another protocol that may take connections over (by preface, upgrade or ALPN). */
        public RequestLoop(HttpSettings settings, dev.weft.http.HttpProtocol protocol, dev.weft.http.HttpDispatcher dispatcher) {
            this.settings = settings;
            this.protocol = protocol;
            this.dispatcher = dispatcher;
            this.serverLine = settings.serverHeader() == null ? null
                    : ("Server: " + settings.serverHeader() + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void handle(Connection connection) throws IOException {
            HttpConnection c = new HttpConnection(this, connection);
            boolean alpn = false;
            if (protocol != null) {
                String id = protocol.alpnId();
                alpn = id != null && connection.isSecure() && id.equals(connection.applicationProtocol());
            }
            if (!Jfr.connections()) {
                // Straight, not through recorded(): each frame more is stack an idle connection parks with.
                if (alpn) {
                    c.handOver(dev.weft.http.HttpProtocol.Via.ALPN, null);
                } else {
                    c.run();
                }
                return;
            }
            c.recorded(alpn ? () -> c.handOver(dev.weft.http.HttpProtocol.Via.ALPN, null) : c::run);
        }
    }

    private static final class Chain implements Filter.Chain {
        private final Filter[] filters;
        private final Handler terminal;
        private final Exchange req;
        private final ResponseImpl res;
        private int next;

        Chain(Filter[] filters, Handler terminal, Exchange req, ResponseImpl res) {
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
                req.c.handle(terminal, req, res);
            } else {
                throw new IllegalStateException("chain.next() called twice by a filter");
            }
        }
    }

    /**
     * The JVM itself is in trouble (out of memory, internal error): answering could fail the same
     * way, so the connection ends and core logs it. A stack overflow is only the handler's own
     * recursion, unwound by now: it gets a 500 like any bug.
     */
    static boolean fatal(Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof StackOverflowError);
    }

    /**
     * Turns the response into the error answer for {@code e}, while nothing of it went out. One
     * place decides every error's status: a request body that broke its framing (400), grew past
     * its limit (413) or did not arrive in time (408) wins over whatever the handler made of it
     * and closes the connection; an {@link HttpException} (the router's 404/405/501 included)
     * is its status; anything else 500. The exception mapper, if set, then renders it, so an API
     * answers every error in its own format; the defaults apply if it throws.
     */
    void prepareError(Exchange ex, ResponseImpl res, Throwable e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        IOException body = ex.body.failure();
        HttpException http;
        boolean close = false;
        if (body != null || cause instanceof BadMessageException || cause instanceof ConnectionTimeoutException) {
            Throwable why = body != null ? body : cause;
            http = why instanceof BadMessageException bad
                    ? new HttpException(bad.violation().status(), bad.violation().reason(), bad)
                    : new HttpException(408, "request body not received in time", why);
            close = true;
            end = why instanceof ConnectionTimeoutException ? "body-timeout" : "rejected";
            LOG.debug("conn {}: {}: request body failed: {}", conn.id(), ex, why.getMessage());
        } else if (e instanceof HttpException h) {
            http = h;
            LOG.debug("conn {}: {} -> {} {}", conn.id(), ex, h.status(), h.reason());
        } else {
            http = new HttpException(500, "internal server error", e);
            LOG.error("conn {}: {} failed", conn.id(), ex, e);
        }
        ExceptionMapper mapper = settings.exceptionMapper();
        reset(ex, res, http.status(), close);
        res.failure = e;
        if (mapper != null) {
            try {
                // The mapper sees what was thrown; for an Error (its contract takes an Exception), the 500.
                // It sees what the handler threw; a body failure (its type is internal) or an Error
                // (the mapper's contract takes an Exception) as the HttpException answering it.
                mapper.map(!close && e instanceof Exception thrown ? thrown : http, ex, res);
                return;
            } catch (Throwable mapperFailure) {
                if (fatal(mapperFailure)) {
                    throw (VirtualMachineError) mapperFailure;
                }
                if (mapperFailure instanceof HttpException mapped) {
                    http = mapped; // the mapper translated it
                } else if (mapperFailure != e) {
                    LOG.error("conn {}: exception mapper failed for {}", conn.id(), ex, mapperFailure);
                }
                if (res.committed) {
                    throw mapperFailure instanceof RuntimeException r ? r : new IllegalStateException(mapperFailure);
                }
                reset(ex, res, http.status(), close);
            }
        }
        res.contentType("text/plain; charset=utf-8");
        res.send((http.reason() == null ? Status.reason(http.status()) : http.reason()) + "\n");
    }

    private static void reset(Exchange ex, ResponseImpl res, int status, boolean close) {
        res.resetForError(status);
        res.errorAnswer = true;
        if (close) {
            res.forceClose();
        }
        if (status == 405 && ex.allow != null) {
            res.header("Allow", ex.allow); // RFC 9110 §15.5.6: a 405 MUST list what is allowed
        }
    }
}
