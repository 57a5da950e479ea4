package dev.weft.http.internal;

import dev.weft.http.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * A request body decoded from its Content-Encoding (gzip, or deflate as RFC 9110 §8.4.1.2 means
 * it: zlib), counted after decoding against the body limit. Every failure is recorded through
 * the protocol's {@link Compression.BodyFailures}, so it is answered as the body's (413 past the
 * limit, 400 for a stream that does not decode, 415 for another coding) whatever the handler does
 * with the exception. One implementation for every protocol ({@link Compression#decodedBody}).
 */
public final class DecodedBody extends InputStream {

    private final InputStream raw;
    private final String coding;
    private final LongSupplier limit;
    private final Compression.BodyFailures failures;
    private InputStream in;
    private long total;
    private IOException failure;

    /**
     * @param raw      the body as received
     * @param coding   its Content-Encoding, trimmed and in lower case
     * @param limit    the most decoded bytes, asked at each read
     * @param failures where failures are recorded
     */
    public DecodedBody(InputStream raw, String coding, LongSupplier limit, Compression.BodyFailures failures) {
        this.raw = raw;
        this.coding = coding;
        this.limit = limit;
        this.failures = failures;
    }

    private InputStream open() throws IOException {
        if (in == null) {
            switch (coding) {
                case "gzip", "x-gzip" -> in = new GZIPInputStream(raw, 8192);
                case "deflate" -> in = new InflaterInputStream(raw, new Inflater(), 8192);
                default -> throw failures.failed(415, "unsupported request Content-Encoding " + coding + " (gzip and deflate are decoded)");
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
                long max = limit.getAsLong();
                if (total > max) {
                    throw failures.failed(413, "request body over the limit of " + max + " bytes once decoded");
                }
            }
            return n;
        } catch (ZipException | java.io.EOFException e) {
            // The body as received may have failed first (its own limit, its framing): that is the answer.
            IOException raised = failures.recorded();
            failure = raised != null ? raised
                    : failures.failed(400, "request body does not decode as its Content-Encoding says: " + e.getMessage());
        } catch (IOException e) {
            failure = e; // recorded where it was raised: by failures, or by the body as received
        }
        throw failure;
    }

    /** True once the handler began reading: the limit can no longer change. */
    public boolean started() {
        return in != null;
    }

    @Override
    public void close() {
        // The protocol owns the body: closing the decoded stream must not end the raw one.
    }
}
