package dev.weft.http;

import dev.weft.http.internal.BodyFormats;
import dev.weft.http.internal.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One part of a {@link Multipart} body: its header fields and its content, a stream valid until
 * the next part is asked for.
 */
public final class Part {

    private final Multipart owner;
    private final Headers headers;
    private final String name;
    private final String unsafeFilename;
    private final String filename;
    private final InputStream in;
    private boolean retired;

    Part(Multipart owner, Headers headers, String name, String unsafeFilename) {
        this.owner = owner;
        this.headers = headers;
        this.name = name;
        this.unsafeFilename = unsafeFilename;
        this.filename = sanitize(unsafeFilename);
        this.in = new Content();
    }

    /** The field name ({@code name} of its Content-Disposition), as sent. */
    public String name() {
        return name;
    }

    /**
     * The file name, safe to use as one path segment: the last segment of what was sent (after
     * any {@code /} or {@code \}), without control characters, with {@code :*?"<>|} as {@code _},
     * a run of dots as one, leading dots and trailing dots and spaces removed (so never holding
     * {@code ..}, never {@code .}, nor a hidden file); possibly empty (a file input left empty sends {@code filename=""}).
     * {@code null} for a part that is not a file (no {@code filename} parameter). It is still the
     * client's choice: do not trust it for anything but a display name or a checked segment.
     */
    public String filename() {
        return filename;
    }

    /**
     * The {@code filename} parameter exactly as sent, or {@code null}: may hold path separators,
     * {@code ..}, control characters. Never use it as a path.
     */
    public String unsafeFilename() {
        return unsafeFilename;
    }

    /** The part's Content-Type as sent, or {@code null} (RFC 7578 §4.4: then {@code text/plain}). */
    public String contentType() {
        return headers.get("Content-Type");
    }

    /** The part's header fields (Content-Disposition, Content-Type, …); names case-insensitive. */
    public Headers headers() {
        return headers;
    }

    /**
     * The content, streamed from the connection: it ends at the part's delimiter, and cannot be
     * read once the next part was asked for ({@link IllegalStateException}). Past
     * {@code maxPartBytes} or a malformed body it fails with an {@link IOException} (sticky, as
     * for {@link Multipart}). Closing it does nothing: the next part skips what is left.
     */
    public InputStream inputStream() {
        return in;
    }

    /**
     * The rest of the content as text in the charset of its Content-Type (UTF-8 when it names
     * none, RFC 7578 §4.4), at most {@code maxFormBytes} (the server's; the {@link
     * Multipart.Limits#maxFieldBytes()} given to {@link Multipart#read}): longer is 413, bytes
     * that are not text in that charset 400 — both sticky.
     */
    public String asString() throws IOException {
        int max = Math.min(owner.limits().maxFieldBytes(), Integer.MAX_VALUE - 16); // max + 1 must not overflow
        byte[] bytes = in.readNBytes(max + 1);
        if (bytes.length > max) {
            throw owner.fail(Violation.MULTIPART_FIELD_TOO_LARGE, "field " + name + " over " + max + " bytes");
        }
        Charset charset = StandardCharsets.UTF_8;
        Map<String, String> type = BodyFormats.params(contentType());
        String cs = type == null ? null : type.get("charset");
        if (cs != null) {
            try {
                charset = Charset.forName(cs);
            } catch (IllegalArgumentException e) {
                throw owner.fail(Violation.MULTIPART_FIELD_NOT_TEXT, "field " + name + ": unknown charset " + cs);
            }
        }
        String s = BodyFormats.decode(bytes, 0, bytes.length, charset);
        if (s == null) {
            throw owner.fail(Violation.MULTIPART_FIELD_NOT_TEXT, "field " + name + " is not " + charset.name());
        }
        return s;
    }

    void retire() {
        retired = true;
    }

    @Override
    public String toString() {
        return "Part[" + name + (unsafeFilename == null ? "" : ", file " + filename) + "]";
    }

    static String sanitize(String raw) {
        if (raw == null) {
            return null;
        }
        String last = raw.substring(Math.max(raw.lastIndexOf('/'), raw.lastIndexOf('\\')) + 1);
        StringBuilder sb = new StringBuilder(last.length());
        for (int i = 0; i < last.length(); ) {
            int cp = last.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF
                    || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E)) {
                continue; // controls, and the invisible or bidi ones that disguise a name (an .exe as .txt)
            }
            if (cp == '.' && !sb.isEmpty() && sb.charAt(sb.length() - 1) == '.') {
                continue; // a run of dots is one: no ".." anywhere, for code that checks names by substring
            }
            sb.appendCodePoint(":*?\"<>|".indexOf(cp) >= 0 ? '_' : cp);
        }
        int start = 0;
        int end = sb.length();
        while (start < end && (sb.charAt(start) == '.' || sb.charAt(start) == ' ')) {
            start++;
        }
        while (end > start && (sb.charAt(end - 1) == '.' || sb.charAt(end - 1) == ' ')) {
            end--; // Windows drops them, so "a.txt." would name a.txt
        }
        return sb.substring(start, end);
    }

    private final class Content extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (retired) {
                throw new IllegalStateException("part " + name + " was left: Multipart.next() moved past it");
            }
            return owner.read(Part.this, b, off, len);
        }

        @Override
        public void close() {
            // The body belongs to the connection; the next part skips what is left of this one.
        }
    }
}
