package dev.weft.http.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The request body as a stream: Content-Length bytes, or the chunked coding decoded (chunk
 * sizes, extensions and trailers checked by {@link RequestParser}). Sends {@code 100 Continue}
 * before its first read when the client asked for it. A failure sticks: every later read
 * throws it again.
 */
final class RequestBody extends InputStream {

    private final HttpConnection c;
    private final RequestHead head;
    private final boolean chunked;
    /** Bytes left: of the body (Content-Length) or of the current chunk. */
    private long remaining;
    private long total;
    /** Bytes taken off the wire for this body: data, and for chunked also lines, CRLFs and trailers. */
    private long wire;
    private boolean started;
    private boolean eof;
    private IOException failure;
    boolean continueSent;
    HeaderList trailers;
    ResponseImpl response;
    private long limit;

    RequestBody(HttpConnection c, RequestHead head) {
        this.c = c;
        this.head = head;
        this.chunked = head.chunked;
        this.remaining = head.chunked ? 0 : Math.max(0, head.contentLength);
        this.eof = !head.chunked && remaining == 0;
        this.limit = c.settings.maxBodyBytes();
    }

    boolean eof() {
        return eof;
    }

    /** Records a failure of the decoded body, so the framework answers it as the body's. */
    void fail(IOException e) {
        if (failure == null) {
            failure = e;
        }
    }

    private InputStream decoded;

    /**
     * The body as the handler reads it: this stream, or, with {@code decodeRequestBodies} and a
     * Content-Encoding, its decoded form, bounded after decoding by the same limit (a gzip bomb
     * is a 413, not an out-of-memory).
     */
    InputStream stream() throws IOException {
        if (!c.settings.decodeRequestBodies()) {
            return this;
        }
        if (decoded == null) {
            String coding = head.headers.get("content-encoding");
            if (!dev.weft.http.Compression.encoded(coding)) {
                decoded = this;
            } else {
                decoded = dev.weft.http.Compression.decodedBody(coding, this, this::limit, new dev.weft.http.Compression.BodyFailures() {
                    @Override
                    public IOException failed(int status, String reason) {
                        BadMessageException e = new BadMessageException(switch (status) {
                            case 413 -> Violation.BODY_TOO_LARGE;
                            case 415 -> Violation.BODY_ENCODING_UNSUPPORTED;
                            default -> Violation.BODY_ENCODING_INVALID;
                        }, reason);
                        fail(e);
                        return e;
                    }

                    @Override
                    public IOException recorded() {
                        return failure;
                    }
                });
            }
        }
        return decoded;
    }

    /** Bytes of this body taken off the wire so far, framing included. */
    long wire() {
        return wire;
    }

    long limit() {
        return limit;
    }

    /** The failure that ended reading the body (sticky), or null. */
    IOException failure() {
        return failure;
    }

    /**
     * Sets the body limit for this request, capped at the server's {@code maxUploadBytes} (which
     * is {@code maxBodyBytes} unless raised); see {@link dev.weft.http.Request#limitBody(long)}.
     */
    void limit(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("limitBody(" + maxBytes + "): must not be negative");
        }
        if (started || total > 0 || (!chunked && remaining != Math.max(0, head.contentLength))
                || (decoded instanceof DecodedBody d && d.started())) {
            throw new IllegalStateException("limitBody(" + maxBytes + "): the body is already being read");
        }
        limit = Math.min(maxBytes, c.settings.bodyLimits().maxUploadBytes());
    }

    /** True when the body cannot be skipped cheaply: the connection must close after the response. */
    boolean forcesClose(long maxDrain) {
        if (eof) {
            return false;
        }
        if (failure != null) {
            return true;
        }
        if (head.expectContinue && !continueSent) {
            // The client may never send the body we did not ask for (RFC 9110 §10.1.1).
            return true;
        }
        if (chunked) {
            // No length says how much is left: only a body whose end has already arrived is
            // known to be drainable. Consuming it here instead would lose what the handler may
            // still read after committing (a streaming echo).
            return !restBuffered(maxDrain);
        }
        return remaining > maxDrain;
    }

    /**
     * True when the rest of this chunked body, through the end of its trailers, is already
     * buffered and is at most {@code maxDrain} bytes on the wire: draining it cannot block or
     * fail on length. Looks at the buffer only; the syntax check is {@link RequestParser}'s, when the
     * bytes are read, so anything unexpected here just answers false.
     */
    private boolean restBuffered(long maxDrain) {
        dev.weft.core.SocketInput in = c.in;
        int n = in.buffered();
        long left = Math.min(maxDrain, limit - total);
        int i = 0;
        boolean afterData = started;
        if (remaining > 0) {
            if (remaining > left || remaining > n) {
                return false;
            }
            i = (int) remaining;
            left -= remaining;
        }
        while (true) {
            if (afterData) {
                if (in.bufferedByte(i) != '\r' || in.bufferedByte(i + 1) != '\n') {
                    return false;
                }
                i += 2;
            }
            afterData = true;
            long size = 0;
            int digits = 0;
            for (int h; (h = hex(in.bufferedByte(i))) >= 0; i++) {
                if (++digits > 15) {
                    return false;
                }
                size = size << 4 | h;
            }
            if (digits == 0 || (i = lineEnd(in, i)) < 0) {
                return false;
            }
            if (size == 0) {
                break;
            }
            if (size > left || size > n - i) {
                return false;
            }
            i += (int) size;
            left -= size;
        }
        // Trailer lines, then the empty line.
        while (in.bufferedByte(i) != '\r' || in.bufferedByte(i + 1) != '\n') {
            if ((i = lineEnd(in, i)) < 0) {
                return false;
            }
        }
        // drain() counts wire bytes (framing included), so the promise of keep-alive must too.
        return i + 2 <= maxDrain;
    }

    private static int hex(int b) {
        return b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10 : b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
    }

    /** The index after the LF ending the line at {@code i}, or -1 if that line is not all buffered. */
    private static int lineEnd(dev.weft.core.SocketInput in, int i) {
        for (int b; (b = in.bufferedByte(i)) >= 0; i++) {
            if (b == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    private final byte[] one = new byte[1];

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (failure != null) {
            throw failure;
        }
        if (eof) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        begin();
        try {
            return readBody(b, off, len);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /**
     * Passes the body on to {@code out} straight from the connection's buffer, without the array
     * {@code InputStream.transferTo} would allocate for each call (16 KiB on JDK 21+) and copy
     * through: the body of an echo or a proxy is copied once, into {@code out}. {@code out} is
     * not flushed. What {@code out} throws is not the body's failure: the bytes of that write stay readable.
     */
    @Override
    public long transferTo(java.io.OutputStream out) throws IOException {
        java.util.Objects.requireNonNull(out, "out");
        if (failure != null) {
            throw failure;
        }
        if (eof) {
            return 0;
        }
        begin();
        long total = 0;
        while (!eof) {
            int n;
            try {
                n = readyBytes();
            } catch (IOException e) {
                throw failed(e);
            }
            if (n < 0) {
                break;
            }
            int k = c.in.transferBuffered(out, n);
            remaining -= k;
            wire += k;
            total += k;
            if (!chunked && remaining == 0) {
                eof = true;
            }
        }
        return total;
    }

    /** Before reading body bytes: the limit (before any 100 Continue), then the 100 Continue the client asked for. */
    private void begin() throws IOException {
        if (!chunked && head.contentLength > limit) {
            // Before any 100 Continue: a client that asked first is told no without sending the body.
            failure = new BadMessageException(Violation.BODY_TOO_LARGE, "Content-Length " + head.contentLength
                    + " over this route's limit of " + limit + " bytes");
            throw failure;
        }
        if (head.expectContinue && !continueSent) {
            if (response != null && response.isCommitted()) {
                throw new IllegalStateException("the response was sent before the body was read: "
                        + "the client was not asked to send it (Expect: 100-continue)");
            }
            continueSent = true;
            c.sendContinue();
        }
    }

    /** A failure reading the body: it sticks, and one of the socket's ends the connection. */
    private IOException failed(IOException e) {
        failure = e;
        if (!(e instanceof BadMessageException) && !(e instanceof dev.weft.core.ConnectionTimeoutException)) {
            c.ioFailed = true;
        }
        return e;
    }

    /**
     * At the end of a chunk, reads the next chunk's size line, and after the last chunk the
     * trailers; false when the body ended there.
     */
    private boolean atData() throws IOException {
        if (!chunked || remaining != 0) {
            return true;
        }
        InputStream in = c.in;
        if (started) {
            c.parser.readChunkEnd(in);
            wire += 2;
        }
        started = true;
        long size = c.parser.readChunkSize(in);
        wire += c.parser.lastChunkLineBytes();
        if (size == 0) {
            int before = head.headerBytes;
            trailers = c.parser.readTrailers(in, head);
            wire += head.headerBytes - before;
            eof = true;
            return false;
        }
        total += size;
        if (total > limit) {
            throw new BadMessageException(Violation.BODY_TOO_LARGE, "chunked body over " + limit + " bytes");
        }
        remaining = size;
        return true;
    }

    private int readBody(byte[] b, int off, int len) throws IOException {
        if (!atData()) {
            return -1;
        }
        c.flushBeforeBlocking();
        int n = c.in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw truncated();
        }
        remaining -= n;
        wire += n;
        if (!chunked && remaining == 0) {
            eof = true;
        }
        return n;
    }

    /** Body bytes buffered now, waiting for some if there are none, at most what is left of the chunk or body; -1 at the end. */
    private int readyBytes() throws IOException {
        if (!atData()) {
            return -1;
        }
        dev.weft.core.SocketInput in = c.in;
        if (in.buffered() == 0) {
            c.flushBeforeBlocking();
            if (in.peek() < 0) {
                throw truncated();
            }
        }
        return (int) Math.min(in.buffered(), remaining);
    }

    private EOFException truncated() {
        c.ioFailed = true;
        return new EOFException("connection closed inside the request body, " + remaining + " bytes short");
    }

    /**
     * Reads and discards what the handler left, at most {@code max} bytes off the wire, framing
     * included: a chunked body of tiny chunks costs far more to skip than its data says. (The
     * bound is checked between reads, so it can be passed by one chunk line and the trailers.)
     *
     * @return true when the body ended within the bound (the connection can serve the next request)
     */
    boolean drain(long max) {
        if (eof) {
            return true;
        }
        if (failure != null || (head.expectContinue && !continueSent)) {
            return false;
        }
        continueSent = true; // never send 100 while draining
        byte[] skip = new byte[(int) Math.min(8192, Math.max(1, max))];
        long end = wire + max;
        try {
            while (!eof) {
                long left = end - wire;
                if (left <= 0) {
                    return false;
                }
                readBody(skip, 0, (int) Math.min(skip.length, left));
            }
            return true;
        } catch (IOException e) {
            failure = e;
            return false;
        }
    }
}
