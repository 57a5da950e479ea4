package dev.weft.http.internal;

import dev.weft.core.Buffers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Assembles a response head (and a small body) as bytes in one reusable buffer, so it reaches
 * the connection's output in a single write. Status lines and common header lines are
 * precomputed; everything else is copied char by char (header text is ISO-8859-1 on the wire).
 * One per connection; not thread-safe.
 */
public final class ResponseWriter {

    private static final byte[][] STATUS_LINES = new byte[600][];
    static final byte[] CRLF = {'\r', '\n'};
    static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");
    static final byte[] CONTENT_TYPE = ascii("Content-Type: ");
    static final byte[] TRANSFER_ENCODING_CHUNKED = ascii("Transfer-Encoding: chunked\r\n");
    static final byte[] CONNECTION_CLOSE = ascii("Connection: close\r\n");
    static final byte[] CONTENT_ENCODING_GZIP = ascii("Content-Encoding: gzip\r\n");
    static final byte[] CONNECTION_KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    static final byte[] CONTINUE_100 = ascii("HTTP/1.1 100 Continue\r\n\r\n");

    static {
        for (int s = 100; s < 600; s++) {
            String reason = Status.reason(s);
            if (reason != null) {
                STATUS_LINES[s] = ascii("HTTP/1.1 " + s + " " + reason + "\r\n");
            }
        }
    }

    private static final byte[] NONE = new byte[0];

    /**
     * Taken from the connection's buffer pool for a response and given back when the connection
     * goes idle ({@link #release()}); allocated when there is no pool (benchmarks, tests).
     */
    private byte[] buf = NONE;
    private int pos;
    private Buffers pool;

    /** Takes its buffer from the connection\'s leased buffers from now on. */
    public void usePool(Buffers pool) {
        this.pool = pool;
    }

    /** Gives the buffer back if nothing is assembled: the connection is about to wait idle. */
    public void release() {
        if (pos == 0 && buf.length > 0) {
            if (pool != null) {
                pool.release(buf); // ignored unless it is a pool buffer
            }
            buf = NONE;
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Bytes assembled so far. */
    public int size() {
        return pos;
    }

    /** The buffer holding {@link #size()} assembled bytes. */
    public byte[] buffer() {
        return buf;
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            if (buf.length == 0 && pool != null && pos + more <= pool.bufferSize()) {
                buf = pool.acquire();
                return;
            }
            byte[] old = buf;
            buf = java.util.Arrays.copyOf(old, Math.max(Math.max(pos + more, 512), old.length * 2));
            if (pool != null) {
                pool.release(old);
            }
        }
    }

    /** Starts a head: {@code HTTP/1.1 <status> <reason>\r\n} and the Date line. */
    public ResponseWriter start(int status) {
        pos = 0;
        byte[] line = status >= 100 && status < 600 ? STATUS_LINES[status] : null;
        if (line != null) {
            raw(line);
        } else {
            raw(ascii("HTTP/1.1 " + status + " \r\n"));
        }
        return raw(DateCache.line());
    }

    public ResponseWriter raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
        return this;
    }

    public ResponseWriter raw(byte[] bytes, int off, int len) {
        ensure(len);
        System.arraycopy(bytes, off, buf, pos, len);
        pos += len;
        return this;
    }

    private void chars(String s) {
        int n = s.length();
        ensure(n);
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < n; i++) {
            b[p++] = (byte) s.charAt(i);
        }
        pos = p;
    }

    /** {@code name: value\r\n}; the caller has checked both. */
    public ResponseWriter header(String name, String value) {
        chars(name);
        ensure(2);
        buf[pos++] = ':';
        buf[pos++] = ' ';
        chars(value);
        return raw(CRLF);
    }

    /** A header whose {@code "Name: "} prefix is precomputed. */
    public ResponseWriter header(byte[] namePrefix, String value) {
        raw(namePrefix);
        chars(value);
        return raw(CRLF);
    }

    public ResponseWriter contentLength(long length) {
        raw(CONTENT_LENGTH);
        decimal(length);
        return raw(CRLF);
    }

    private void decimal(long v) {
        ensure(20);
        if (v == 0) {
            buf[pos++] = '0';
            return;
        }
        int digits = 0;
        for (long t = v; t > 0; t /= 10) {
            digits++;
        }
        int p = pos + digits;
        for (long t = v; t > 0; t /= 10) {
            buf[--p] = (byte) ('0' + (t % 10));
        }
        pos += digits;
    }

    /** Ends the head with the blank line. */
    public ResponseWriter end() {
        return raw(CRLF);
    }

    /** Hands what was assembled to {@code out} in one write, and resets. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, pos);
        pos = 0;
    }

    /**
     * Benchmark entry: assembles a complete small response (head and body) as a handler's
     * {@code send} does, without any I/O.
     *
     * @return bytes assembled, available in {@link #buffer()}
     */
    public int writeSimple(int status, String contentType, byte[] body, boolean close) {
        start(status).header(CONTENT_TYPE, contentType).contentLength(body.length);
        if (close) {
            raw(CONNECTION_CLOSE);
        }
        end().raw(body);
        return pos;
    }

    /** Writes a chunk header {@code <hex>\r\n} into {@code dst} at {@code off}; returns the bytes written. */
    static int chunkHeader(byte[] dst, int off, int size) {
        int digits = Math.max(1, (Integer.SIZE - Integer.numberOfLeadingZeros(size) + 3) / 4);
        for (int i = digits - 1; i >= 0; i--) {
            int nibble = (size >>> (4 * (digits - 1 - i))) & 0xF;
            dst[off + i] = (byte) (nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
        }
        dst[off + digits] = '\r';
        dst[off + digits + 1] = '\n';
        return digits + 2;
    }
}
