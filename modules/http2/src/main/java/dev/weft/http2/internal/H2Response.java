package dev.weft.http2.internal;

import dev.weft.core.ConnectionHandler;
import dev.weft.http.EventStream;
import dev.weft.http.Headers;
import dev.weft.http.ProtocolResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One stream's response as {@link dev.weft.http.Response}, with HTTP/1.1's contract: a sent body
 * goes out when the handler returns, a streamed one is held until 8 KiB collect or a flush, and
 * the end of the stream (END_STREAM) is written only by {@link #finish()}, after the handler and
 * the filters returned normally.
 */
final class H2Response implements ProtocolResponse {

    private static final int BUFFER = 8192;
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    /** The date field of the current second: one formatting a second, not one per response. */
    private record Date(long second, String value) {
    }

    private static volatile Date dateCache = new Date(Long.MIN_VALUE, "");
    /** :status values, so a head does not format its status each time. */
    private static final String[] STATUS = new String[600];

    static {
        for (int i = 100; i < STATUS.length; i++) {
            STATUS[i] = Integer.toString(i).intern();
        }
    }

    private final H2Connection c;
    private final H2Stream s;
    private final H2Request req;
    private final boolean head;
    private int status = 200;
    /** name (lower case), value, … */
    private final List<String> headers = new ArrayList<>();
    private long contentLength = -1;
    private byte[] sent;
    private Out stream;
    private boolean committed;
    /** The head was handed to the connection (committed is set just before, so a failed write leaves it false). */
    private boolean headSent;
    private List<Runnable> beforeCommit;
    private boolean runningActions;
    /** {@link #onComplete} actions; null until one is added (most responses have none). */
    private List<java.util.function.Consumer<Throwable>> completions;
    private boolean completed;
    /** What the error answer is for; see {@link #failure()}. */
    private Throwable failure;
    long bodyBytes;
    H2EventStream events;
    /** {@link #compress(boolean)}: false when the handler opted out. */
    private boolean compressAllowed = true;
    /** The streamed body goes out gzip-encoded (decided at commit); null otherwise. */
    private dev.weft.http.Compression.Encoder gzip;

    H2Response(H2Connection c, H2Stream s, H2Request req) {
        this.c = c;
        this.s = s;
        this.req = req;
        this.head = req.method() == "HEAD";
    }

    @Override
    public H2Response status(int status) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status = " + status + ": a final status is 200–599");
        }
        checkNotCommitted();
        this.status = status;
        return this;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public H2Response header(String name, String value) {
        String n = checkHeader(name, value);
        for (int i = headers.size() - 2; i >= 0; i -= 2) {
            if (headers.get(i).equals(n)) {
                headers.remove(i + 1);
                headers.remove(i);
            }
        }
        headers.add(n);
        headers.add(value);
        return this;
    }

    @Override
    public H2Response addHeader(String name, String value) {
        headers.add(checkHeader(name, value));
        headers.add(value);
        return this;
    }

    private String checkHeader(String name, String value) {
        Headers.checkName(name);
        Headers.checkValue(name, value);
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("transfer-encoding")) {
            throw new IllegalArgumentException("Transfer-Encoding is managed by the server");
        }
        checkNotCommitted();
        return n;
    }

    @Override
    public H2Response contentType(String type) {
        return header("Content-Type", type);
    }

    @Override
    public H2Response contentLength(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("contentLength = " + length);
        }
        if (sent != null || stream != null) {
            throw new IllegalStateException("contentLength after a body was sent or the stream taken");
        }
        contentLength = length;
        return this;
    }

    @Override
    public void send(String body) {
        if (!hasHeader("content-type")) {
            header("Content-Type", "text/plain; charset=utf-8");
        }
        sendBytes(body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void send(byte[] body) {
        if (!hasHeader("content-type")) {
            header("Content-Type", "application/octet-stream");
        }
        sendBytes(body);
    }

    @Override
    public void send() {
        sendBytes(new byte[0]);
    }

    private void sendBytes(byte[] body) {
        if (sent != null || stream != null) {
            throw new IllegalStateException("a body was already sent or the stream taken");
        }
        if (contentLength >= 0 && body.length != 0 && body.length != contentLength) {
            throw new IllegalStateException("body of " + body.length + " bytes, but contentLength " + contentLength + " was set");
        }
        sent = body;
    }

    /** The value of header {@code name} (any case), or null. */
    private String headerValue(String name) {
        return H2Headers.first(headers, name);
    }

    /**
     * At commit, with the length unknown to the handler: HTTP/1.1's compression rules
     * ({@link dev.weft.http.Compression#applies}). A compressible response varies by
     * Accept-Encoding; it is encoded when this client takes gzip. Returns whether to encode.
     */
    private boolean decideEncoding() {
        if (contentLength >= 0 || !dev.weft.http.Compression.applies(c.dispatcher.compression(), compressAllowed, head,
                status, headerValue("content-type"), this::headerValue)) {
            return false;
        }
        header("Vary", dev.weft.http.Compression.vary(headerValue("vary")));
        if (!dev.weft.http.Compression.accepted(req.header("accept-encoding"))) {
            return false;
        }
        header("Content-Encoding", "gzip");
        return true;
    }

    private boolean hasHeader(String lower) {
        for (int i = 0; i < headers.size(); i += 2) {
            if (headers.get(i).equals(lower)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public OutputStream outputStream() {
        if (sent != null) {
            throw new IllegalStateException("a body was already sent");
        }
        if (stream == null) {
            stream = new Out();
        }
        return stream;
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    @Override
    public H2Response beforeCommit(Runnable action) {
        checkNotCommitted();
        if (beforeCommit == null) {
            beforeCommit = new ArrayList<>(2);
        }
        beforeCommit.add(action);
        return this;
    }

    @Override
    public H2Response onComplete(java.util.function.Consumer<Throwable> action) {
        java.util.Objects.requireNonNull(action, "action");
        if (completed) {
            throw new IllegalStateException("the exchange is over: its completion actions have run");
        }
        if (completions == null) {
            completions = new ArrayList<>(2);
        }
        completions.add(action);
        return this;
    }

    /**
     * Runs the completion actions once, on the stream's thread: {@code abort} is what reset the
     * stream (RST_STREAM, sent or received, or the connection's end), null for a finished one.
     */
    void complete(Throwable abort) {
        if (completed) {
            return;
        }
        completed = true;
        if (gzip != null) {
            gzip.end(); // a reset stream never finished it: its native memory goes now
        }
        if (completions == null) {
            return;
        }
        for (java.util.function.Consumer<Throwable> action : completions) {
            try {
                action.accept(abort);
            } catch (Throwable e) {
                if (e instanceof VirtualMachineError v && !(e instanceof StackOverflowError)) {
                    throw v;
                }
                // The exchange is over: nothing to answer, only to say so.
                H2Connection.LOG.warn("conn {}: stream {}: an onComplete action of {} {} failed", c.conn.id(), s.id,
                        req.method(), req.target(), e);
            }
        }
    }

    /** The status of the head handed to the connection, or -1 if none was. */
    int statusSent() {
        return headSent ? status : -1;
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    /** RFC 9113 §8.6: HTTP/2 has no 101, and a stream cannot change protocol. */
    @Override
    public void switchProtocols(String protocol, ConnectionHandler takeover) {
        throw new IllegalStateException("HTTP/2 cannot switch protocols (RFC 9113 §8.6): the request came over h2");
    }

    @Override
    public H2Response compress(boolean allowed) {
        checkNotCommitted();
        this.compressAllowed = allowed;
        return this;
    }

    @Override
    public EventStream sse() {
        if (events != null) {
            return events;
        }
        if (sent != null || stream != null) {
            throw new IllegalStateException("a body was already sent or the stream taken");
        }
        header("Content-Type", "text/event-stream");
        header("Cache-Control", "no-cache");
        OutputStream o = outputStream();
        try {
            o.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        events = new H2EventStream(c, s, o, req.header("last-event-id"));
        c.eventStreams.add(events);
        if (c.isDraining()) {
            events.endForShutdown();
        }
        return events;
    }

    @Override
    public void resetForError(int status, Throwable failure) {
        resetForError(status);
        this.failure = failure;
    }

    @Override
    public void resetForError(int status) {
        checkNotCommitted();
        this.status = status;
        headers.clear();
        contentLength = -1;
        sent = null;
        stream = null;
    }

    private void checkNotCommitted() {
        if (committed) {
            throw new IllegalStateException("the response was committed: its head went out");
        }
    }

    // ---- sending ----

    private List<String> head(long length) {
        List<Runnable> actions = beforeCommit;
        if (actions != null && !runningActions) {
            runningActions = true;
            beforeCommit = null;
            for (Runnable a : actions) {
                a.run();
            }
        }
        List<String> f = new ArrayList<>(headers.size() + 8);
        f.add(":status");
        f.add(status >= 100 && status < STATUS.length ? STATUS[status] : Integer.toString(status));
        for (int i = 0; i < headers.size(); i += 2) {
            String n = headers.get(i);
            // §8.2.2: connection-specific fields do not exist in HTTP/2; content-length is ours to set.
            if (n.equals("connection") || n.equals("keep-alive") || n.equals("proxy-connection") || n.equals("upgrade")
                    || n.equals("content-length")) {
                continue;
            }
            f.add(n);
            f.add(headers.get(i + 1));
        }
        if (length >= 0 && status != 204 && status != 304) {
            f.add("content-length");
            f.add(Long.toString(length));
        }
        String server = c.dispatcher.serverHeader();
        if (server != null && !hasHeader("server")) {
            f.add("server");
            f.add(server);
        }
        f.add("date");
        f.add(date());
        return f;
    }

    private static String date() {
        long sec = System.currentTimeMillis() / 1000;
        Date d = dateCache;
        if (d.second != sec) {
            d = new Date(sec, IMF_FIXDATE.format(java.time.Instant.ofEpochSecond(sec)));
            dateCache = d;
        }
        return d.value;
    }

    private boolean noBody() {
        return head || status == 204 || status == 304;
    }

    /** The end of the message, after the handler and filters returned normally. */
    void finish() throws IOException {
        if (stream != null) {
            stream.finish();
            return;
        }
        byte[] body = sent == null ? new byte[0] : sent;
        if (contentLength > 0 && body.length == 0 && !noBody()) {
            throw new IllegalStateException("contentLength " + contentLength + " was set, but no body was sent");
        }
        if (body.length >= dev.weft.http.Compression.MIN_BYTES && decideEncoding()) {
            body = dev.weft.http.Compression.gzip(body);
        }
        long length = contentLength >= 0 ? contentLength : body.length;
        List<String> f = head(length);
        committed = true;
        if (noBody() || body.length == 0) {
            c.writeHeaders(s, f, true);
            headSent = true;
            return;
        }
        c.writeHeaders(s, f, false, false);
        headSent = true;
        c.writeData(s, body, 0, body.length, true);
        bodyBytes = body.length;
    }

    /** The streamed body: DATA frames from an 8 KiB buffer; END_STREAM only from finish(). */
    private final class Out extends OutputStream {
        private final byte[] buf = new byte[BUFFER];
        private int count;
        private long written;
        private boolean finished;
        /** The handler's close(): its writing is over, the message is not (finish() ends it). */
        private boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("response body stream is closed");
            }
            if (finished || stream != this) {
                throw new IOException("the response body was ended or replaced");
            }
            if (contentLength >= 0 && written + len > contentLength) {
                throw new IllegalStateException("writing " + (written + len) + " bytes, over contentLength " + contentLength);
            }
            written += len;
            if (noBody()) {
                return;
            }
            if (count + len <= buf.length) {
                System.arraycopy(b, off, buf, count, len);
                count += len;
                return;
            }
            commit();
            drain();
            if (gzip != null) {
                gzip.write(b, off, len, wire);
                return;
            }
            c.writeData(s, b, off, len, false);
            bodyBytes += len;
        }

        /** Encoded bytes go out as DATA as they come; the encoder reuses its array after each. */
        private final dev.weft.http.Compression.Sink wire = (b, off, len) -> {
            c.writeData(s, b, off, len, false);
            bodyBytes += len;
        };

        @Override
        public void flush() throws IOException {
            if (finished || stream != this) {
                return;
            }
            commit();
            drain();
            if (gzip != null) {
                gzip.flush(wire); // what was written so far must be decodable now
            }
        }

        private void commit() throws IOException {
            if (!committed) {
                if (decideEncoding()) {
                    gzip = dev.weft.http.Compression.encoder();
                }
                List<String> f = head(contentLength);
                committed = true;
                c.writeHeaders(s, f, false);
                headSent = true;
            }
        }

        private void drain() throws IOException {
            if (count > 0) {
                int n = count;
                count = 0;
                if (gzip != null) {
                    gzip.write(buf, 0, n, wire);
                    return;
                }
                c.writeData(s, buf, 0, n, false);
                bodyBytes += n;
            }
        }

        void finish() throws IOException {
            if (contentLength >= 0 && written != contentLength && !noBody()) {
                throw new IllegalStateException("wrote " + written + " bytes, but contentLength " + contentLength + " was set");
            }
            finished = true;
            if (!committed && count >= dev.weft.http.Compression.MIN_BYTES && decideEncoding()) {
                // All of it fit the buffer, and is worth gzip: one encoded body with its length.
                byte[] gz = dev.weft.http.Compression.gzip(java.util.Arrays.copyOf(buf, count));
                count = 0;
                List<String> f = head(gz.length);
                committed = true;
                c.writeHeaders(s, f, false, false);
                headSent = true;
                c.writeData(s, gz, 0, gz.length, true);
                bodyBytes = gz.length;
                return;
            }
            if (gzip != null) {
                drain();
                dev.weft.http.Compression.Encoder g = gzip;
                gzip = null;
                g.finish(wire); // the rest and gzip's trailer; END_STREAM on an empty DATA after it
                c.writeData(s, buf, 0, 0, true);
                return;
            }
            if (!committed) {
                // All of it fit the buffer: one HEADERS with its length, one DATA.
                List<String> f = head(contentLength >= 0 ? contentLength : written);
                committed = true;
                if (count == 0) {
                    c.writeHeaders(s, f, true);
                    headSent = true;
                    return;
                }
                c.writeHeaders(s, f, false, false);
                headSent = true;
            }
            int n = count;
            count = 0;
            c.writeData(s, buf, 0, n, true);
            bodyBytes += n;
        }

        @Override
        public void close() {
            // Ends the handler's writing, not the message (Response#outputStream), and sends
            // nothing: try-with-resources closes the stream before a failure inside it reaches
            // the framework, which can then still answer it with its error status if nothing
            // went out yet (as HTTP/1.1 does), instead of resetting a committed stream.
            closed = true;
        }
    }
}
