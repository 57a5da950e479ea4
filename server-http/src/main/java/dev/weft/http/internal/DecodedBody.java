package dev.weft.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * A request body decoded from its Content-Encoding (gzip, or deflate as RFC 9110 §8.4.1.2 means
 * it: zlib), counted after decoding against the body limit. Every failure is recorded on the
 * {@link RequestBody}, so it is answered as the body's (413 past the limit, 400 for a stream that
 * does not decode, 415 for another coding) whatever the handler does with the exception.
 */
final class DecodedBody extends InputStream {

    private final RequestBody raw;
    private final String coding;
    private InputStream in;
    private long total;
    private IOException failure;

    DecodedBody(RequestBody raw, String coding) {
        this.raw = raw;
        this.coding = coding;
    }

    private InputStream open() throws IOException {
        if (in == null) {
            switch (coding) {
                case "gzip", "x-gzip" -> in = new GZIPInputStream(raw, 8192);
                case "deflate" -> in = new InflaterInputStream(raw, new Inflater(), 8192);
                default -> throw new BadMessageException(Violation.BODY_ENCODING_UNSUPPORTED,
                        "Content-Encoding " + coding + " (gzip and deflate are decoded)");
            }
        }
        return in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw failure;
        }
        try {
            int n = open().read(b, off, len);
            if (n > 0) {
                total += n;
                if (total > raw.limit()) {
                    throw new BadMessageException(Violation.BODY_TOO_LARGE, "decoded body over " + raw.limit() + " bytes");
                }
            }
            return n;
        } catch (ZipException | java.io.EOFException e) {
            IOException raised = raw.failure();
            failure = raised != null ? raised : new BadMessageException(Violation.BODY_ENCODING_INVALID, e.getMessage());
        } catch (IOException e) {
            failure = e;
        }
        raw.fail(failure);
        throw failure;
    }

    /** True once the handler began reading: the limit can no longer change. */
    boolean started() {
        return in != null;
    }

    @Override
    public void close() {
        // The connection owns the body: closing the decoded stream must not end the raw one.
    }
}
