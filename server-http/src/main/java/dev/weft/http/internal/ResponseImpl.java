package dev.weft.http.internal;

import dev.weft.http.Headers;
import dev.weft.http.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One response on a connection, as {@link Response}.
 *
 * <p>Nothing of it reaches the connection until the framework decides: {@code send(...)} only
 * records the body, and a streamed body collects in {@link ResponseBody}'s own buffer until it
 * is full or the handler flushes. The message is finished by {@link HttpConnection} once the
 * handler and every filter returned normally ({@link #finish()}), so a handler that throws
 * before anything went out is answered with its error instead, and filters can still set
 * headers after {@code chain.next()} returned.
 */
final class ResponseImpl implements Response {

    /** Bodies up to this size are copied behind the head, so both go out in one write. */
    private static final int COALESCE = 4096;
    private static final byte[] NO_BODY = new byte[0];

    private final HttpConnection c;
    private final Exchange ex;
    private final boolean headRequest;
    private int status = 200;
    private String contentType;
    private long contentLength = -1;
    private String[] names;
    private String[] values;
    private int count;
    private boolean userClose;
    /** {@link #compress(boolean)}: false when the handler opted out. */
    private boolean compressAllowed = true;
    /** The body goes out gzip-encoded: the head says Content-Encoding: gzip. Decided at commit. */
    boolean gzip;
    /** The head was handed to the connection: from here on a failure can only reset the connection. */
    boolean committed;
    boolean closeAfter;
    /** A handler failure that came after the response began: the connection must be reset. */
    Throwable unanswerable;
    /** The response now is the error answer to a failure (see {@link HttpConnection#prepareError}). */
    boolean errorAnswer;
    /** The failure the error answer is for; see {@link #failure()}. */
    Throwable failure;
    /** The body given to {@code send(...)}, written by {@link #finish()}; null until then. */
    private byte[] pending;
    ResponseBody stream;
    /** The file given to {@link #sendFile}, written by {@link #finish()}, closed by {@link #release()}. */
    private java.nio.channels.FileChannel file;
    private long filePosition;
    private long fileLength;
    long bodyBytes;
    /** Set by {@link #switchProtocols}: the code that serves the connection after the 101. */
    dev.weft.core.ConnectionHandler takeover;
    private String upgradeTo;
    private Runnable[] hooks;
    private int hookCount;
    /** {@link #onComplete} actions; null until one is added (most responses have none). */
    private java.util.List<java.util.function.Consumer<Throwable>> completions;
    private boolean completed;

    ResponseImpl(HttpConnection c, Exchange ex) {
        this.c = c;
        this.ex = ex;
        this.headRequest = ex.head.method == "HEAD";
    }

    private void checkHeadOpen() {
        if (committed) {
            throw new IllegalStateException("response already committed: status and headers were sent");
        }
    }

    private void checkBodyOpen() {
        checkHeadOpen();
        if (pending != null || stream != null || file != null) {
            throw new IllegalStateException(pending != null || file != null ? "response already sent: send(...) or sendFile(...) was called"
                    : "response body is being streamed: outputStream() was taken");
        }
    }

    @Override
    public Response status(int status) {
        checkHeadOpen();
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status = " + status + ": a final status is 200–599"
                    + (status >= 100 && status < 200 ? " (1xx are interim: the server sends 100 Continue itself)" : ""));
        }
        this.status = status;
        return this;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    @Override
    public Response header(String name, String value) {
        return set(name, value, true);
    }

    @Override
    public Response addHeader(String name, String value) {
        return set(name, value, false);
    }

    private Response set(String name, String value, boolean replace) {
        checkHeadOpen();
        Headers.checkName(name);
        Headers.checkValue(name, value);
        if (name.equalsIgnoreCase("content-type")) {
            contentType = value;
            return this;
        }
        if (name.equalsIgnoreCase("content-length")) {
            try {
                return contentLength(RequestParser.parseContentLength(value));
            } catch (BadMessageException e) {
                throw new IllegalArgumentException("Content-Length = " + value + ": not a non-negative number", e);
            }
        }
        if (name.equalsIgnoreCase("transfer-encoding") || name.equalsIgnoreCase("date")) {
            throw new IllegalArgumentException(name + " is managed by the server");
        }
        if (name.equalsIgnoreCase("connection")) {
            if (value.toLowerCase(java.util.Locale.ROOT).contains("close")) {
                userClose = true;
            }
            return this;
        }
        if (names == null) {
            names = new String[8];
            values = new String[8];
        }
        if (replace) {
            removeHeader(name);
        }
        if (count == names.length) {
            names = java.util.Arrays.copyOf(names, count * 2);
            values = java.util.Arrays.copyOf(values, count * 2);
        }
        names[count] = name;
        values[count++] = value;
        return this;
    }

    private void removeHeader(String name) {
        int w = 0;
        for (int i = 0; i < count; i++) {
            if (!names[i].equalsIgnoreCase(name)) {
                names[w] = names[i];
                values[w++] = values[i];
            }
        }
        count = w;
    }

    @Override
    public Response contentType(String type) {
        checkHeadOpen();
        Headers.checkValue("Content-Type", type);
        contentType = type;
        return this;
    }

    @Override
    public Response contentLength(long length) {
        checkBodyOpen();
        if (length < 0) {
            throw new IllegalArgumentException("contentLength = " + length + ": must not be negative");
        }
        this.contentLength = length;
        return this;
    }

    @Override
    public void send(String body) {
        checkBodyOpen();
        if (contentType == null) {
            contentType = "text/plain; charset=utf-8";
        }
        send(body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void send(byte[] body) {
        checkBodyOpen();
        if (contentType == null && body.length > 0) {
            contentType = "application/octet-stream";
        }
        record(body);
    }

    @Override
    public void send() {
        record(NO_BODY);
    }

    /**
     * Records the body for {@link #finish()}. A declared length must match it, except that an
     * empty {@code send()} may announce a length it does not carry where no body is sent anyway:
     * to HEAD (RFC 9110 §9.3.2) and in a 304 (§8.6, the length a 200 would have had).
     */
    private void record(byte[] body) {
        checkBodyOpen();
        if (contentLength >= 0 && contentLength != body.length
                && !(body.length == 0 && (headRequest || status == 304))) {
            throw new IllegalStateException("contentLength(" + contentLength + ") was declared, but send(...) got "
                    + body.length + " bytes");
        }
        pending = body;
    }

    /**
     * Records a file body for {@link #finish()}: nothing is read here. The channel is this
     * response's from now on, closed by {@link #release()} (or at once if this throws).
     */
    @Override
    public void sendFile(java.nio.channels.FileChannel file, long position, long length) {
        java.util.Objects.requireNonNull(file, "file");
        try {
            checkBodyOpen();
            if (position < 0 || length < 0) {
                throw new IllegalArgumentException("sendFile: position = " + position + ", length = " + length
                        + ": must not be negative");
            }
            if (contentLength >= 0 && contentLength != length) {
                throw new IllegalStateException("contentLength(" + contentLength + ") was declared, but sendFile(...) got "
                        + length + " bytes");
            }
        } catch (RuntimeException e) {
            closeQuietly(file);
            throw e;
        }
        if (contentType == null) {
            contentType = "application/octet-stream";
        }
        this.file = file;
        this.filePosition = position;
        this.fileLength = length;
    }

    private boolean fileStillOpen() {
        try {
            file.size();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Closes a file body that was recorded (sent, failed or replaced by an error answer) and
     * gives a streamed body's pooled buffer back.
     */
    void release() {
        ResponseBody s = stream;
        if (s != null) {
            s.release();
        }
        java.nio.channels.FileChannel f = file;
        file = null;
        if (f != null) {
            closeQuietly(f);
        }
    }

    private static void closeQuietly(java.nio.channels.FileChannel f) {
        try {
            f.close();
        } catch (IOException e) {
            // A read-only channel has nothing to lose at close.
        }
    }

    /**
     * Writes the head and then the file: zero-copy from the file to the socket on plain TCP
     * (core's {@code transferFrom}, sendfile), through the connection's buffer on TLS. Never
     * compressed on the fly: the length is the file's, and ranges and validators name its bytes.
     * A file that ends early or fails to read after the head went out is thrown as committed,
     * which resets the connection (HttpConnection.fail): a cut file never ends like a whole one.
     */
    private void finishFile() throws IOException {
        runHooks();
        boolean withBody = !headRequest && !Status.bodyless(status);
        byte[] small = null;
        if (withBody && fileLength <= COALESCE) {
            // A small file is read before the head: it goes out with it in one write, and a file
            // that is already shorter than announced is still an error answer, not a reset.
            small = new byte[(int) fileLength];
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(small);
            while (b.hasRemaining()) {
                if (file.read(b, filePosition + b.position()) < 0) {
                    throw new IOException("file ended after " + b.position() + " of its " + fileLength + " bytes");
                }
            }
        }
        ResponseWriter w = c.writer;
        head(w, fileLength, false);
        committed = true;
        try {
            if (small != null) {
                w.raw(small);
                bodyBytes = small.length;
            }
            w.writeTo(c.out);
        } catch (IOException e) {
            c.ioFailed = true;
            throw e;
        }
        if (!withBody || small != null) {
            return;
        }
        long sent;
        try {
            sent = c.out.transferFrom(file, filePosition, fileLength);
        } catch (IOException e) {
            // Almost always the peer (gone mid-download, a player seeking): a socket failure, as for
            // any write. Only a channel that no longer answers is the file's own fault, and logged so.
            if (fileStillOpen()) {
                c.ioFailed = true;
            }
            throw e;
        }
        bodyBytes = sent;
        if (sent < fileLength) {
            throw new IOException("file ended after " + sent + " of its " + fileLength + " bytes (truncated while sent?)");
        }
    }

    @Override
    public OutputStream outputStream() {
        if (stream == null) {
            checkBodyOpen();
            stream = new ResponseBody(c, this);
        }
        return stream;
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    @Override
    public Response beforeCommit(Runnable action) {
        checkHeadOpen();
        java.util.Objects.requireNonNull(action, "action");
        if (hooks == null) {
            hooks = new Runnable[2];
        } else if (hookCount == hooks.length) {
            hooks = java.util.Arrays.copyOf(hooks, hookCount * 2);
        }
        hooks[hookCount++] = action;
        return this;
    }

    /** Runs the before-commit actions once, in the order they were added; a failure propagates. */
    @Override
    public Response onComplete(java.util.function.Consumer<Throwable> action) {
        java.util.Objects.requireNonNull(action, "action");
        if (completed) {
            throw new IllegalStateException("the exchange is over: its completion actions have run");
        }
        if (completions == null) {
            completions = new java.util.ArrayList<>(2);
        }
        completions.add(action);
        return this;
    }

    /** Runs the completion actions once; {@code failure} is what reset the connection, or null. */
    void complete(Throwable failure) {
        if (completed) {
            return;
        }
        completed = true;
        if (completions == null) {
            return;
        }
        for (java.util.function.Consumer<Throwable> action : completions) {
            try {
                action.accept(failure);
            } catch (Throwable e) {
                if (HttpConnection.fatal(e)) {
                    throw (VirtualMachineError) e;
                }
                // The response is over: nothing to answer, only to say so.
                HttpConnection.LOG.warn("conn {}: an onComplete action of {} failed", c.conn.id(), ex, e);
            }
        }
    }

    void runHooks() {
        int n = hookCount;
        hookCount = 0; // once: an action that fails is not run again for the error answer
        for (int i = 0; i < n; i++) {
            hooks[i].run();
        }
    }

    /** Set by {@link #sse()}. */
    EventStreamImpl events;

    @Override
    public dev.weft.http.EventStream sse() {
        if (events == null) {
            checkBodyOpen();
            try {
                events = new EventStreamImpl(c, this, ex.header("Last-Event-ID"), c.settings.sseHeartbeat().toNanos());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return events;
    }

    @Override
    public void switchProtocols(String protocol, dev.weft.core.ConnectionHandler takeover) {
        checkBodyOpen();
        java.util.Objects.requireNonNull(takeover, "takeover");
        Headers.checkName(protocol); // a token, as header names are
        if (http10()) {
            throw new IllegalStateException("an HTTP/1.0 request cannot switch protocols (RFC 9110 §7.8)");
        }
        if (!ex.body.eof()) {
            throw new IllegalStateException("switchProtocols with the request body unread: read it first");
        }
        this.upgradeTo = protocol;
        this.takeover = takeover;
        this.pending = NO_BODY;
    }

    @Override
    public Response compress(boolean allowed) {
        checkHeadOpen();
        this.compressAllowed = allowed;
        return this;
    }

    private String headerValue(String name) {
        for (int i = 0; i < count; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                return values[i];
            }
        }
        return null;
    }

    /**
     * True when this response's body may be gzip-encoded on the fly, whatever the client
     * accepts (then it also carries {@code Vary: Accept-Encoding}): on, not opted out, a
     * compressible type, a status with a body, not HEAD, no encoding or range of its own, no
     * {@code no-transform} (RFC 9110 §7.7), and no ETag: a validator names the bytes the handler
     * made, which on-the-fly compression would change.
     */
    boolean compressibleResponse() {
        return takeover == null && dev.weft.http.Compression.applies(c.settings.compression(), compressAllowed, headRequest,
                status, contentType, this::headerValue);
    }

    /** The client takes gzip (its Accept-Encoding). */
    boolean clientTakesGzip() {
        return Gzip.accepted(ex.head.headers.get("accept-encoding"));
    }

    /** Marks the response compressible (Vary) and, when {@code encode}, gzip-encoded; before {@link #head}. */
    void prepareEncoding(boolean encode) {
        set("Vary", dev.weft.http.Compression.vary(headerValue("Vary")), true);
        gzip = encode;
    }

    boolean headRequest() {
        return headRequest;
    }

    boolean http10() {
        return ex.head.minorVersion == 0;
    }

    long declaredLength() {
        return contentLength;
    }

    /** True once {@code send(...)} recorded a body or the handler took the stream. */
    boolean answered() {
        return pending != null || stream != null || file != null;
    }

    /**
     * Finishes the message after the handler and filters returned normally: writes what
     * {@code send(...)} recorded, or ends the stream (last chunk, length check), or sends the
     * bare status when the handler wrote nothing.
     */
    void finish() throws IOException {
        if (stream != null) {
            stream.finish();
            return;
        }
        if (takeover != null) {
            runHooks();
            ResponseWriter w = c.writer;
            w.start(101);
            if (c.loop.serverLine != null) {
                w.raw(c.loop.serverLine);
            }
            for (int i = 0; i < count; i++) {
                w.header(names[i], values[i]);
            }
            w.header("Connection", "Upgrade").header("Upgrade", upgradeTo).end();
            status = 101;
            committed = true;
            closeAfter = true; // HTTP never reads from this connection again
            try {
                w.writeTo(c.out);
                c.out.flush();
            } catch (IOException e) {
                c.ioFailed = true;
                throw e;
            }
            return;
        }
        if (file != null) {
            finishFile();
            return;
        }
        byte[] body = pending != null ? pending : NO_BODY;
        if (contentLength >= 0 && contentLength != body.length && !(body.length == 0 && (headRequest || status == 304))) {
            // contentLength() without a send(): nothing carries the declared bytes.
            throw new IllegalStateException("contentLength(" + contentLength + ") was declared, but the handler sent "
                    + body.length + " bytes");
        }
        runHooks();
        boolean withBody = !headRequest && !Status.bodyless(status);
        if (contentLength < 0 && body.length >= Gzip.MIN_BYTES && compressibleResponse()) {
            boolean encode = clientTakesGzip();
            prepareEncoding(encode);
            if (encode) {
                body = Gzip.compress(body);
            }
        }
        ResponseWriter w = c.writer;
        head(w, contentLength >= 0 ? contentLength : body.length, false);
        committed = true;
        try {
            if (withBody && body.length <= COALESCE) {
                w.raw(body);
                w.writeTo(c.out);
            } else {
                w.writeTo(c.out);
                if (withBody) {
                    c.out.write(body);
                }
            }
        } catch (IOException e) {
            c.ioFailed = true;
            throw e;
        }
        bodyBytes = withBody ? body.length : 0;
    }

    /**
     * Assembles the head. {@code length} is the body length, or -1 for a streamed body of
     * unknown length (chunked on HTTP/1.1, close-delimited on HTTP/1.0).
     */
    void head(ResponseWriter w, long length, boolean streamed) {
        boolean http10 = ex.head.minorVersion == 0;
        closeAfter = userClose || c.mustClose(ex) || (length < 0 && http10 && !headRequest);
        w.start(status);
        if (c.loop.serverLine != null) {
            w.raw(c.loop.serverLine);
        }
        // A 304 carries no representation metadata beyond what guides cache updates (RFC 9110 §15.4.5).
        if (contentType != null && status != 304) {
            w.header(ResponseWriter.CONTENT_TYPE, contentType);
        }
        if (gzip) {
            w.raw(ResponseWriter.CONTENT_ENCODING_GZIP);
        }
        for (int i = 0; i < count; i++) {
            if (status == 304 && notFor304(names[i])) {
                continue;
            }
            w.header(names[i], values[i]);
        }
        if (status == 304) {
            // §8.6: only the length a 200 would have had, and only if the handler declared it.
            if (contentLength >= 0) {
                w.contentLength(contentLength);
            }
        } else if (!Status.bodyless(status)) {
            if (length >= 0) {
                w.contentLength(length);
            } else if (!http10) {
                w.raw(ResponseWriter.TRANSFER_ENCODING_CHUNKED);
            }
        }
        if (closeAfter) {
            w.raw(ResponseWriter.CONNECTION_CLOSE);
        } else if (http10) {
            w.raw(ResponseWriter.CONNECTION_KEEP_ALIVE);
        }
        w.end();
    }

    private static boolean notFor304(String name) {
        return name.equalsIgnoreCase("content-encoding") || name.equalsIgnoreCase("content-language")
                || name.equalsIgnoreCase("content-range");
    }

    /**
     * Turns this into an error answer while nothing was sent: status, headers, length and body
     * the handler set are dropped (they belong to the answer that failed); the before-commit
     * actions stay, so headers a filter adds to every response reach the error answer too.
     */
    void resetForError(int status) {
        this.status = status;
        this.contentType = null;
        this.contentLength = -1;
        this.count = 0;
        release(); // before the stream is dropped: its pooled buffer goes back
        this.stream = null;
        this.pending = null;
        this.takeover = null;
    }

    void forceClose() {
        userClose = true;
    }
}
