package dev.weft.http.internal;

import dev.weft.http.Response;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The streamed response body behind {@link Response#outputStream()}.
 *
 * <p>Writes collect in a buffer of its own, not in the connection's output, so nothing of the
 * response (its head included) reaches the client until the buffer is full or the handler
 * flushes: a handler that fails early, or a request body that turns out bad while the handler
 * echoes it, is still answered with its error status. From the first time the buffer goes out
 * the response is committed: its head is written (chunked unless a length was declared; on
 * HTTP/1.0 close-delimited), and later a failure can only reset the connection.
 *
 * <p>{@link #close()} ends the handler's writing and nothing more: the last chunk is written,
 * and a declared length checked, by {@link #finish()}, which the framework calls only once the
 * handler and every filter returned normally. To HEAD (and for bodyless statuses) the body is
 * counted and discarded.
 */
final class ResponseBody extends OutputStream {

    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};
    /** Room in front of the buffered data for a chunk-size line (at most 8 hex digits + CRLF). */
    private static final int ROOM = 10;

    private final HttpConnection c;
    private final ResponseImpl res;
    private boolean closed;
    private boolean finished;
    /** Inside {@link #finish()}: the whole body is known. */
    private boolean finishing;
    private boolean encodingDecided;
    private boolean onWire;
    private boolean chunked;
    private boolean discard;
    private long declared = -1;
    private long written;
    /** Data collected from index ROOM on, with 2 bytes kept free at the end for a chunk's CRLF. */
    private byte[] buf;
    private int len;
    /** Set at commit when the body goes out gzip-encoded: data passes through it into chunks. */
    private Gzip gzip;
    /** Writes compressed bytes as what the framing needs (a chunk, or raw on HTTP/1.0). */
    private final Gzip.Sink wire = this::framed;

    /**
     * True while the buffer comes from the connection's pool and goes back at {@link #release}.
     * An event stream keeps an array of its own: its heartbeat thread may still write after the
     * exchange ended, so a pooled buffer it held could already serve another connection.
     */
    private boolean pooled = true;

    ResponseBody(HttpConnection c, ResponseImpl res) {
        this.c = c;
        this.res = res;
    }

    /** For an event stream, before its first write: the buffer is never pooled (see {@link #pooled}). */
    void ownBuffer() {
        pooled = false;
    }

    /**
     * Gives a pooled buffer back once the exchange is over (finished, answered with an error, or
     * reset). Writing is over too: a later write fails instead of touching a buffer that another
     * connection may hold by then.
     */
    void release() {
        closed = true;
        byte[] b = buf;
        if (pooled && b != null) {
            buf = null;
            len = 0;
            c.releaseChunkBuffer(b);
        }
    }

    private final byte[] one = new byte[1];

    @Override
    public void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
        java.util.Objects.checkFromIndexSize(off, n, b.length);
        if (closed) {
            throw new IOException("response body stream is closed");
        }
        if (written == 0 && buf == null) {
            // The length and the framing are fixed by the first write: what was declared before it.
            declared = res.declaredLength();
            discard = res.headRequest() || Status.bodyless(res.status());
        }
        if (declared >= 0 && written + n > declared) {
            throw new IOException("response body longer than its Content-Length " + declared);
        }
        written += n;
        if (discard || n == 0) {
            return;
        }
        if (buf == null) {
            buf = pooled ? c.pooledChunkBuffer() : c.chunkBuffer();
        }
        int room = buf.length - ROOM - 2 - len;
        if (n <= room) {
            System.arraycopy(b, off, buf, ROOM + len, n);
            len += n;
            return;
        }
        // Full: from here on the response is on the wire.
        goOnWire();
        emit();
        if (n >= (buf.length - ROOM - 2) / 2) {
            writeThrough(b, off, n);
        } else {
            System.arraycopy(b, off, buf, ROOM + len, n);
            len = n;
        }
    }

    private void writeThrough(byte[] b, int off, int n) throws IOException {
        if (gzip != null) {
            try {
                gzip.write(b, off, n, wire);
            } catch (IOException e) {
                c.ioFailed = true;
                throw e;
            }
            return;
        }
        framed(b, off, n);
    }

    /** Hands {@code n} body bytes to the connection: as one chunk when chunked. */
    private void framed(byte[] b, int off, int n) throws IOException {
        if (n == 0) {
            return;
        }
        try {
            if (chunked) {
                byte[] header = new byte[ROOM];
                int h = ResponseWriter.chunkHeader(header, 0, n);
                c.out.write(header, 0, h);
                c.out.write(b, off, n);
                c.out.write(ResponseWriter.CRLF);
            } else {
                c.out.write(b, off, n);
            }
        } catch (IOException e) {
            c.ioFailed = true;
            throw e;
        }
        res.bodyBytes += n;
    }

    /**
     * Commits: writes the head into the connection's output. Responses to earlier pipelined
     * requests still held there go out first, on their own: if this one fails later, the reset
     * that ends it must not take them along.
     */
    private void goOnWire() throws IOException {
        if (onWire) {
            return;
        }
        res.runHooks();
        onWire = true;
        if (buf == null && written == 0) {
            declared = res.declaredLength();
            discard = res.headRequest() || Status.bodyless(res.status());
        }
        // On the fly gzip for a streamed body of unknown length: only when committing with more
        // than a small body written, or on a flush (then it is a stream: compress it as one).
        if (!encodingDecided && declared < 0 && !discard && (!finishing || written >= Gzip.MIN_BYTES)
                && res.compressibleResponse()) {
            boolean encode = res.clientTakesGzip();
            res.prepareEncoding(encode);
            if (encode) {
                gzip = new Gzip();
            }
        }
        ResponseWriter w = c.writer;
        res.head(w, declared, true);
        res.committed = true;
        // HTTP/1.0 has no chunked coding: the body ends when the connection closes (head() set closeAfter).
        chunked = declared < 0 && !discard && !res.http10();
        try {
            if (c.out.buffered() > 0) {
                c.out.flush();
            }
            w.writeTo(c.out);
        } catch (IOException e) {
            c.ioFailed = true;
            throw e;
        }
    }

    /** Hands the buffered data to the connection (as one chunk when chunked). */
    private void emit() throws IOException {
        if (len == 0) {
            return;
        }
        if (gzip != null) {
            try {
                gzip.write(buf, ROOM, len, wire);
            } catch (IOException e) {
                c.ioFailed = true;
                throw e;
            }
            len = 0;
            return;
        }
        try {
            if (chunked) {
                byte[] header = new byte[ROOM];
                int h = ResponseWriter.chunkHeader(header, 0, len);
                int start = ROOM - h;
                System.arraycopy(header, 0, buf, start, h);
                buf[ROOM + len] = '\r';
                buf[ROOM + len + 1] = '\n';
                c.out.write(buf, start, h + len + 2);
            } else {
                c.out.write(buf, ROOM, len);
            }
        } catch (IOException e) {
            c.ioFailed = true;
            throw e;
        }
        res.bodyBytes += len;
        len = 0;
    }

    /** Sends the head and what is buffered now: the handler asked for it (full-duplex streaming, a progress line). */
    @Override
    public void flush() throws IOException {
        if (closed) {
            return;
        }
        goOnWire();
        emit();
        try {
            if (gzip != null) {
                gzip.flush(wire); // what was written so far must be decodable now
            }
            c.out.flush();
        } catch (IOException e) {
            c.ioFailed = true;
            throw e;
        }
    }

    /**
     * Ends the handler's writing: later writes fail. It does not end the message; a handler
     * that goes on to fail after closing still gets its error answer (or, once committed, a
     * reset connection), never a complete-looking response.
     */
    @Override
    public void close() {
        closed = true;
    }

    /**
     * Ends the message once the handler returned normally: the length check, then the rest of
     * the data and the last chunk. A response that never went out is sent whole now; on HTTP/1.0
     * with its length known at last, so the connection need not close to end it.
     *
     * @throws IllegalStateException if fewer bytes were written than the declared Content-Length
     */
    void finish() throws IOException {
        if (finished) {
            return; // an event stream ended by shutdown was finished by its own thread
        }
        finished = true;
        closed = true;
        if (!onWire && buf == null && written == 0) {
            declared = res.declaredLength();
            discard = res.headRequest() || Status.bodyless(res.status());
        }
        if (declared >= 0 && written < declared && !(discard && written == 0)) {
            throw new IllegalStateException("response body ended after " + written + " of its Content-Length "
                    + declared + " bytes");
        }
        finishing = true;
        if (!onWire && declared < 0 && res.http10() && !discard) {
            if (written >= Gzip.MIN_BYTES && res.compressibleResponse()) {
                // HTTP/1.0, the whole body at hand: compress it now, so it can go with its length.
                boolean encode = res.clientTakesGzip();
                res.prepareEncoding(encode);
                encodingDecided = true;
                if (encode) {
                    byte[] gz = Gzip.compress(java.util.Arrays.copyOfRange(buf, ROOM, ROOM + len));
                    declared = gz.length;
                    goOnWire();
                    framed(gz, 0, gz.length);
                    len = 0;
                    return;
                }
            }
            declared = written;
        }
        goOnWire();
        emit();
        if (gzip != null) {
            try {
                gzip.finish(wire);
            } catch (IOException e) {
                c.ioFailed = true;
                throw e;
            }
        }
        if (chunked) {
            try {
                c.out.write(LAST_CHUNK);
            } catch (IOException e) {
                c.ioFailed = true;
                throw e;
            }
        }
    }
}
