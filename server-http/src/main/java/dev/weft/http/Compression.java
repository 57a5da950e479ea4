package dev.weft.http;

import dev.weft.http.internal.Gzip;
import java.io.IOException;
import java.util.function.Function;

/**
 * On-the-fly gzip for a response, with the rules and the encoder HTTP/1.1's responses use, for
 * every protocol on the {@link HttpProtocol} seam (HTTP/2 among them): one decision and one
 * encoder, so a response is compressed or not whatever the protocol it goes out on.
 *
 * <p>A protocol asks {@link #applies} when its response commits; if true, the response varies by
 * {@code Accept-Encoding} whatever this client takes (say so: {@link #vary}), and if the client
 * takes gzip ({@link #accepted}) the body goes through {@link #gzip(byte[])} or an
 * {@link #encoder()} and the head says {@code Content-Encoding: gzip}, with no
 * {@code Content-Length} for a streamed body.
 */
public final class Compression {

    /** Bodies smaller than this are sent as they are: gzip's framing would eat the gain. */
    public static final int MIN_BYTES = Gzip.MIN_BYTES;

    private Compression() {
    }

    /**
     * True when a response may be gzip-encoded on the fly, whatever the client accepts: the
     * server's compression is on ({@link HttpDispatcher#compression()}), the handler did not
     * opt out ({@link Response#compress(boolean)}), not a HEAD request, a status with a body and
     * not 206, a compressible type (text, JSON, XML, JavaScript, SVG, WebAssembly; not event
     * streams), no {@code Content-Encoding}, {@code Content-Range} or {@code ETag} of its own (a
     * validator names the bytes the handler made, which compressing would change), and no
     * {@code Cache-Control: no-transform} (RFC 9110 §7.7).
     *
     * @param serverOn      the server's compression setting
     * @param handlerAllows what the handler left {@link Response#compress(boolean)} at
     * @param headRequest   the request is a HEAD
     * @param status        the response's status
     * @param contentType   the response's Content-Type, or null
     * @param header        the response's header value by name (any case), null when absent
     * @return whether the response may be compressed
     */
    public static boolean applies(boolean serverOn, boolean handlerAllows, boolean headRequest, int status,
            String contentType, Function<String, String> header) {
        if (!serverOn || !handlerAllows || headRequest || status < 200 || status == 204 || status == 304
                || status == 206 || !Gzip.compressible(contentType)) {
            return false;
        }
        if (header.apply("Content-Encoding") != null || header.apply("Content-Range") != null
                || header.apply("ETag") != null) {
            return false;
        }
        String cc = header.apply("Cache-Control");
        return cc == null || !cc.toLowerCase(java.util.Locale.ROOT).contains("no-transform");
    }

    /**
     * True when {@code acceptEncoding} (RFC 9110 §12.5.3) takes gzip: listed (or {@code *}) with
     * a weight above 0, and not refused by {@code gzip;q=0}.
     *
     * @param acceptEncoding the request's Accept-Encoding, or null
     * @return whether the client takes gzip
     */
    public static boolean accepted(String acceptEncoding) {
        return Gzip.accepted(acceptEncoding);
    }

    /**
     * The Vary value of a compressible response: {@code vary} with {@code Accept-Encoding} added
     * unless it is there already (or is {@code *}).
     *
     * @param vary the response's Vary so far, or null
     * @return the Vary to send
     */
    public static String vary(String vary) {
        if (vary == null || vary.isBlank()) {
            return "Accept-Encoding";
        }
        for (String v : vary.split(",")) {
            String t = v.trim();
            if (t.equals("*") || t.equalsIgnoreCase("accept-encoding")) {
                return vary;
            }
        }
        return vary + ", Accept-Encoding";
    }

    /**
     * A whole body, gzip-encoded.
     *
     * @param body the bytes
     * @return their gzip encoding
     */
    public static byte[] gzip(byte[] body) {
        return Gzip.compress(body);
    }

    /**
     * A streaming gzip encoder, for a body written piece by piece. Not {@code GZIPOutputStream}:
     * its {@code write} holds the stream's monitor, which pins a virtual thread on JDK 21 while
     * it writes to the socket.
     *
     * @return a new encoder; {@link Encoder#finish} or {@link Encoder#end} frees it
     */
    public static Encoder encoder() {
        return new Encoder();
    }

    /**
     * A request body decoded from its {@code Content-Encoding}, for a protocol whose server
     * decodes request bodies ({@link HttpDispatcher#decodeRequestBodies()}): gzip ({@code x-gzip})
     * or deflate (zlib, RFC 9110 §8.4.1.2), counted after decoding against {@code limit}, so a gzip
     * bomb is a 413, not an out-of-memory. HTTP/1.1's bodies are decoded by the same code.
     *
     * @param contentEncoding the request's Content-Encoding, neither blank nor {@code identity}
     * @param body            the body as received
     * @param limit           the most decoded bytes, asked at each read ({@code limitBody} may change it before)
     * @param failures        where failures are recorded, so they are answered whatever the handler does
     * @return the decoded body; closing it leaves {@code body} to the protocol
     */
    public static java.io.InputStream decodedBody(String contentEncoding, java.io.InputStream body,
            java.util.function.LongSupplier limit, BodyFailures failures) {
        return new dev.weft.http.internal.DecodedBody(body, contentEncoding.trim().toLowerCase(java.util.Locale.ROOT),
                limit, failures);
    }

    /**
     * True when {@code contentEncoding} asks for decoding: present, and not blank or {@code identity}.
     *
     * @param contentEncoding the request's Content-Encoding, or null
     * @return whether {@link #decodedBody} applies
     */
    public static boolean encoded(String contentEncoding) {
        return contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.trim().equalsIgnoreCase("identity");
    }

    /** How a protocol records the failures of a decoded request body (see {@link #decodedBody}). */
    public interface BodyFailures {
        /**
         * The decoded body failed: record the answer it gets, sticky, and return what to throw.
         *
         * @param status 400 (the body does not decode), 413 (over the limit once decoded) or 415 (another coding)
         * @param reason what failed
         * @return the exception the handler's read throws
         */
        java.io.IOException failed(int status, String reason);

        /**
         * What the body as received failed with already (its own limit, its framing, a timeout), or
         * null: a decoder that then stops is answered with that, not with a 400.
         *
         * @return the recorded failure, or null
         */
        java.io.IOException recorded();
    }

    /** Where an {@link Encoder}'s output goes. */
    @FunctionalInterface
    public interface Sink {
        /**
         * Takes encoded bytes; the array is reused after this returns.
         *
         * @param b   the bytes
         * @param off where they start
         * @param len how many
         * @throws IOException if they cannot be passed on
         */
        void accept(byte[] b, int off, int len) throws IOException;
    }

    /** A gzip stream being encoded; for one thread. */
    public static final class Encoder {
        private final Gzip gzip = new Gzip();

        private Encoder() {
        }

        /**
         * Encodes {@code len} bytes; what the encoder emits goes to {@code sink}.
         *
         * @param b    the bytes
         * @param off  where they start
         * @param len  how many
         * @param sink where encoded bytes go
         * @throws IOException if the sink fails
         */
        public void write(byte[] b, int off, int len, Sink sink) throws IOException {
            gzip.write(b, off, len, sink::accept);
        }

        /**
         * Emits everything encoded so far (a sync flush): the client can decode what was written.
         *
         * @param sink where encoded bytes go
         * @throws IOException if the sink fails
         */
        public void flush(Sink sink) throws IOException {
            gzip.flush(sink::accept);
        }

        /**
         * Ends the stream (the rest of the data and gzip's trailer) and frees the encoder.
         *
         * @param sink where encoded bytes go
         * @throws IOException if the sink fails
         */
        public void finish(Sink sink) throws IOException {
            gzip.finish(sink::accept);
        }

        /** Frees the encoder's native memory when the stream is abandoned; harmless after {@link #finish}. */
        public void end() {
            gzip.end();
        }
    }
}
