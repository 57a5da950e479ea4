package dev.weft.http.internal;

import dev.weft.http.HttpException;
import dev.weft.http.Multipart;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A streaming multipart reader (RFC 2046 §5.1.1, as RFC 7578 uses it): one fixed buffer, never
 * the whole body. Content is handed out up to the next delimiter ({@code CRLF--boundary}); a
 * tail of the buffer that could begin a delimiter is kept until more bytes tell. Every failure
 * sticks: later calls throw it again.
 */
public final class MultipartReader {

    /** Transport padding allowed after a delimiter (RFC 2046 §5.1.1: LWSP before the CRLF). */
    private static final int MAX_PADDING = 256;

    private final InputStream in;
    private final byte[] delim;
    private final byte[] buf;
    private final Multipart.Limits limits;
    private final Consumer<? super HttpException> hook;
    private int pos;
    private int lim;
    /** {@code buf[pos, contentEnd)} is known to be content (no delimiter starts in it). */
    private int contentEnd;
    /** A delimiter starts at {@code contentEnd}. */
    private boolean delimAtEnd;
    /** Reading content: of the preamble before the first part, then of the current part. */
    private boolean inContent = true;
    private boolean done;
    private int parts;
    private long partBytes;
    private IOException failure;

    public MultipartReader(InputStream in, String boundary, Multipart.Limits limits, Consumer<? super HttpException> hook) {
        this.in = in;
        this.limits = limits;
        this.hook = hook;
        this.delim = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.buf = new byte[Math.max(16 << 10, limits.maxPartHeaderBytes() + 8) + delim.length];
        // The CRLF belongs to the delimiter (RFC 2046 §5.1.1), yet the first one may open the body
        // without it: reading as if the body began with CRLF makes the first delimiter like the rest,
        // and whatever comes before it the preamble, which is skipped.
        buf[0] = '\r';
        buf[1] = '\n';
        lim = 2;
    }

    /** The parts begun so far. */
    public int parts() {
        return parts;
    }

    /** Records {@code v} as this body's failure (sticky, and told to the hook) and returns it to throw. */
    public BadMessageException fail(Violation v, String detail) {
        BadMessageException bad = BodyFormats.malformed(v, detail, hook);
        if (failure == null) {
            failure = bad;
        }
        return bad;
    }

    /** Reads content of the current part; -1 at its end (its delimiter). */
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (failure != null) {
            throw failure;
        }
        if (!inContent) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        try {
            while (true) {
                if (pos < contentEnd) {
                    int n = Math.min(len, contentEnd - pos);
                    System.arraycopy(buf, pos, b, off, n);
                    pos += n;
                    if (parts > 0 && (partBytes += n) > limits.maxPartBytes()) {
                        throw fail(Violation.MULTIPART_PART_TOO_LARGE, "part " + parts + " over "
                                + limits.maxPartBytes() + " bytes");
                    }
                    return n;
                }
                if (delimAtEnd) {
                    pos += delim.length;
                    contentEnd = pos;
                    delimAtEnd = false;
                    inContent = false;
                    return -1;
                }
                scan();
            }
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
            throw e;
        }
    }

    /**
     * Moves {@code contentEnd} on: to the next delimiter in the buffer, else to the last byte
     * that cannot begin one, reading more when nothing can be told yet.
     */
    private void scan() throws IOException {
        int last = lim - delim.length; // the last index at which a whole delimiter is buffered
        for (int i = contentEnd; i <= last; i++) {
            if (buf[i] == '\r' && matches(i)) {
                contentEnd = i;
                delimAtEnd = true;
                return;
            }
        }
        if (last + 1 > pos) {
            contentEnd = last + 1;
            return;
        }
        if (fill() < 0) {
            throw parts == 0
                    ? fail(Violation.MULTIPART_MALFORMED, "no delimiter --boundary in the body")
                    : fail(Violation.MULTIPART_UNTERMINATED, "inside part " + parts);
        }
    }

    private boolean matches(int i) {
        for (int k = 1; k < delim.length; k++) {
            if (buf[i + k] != delim[k]) {
                return false;
            }
        }
        return true;
    }

    /** Moves what is unread to the front and reads more behind it; -1 at the end of the body. */
    private int fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            contentEnd -= pos;
            pos = 0;
        }
        int n = in.read(buf, lim, buf.length - lim);
        if (n > 0) {
            lim += n;
        }
        return n;
    }

    private void ensure(int n) throws IOException {
        while (lim - pos < n) {
            if (fill() < 0) {
                throw fail(Violation.MULTIPART_UNTERMINATED, "after the delimiter of part " + parts);
            }
        }
    }

    /**
     * Skips what is left of the current part and reads the next one's header fields.
     *
     * @return the fields (names lower case), or null after the closing delimiter
     */
    public HeaderList nextPart() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (done) {
            return null;
        }
        byte[] skip = new byte[8192];
        while (read(skip, 0, skip.length) >= 0) {
            // the rest of the part nobody read: counted against its limit all the same
        }
        try {
            ensure(2);
            if (buf[pos] == '-' && buf[pos + 1] == '-') {
                // The close delimiter; the epilogue after it is ignored (RFC 2046 §5.1.1) and left
                // to the server, which drains or closes as for any unread body.
                pos += 2;
                done = true;
                return null;
            }
            for (int pad = 0; ; pad++) {
                ensure(1);
                if (buf[pos] != ' ' && buf[pos] != '\t') {
                    break;
                }
                if (pad == MAX_PADDING) {
                    throw fail(Violation.MULTIPART_MALFORMED, "padding after delimiter " + (parts + 1));
                }
                pos++;
            }
            ensure(2);
            if (buf[pos] != '\r' || buf[pos + 1] != '\n') {
                throw fail(Violation.MULTIPART_MALFORMED, "delimiter " + (parts + 1) + " not followed by CRLF or --");
            }
            pos += 2;
            if (++parts > limits.maxParts()) {
                throw fail(Violation.MULTIPART_TOO_MANY_PARTS, "over " + limits.maxParts());
            }
            HeaderList headers = readHeaders();
            inContent = true;
            partBytes = 0;
            contentEnd = pos;
            delimAtEnd = false;
            return headers;
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
            throw e;
        }
    }

    /**
     * The part's header fields (RFC 2046 §5.1.1 takes RFC 822's syntax; RFC 7578 §4.8 expects
     * only Content-Disposition, Content-Type and Content-Transfer-Encoding): lines ended by
     * CRLF, no folding, a token name, no control byte in the value, which is decoded as UTF-8
     * (RFC 7578 §5.1.3: browsers send file names raw in UTF-8).
     */
    private HeaderList readHeaders() throws IOException {
        HeaderList h = new HeaderList(4);
        int bytes = 0;
        int max = limits.maxPartHeaderBytes();
        while (true) {
            int eol = -1;
            int from = pos;
            while (eol < 0) {
                for (int i = from; i < lim; i++) {
                    if (buf[i] == '\n') {
                        eol = i;
                        break;
                    }
                }
                if (eol < 0) {
                    if (bytes + lim - pos > max) {
                        throw fail(Violation.MULTIPART_PART_HEADER_TOO_LARGE, "part " + parts + " over " + max + " bytes");
                    }
                    int seen = lim - pos;
                    if (fill() < 0) {
                        throw fail(Violation.MULTIPART_UNTERMINATED, "inside the header of part " + parts);
                    }
                    from = pos + seen;
                }
            }
            bytes += eol + 1 - pos;
            if (bytes > max) {
                throw fail(Violation.MULTIPART_PART_HEADER_TOO_LARGE, "part " + parts + " over " + max + " bytes");
            }
            if (eol == pos || buf[eol - 1] != '\r') {
                throw fail(Violation.MULTIPART_PART_HEADER_INVALID, "bare LF in the header of part " + parts);
            }
            int end = eol - 1;
            if (end == pos) {
                pos = eol + 1;
                return h;
            }
            if (h.size() == limits.maxPartHeaderCount()) {
                throw fail(Violation.MULTIPART_TOO_MANY_PART_HEADERS, "part " + parts + " over " + limits.maxPartHeaderCount());
            }
            int colon = pos;
            while (colon < end && buf[colon] != ':') {
                int c = buf[colon] & 0xFF;
                if (!RequestParser.TCHAR[c]) {
                    throw fail(Violation.MULTIPART_PART_HEADER_INVALID, "header name of part " + parts
                            + (c == ' ' || c == '\t' ? " has whitespace (folding, or before the colon)" : " is not a token"));
                }
                colon++;
            }
            if (colon == pos || colon == end) {
                throw fail(Violation.MULTIPART_PART_HEADER_INVALID, "header line of part " + parts + " without name or colon");
            }
            int vs = colon + 1;
            int ve = end;
            while (vs < ve && (buf[vs] == ' ' || buf[vs] == '\t')) {
                vs++;
            }
            while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t')) {
                ve--;
            }
            for (int i = vs; i < ve; i++) {
                int c = buf[i] & 0xFF;
                if ((c < 0x20 && c != '\t') || c == 0x7F) {
                    throw fail(Violation.MULTIPART_PART_HEADER_INVALID, "control byte in a header value of part " + parts);
                }
            }
            String value = BodyFormats.decode(buf, vs, ve - vs, StandardCharsets.UTF_8);
            if (value == null) {
                throw fail(Violation.MULTIPART_PART_HEADER_INVALID, "header value of part " + parts + " is not UTF-8");
            }
            h.add(new String(buf, pos, colon - pos, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT), value);
            pos = eol + 1;
        }
    }
}
