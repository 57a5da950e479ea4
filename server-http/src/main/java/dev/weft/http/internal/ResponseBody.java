package dev.weft.http.internal;

import dev.weft.http.Response;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The streamed response body behind {@link Response#outputStream()}: with a declared length it
 * passes bytes through and counts them; without, it collects writes into chunks of up to the
 * buffer size (so many small writes do not become many tiny chunks) and ends with the last
 * chunk. The head is sent with the first write, flush or close. To HEAD it discards the body.
 */
final class ResponseBody extends OutputStream {

    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};
    private static final int CHUNK_HEADER_ROOM = 10;

    private final HttpConnection c;
    private final ResponseImpl res;
    private boolean committed;
    private boolean closed;
    private boolean chunked;
    private boolean discard;
    private long declared;
    private long written;
    /** For chunked: data collected from index CHUNK_HEADER_ROOM on, so the header can be put in front. */
    private byte[] chunk;
    private int chunkLen;

    ResponseBody(HttpConnection c, ResponseImpl res) {
        this.c = c;
        this.res = res;
    }

    private void commit() throws IOException {
        if (committed) {
            return;
        }
        committed = true;
        declared = res.declaredLength();
        discard = res.headRequest() || Status.bodyless(res.status());
        ResponseWriter w = c.writer;
        res.head(w, declared, true);
        res.committed = true;
        // HTTP/1.0 has no chunked coding: the body ends when the connection closes (head() set closeAfter).
        chunked = declared < 0 && !discard && !res.http10();
        try {
            w.writeTo(c.out);
        } catch (IOException e) {
            c.ioFailed = true;
            throw e;
        }
        if (chunked) {
            chunk = c.chunkBuffer();
        }
    }

    private final byte[] one = new byte[1];

    @Override
    public void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("response body stream is closed");
        }
        commit();
        if (declared >= 0 && written + len > declared) {
            throw new IOException("response body longer than its Content-Length " + declared);
        }
        written += len;
        if (discard || len == 0) {
            return;
        }
        try {
            if (!chunked) {
                c.out.write(b, off, len);
                res.bodyBytes += len;
                return;
            }
            int room = chunk.length - CHUNK_HEADER_ROOM - 2 - chunkLen;
            if (len <= room) {
                System.arraycopy(b, off, chunk, CHUNK_HEADER_ROOM + chunkLen, len);
                chunkLen += len;
                return;
            }
            emitChunk();
            if (len >= chunk.length / 2) {
                byte[] header = new byte[CHUNK_HEADER_ROOM];
                int h = ResponseWriter.chunkHeader(header, 0, len);
                c.out.write(header, 0, h);
                c.out.write(b, off, len);
                c.out.write(ResponseWriter.CRLF);
                res.bodyBytes += len;
            } else {
                System.arraycopy(b, off, chunk, CHUNK_HEADER_ROOM, len);
                chunkLen = len;
            }
        } catch (IOException e) {
            c.ioFailed = true;
            throw e;
        }
    }

    private void emitChunk() throws IOException {
        if (chunkLen == 0) {
            return;
        }
        byte[] header = new byte[CHUNK_HEADER_ROOM];
        int h = ResponseWriter.chunkHeader(header, 0, chunkLen);
        int start = CHUNK_HEADER_ROOM - h;
        System.arraycopy(header, 0, chunk, start, h);
        chunk[CHUNK_HEADER_ROOM + chunkLen] = '\r';
        chunk[CHUNK_HEADER_ROOM + chunkLen + 1] = '\n';
        c.out.write(chunk, start, h + chunkLen + 2);
        res.bodyBytes += chunkLen;
        chunkLen = 0;
    }

    @Override
    public void flush() throws IOException {
        if (closed) {
            return;
        }
        commit();
        try {
            if (chunked) {
                emitChunk();
            }
            c.out.flush();
        } catch (IOException e) {
            c.ioFailed = true;
            throw e;
        }
    }

    /** Ends the body: the last chunk, or a check that the declared length was reached. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        commit();
        closed = true;
        try {
            if (chunked) {
                emitChunk();
                c.out.write(LAST_CHUNK);
            }
        } catch (IOException e) {
            c.ioFailed = true;
            throw e;
        }
        if (declared >= 0 && written < declared && !discard) {
            res.incomplete = true;
            throw new IOException("response body ended after " + written + " of its Content-Length " + declared + " bytes");
        }
    }

    boolean closed() {
        return closed;
    }
}
