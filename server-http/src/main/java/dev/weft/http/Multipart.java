package dev.weft.http;

import dev.weft.http.internal.BadMessageException;
import dev.weft.http.internal.BodyFormats;
import dev.weft.http.internal.HeaderList;
import dev.weft.http.internal.MultipartReader;
import dev.weft.http.internal.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The parts of a {@code multipart/form-data} request body (RFC 7578), read as they arrive: one
 * part at a time, its content a stream, so an upload of any size never sits in memory. Walk it
 * once, with {@link #next()} or a for-each loop:
 *
 * <pre>{@code
 * for (Part part : req.multipart()) {
 *     if (part.filename() != null) {
 *         try (InputStream in = part.inputStream()) { store(part.filename(), in); }
 *     } else {
 *         fields.put(part.name(), part.asString());
 *     }
 * }
 * }</pre>
 *
 * Moving to the next part skips what was not read of the current one. A body that breaks the
 * rules (no boundary, no closing delimiter, a bad part header) or a limit (see {@link Limits})
 * fails with an {@link IOException} (unchecked in the for-each loop) saying what, and the
 * failure sticks: the server answers 400 or 413 even if the handler catches it.
 */
public final class Multipart implements Iterable<Part> {

    /** The media type this reads. */
    public static final String MEDIA_TYPE = "multipart/form-data";

    /**
     * The bounds of one multipart body; the whole body is bounded by the request's body limit.
     *
     * @param maxParts the most parts; one more is 413
     * @param maxPartBytes the largest content of one part, read or skipped; past it, 413
     * @param maxPartHeaderBytes the most bytes of one part's header lines; more is 400
     * @param maxPartHeaderCount the most header lines of one part; more is 400
     * @param maxFieldBytes the most {@link Part#asString()} reads; past it, 413
     */
    public record Limits(int maxParts, long maxPartBytes, int maxPartHeaderBytes, int maxPartHeaderCount,
            int maxFieldBytes) {

        /** 100 parts, no part bound of its own, 8 KiB and 16 lines of part header, 64 KiB fields. */
        public static final Limits DEFAULTS = new Limits(100, Long.MAX_VALUE, 8192, 16, 64 << 10);

        /** Checks the bounds. @throws IllegalArgumentException for one out of range */
        public Limits {
            if (maxParts < 1 || maxPartBytes < 0 || maxPartHeaderBytes < 64 || maxPartHeaderBytes > 1 << 16
                    || maxPartHeaderCount < 1 || maxFieldBytes < 0) {
                throw new IllegalArgumentException("multipart limits out of range: " + maxParts + ", " + maxPartBytes
                        + ", " + maxPartHeaderBytes + ", " + maxPartHeaderCount + ", " + maxFieldBytes);
            }
        }
    }

    private final MultipartReader reader;
    private final Limits limits;
    private Part current;
    private boolean iterated;

    private Multipart(MultipartReader reader, Limits limits) {
        this.reader = reader;
        this.limits = limits;
    }

    /**
     * Starts reading {@code body} as multipart: the parser behind {@link Request#multipart()},
     * public for other implementations of {@link Request} (another protocol's). Nothing is read
     * yet. Every malformed body and broken limit is reported to {@code onMalformed} first (the
     * server records it, so the client gets its status even if the handler catches the
     * exception), then thrown as an {@link IOException}.
     *
     * @param contentType the request's Content-Type: {@value #MEDIA_TYPE} with a {@code boundary}
     * @throws HttpException 415 for another content type
     * @throws IOException when the boundary parameter is missing or invalid (RFC 2046 §5.1.1: 1–70
     *     characters of its alphabet, not ending in a space)
     */
    public static Multipart read(InputStream body, String contentType, Limits limits,
            Consumer<? super HttpException> onMalformed) throws IOException {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(limits, "limits");
        Map<String, String> type = BodyFormats.params(contentType);
        if (type == null && contentType != null && contentType.strip().toLowerCase(java.util.Locale.ROOT).startsWith(MEDIA_TYPE)) {
            throw BodyFormats.malformed(Violation.MULTIPART_BOUNDARY_INVALID, "unparsable parameters", onMalformed);
        }
        if (type == null || !MEDIA_TYPE.equals(type.get(""))) {
            throw new HttpException(415, "expected Content-Type " + MEDIA_TYPE);
        }
        String boundary = type.get("boundary");
        if (!validBoundary(boundary)) {
            throw BodyFormats.malformed(Violation.MULTIPART_BOUNDARY_INVALID,
                    boundary == null ? "none" : "not 1-70 of RFC 2046's characters", onMalformed);
        }
        return new Multipart(new MultipartReader(body, boundary, limits, onMalformed), limits);
    }

    /** RFC 2046 §5.1.1: {@code 0*69<bchars> bcharsnospace}. */
    private static boolean validBoundary(String b) {
        if (b == null || b.isEmpty() || b.length() > 70 || b.endsWith(" ")) {
            return false;
        }
        for (int i = 0; i < b.length(); i++) {
            char c = b.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || "'()+_,-./:=? ".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * The next part, once its header was read; {@code null} after the last one (the closing
     * delimiter). What was not read of the previous part is skipped (and still counted against
     * {@code maxPartBytes}); its stream ends then.
     *
     * @throws IOException for a malformed body or a broken limit (sticky), or when reading fails
     */
    public Part next() throws IOException {
        if (current != null) {
            current.retire();
        }
        HeaderList headers = reader.nextPart();
        if (headers == null) {
            current = null;
            return null;
        }
        Map<String, String> disposition = BodyFormats.params(headers.get("content-disposition"));
        if (disposition == null || !"form-data".equals(disposition.get("")) || disposition.get("name") == null) {
            throw reader.fail(Violation.MULTIPART_PART_HEADER_INVALID, "part " + reader.parts()
                    + ": Content-Disposition " + headers.get("content-disposition"));
        }
        String encoding = headers.get("content-transfer-encoding");
        if (encoding != null && !encoding.equalsIgnoreCase("binary") && !encoding.equalsIgnoreCase("8bit")
                && !encoding.equalsIgnoreCase("7bit")) {
            // RFC 7578 §4.7: senders MUST NOT use it; decoding base64 or quoted-printable is not ours to guess.
            throw reader.fail(Violation.MULTIPART_PART_HEADER_INVALID, "part " + reader.parts()
                    + ": Content-Transfer-Encoding " + encoding);
        }
        current = new Part(this, headers, disposition.get("name"), disposition.get("filename"));
        return current;
    }

    int read(Part part, byte[] b, int off, int len) throws IOException {
        if (part != current) {
            throw new IllegalStateException("part " + part.name() + " was left: Multipart.next() moved past it");
        }
        return reader.read(b, off, len);
    }

    Limits limits() {
        return limits;
    }

    BadMessageException fail(Violation v, String detail) {
        return reader.fail(v, detail);
    }

    /**
     * The parts, once: {@code hasNext()} reads the next part's header, and a failure is thrown
     * as an {@link UncheckedIOException} (its cause says what; the server still answers it).
     *
     * @throws IllegalStateException when asked a second time
     */
    @Override
    public Iterator<Part> iterator() {
        if (iterated) {
            throw new IllegalStateException("the parts of a multipart body can be walked once");
        }
        iterated = true;
        return new Iterator<>() {
            private Part ahead;
            private boolean end;

            @Override
            public boolean hasNext() {
                if (ahead == null && !end) {
                    try {
                        ahead = Multipart.this.next();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e.getMessage(), e);
                    }
                    end = ahead == null;
                }
                return !end;
            }

            @Override
            public Part next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Part p = ahead;
                ahead = null;
                return p;
            }
        };
    }
}
