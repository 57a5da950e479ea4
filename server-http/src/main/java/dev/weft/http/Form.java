package dev.weft.http;

import dev.weft.http.internal.BodyFormats;
import dev.weft.http.internal.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The fields of an {@code application/x-www-form-urlencoded} request body, as {@link
 * Request#form()} gives them: names and values decoded ({@code +} and {@code %XX}, UTF-8), each
 * name with its values in order. Immutable.
 */
public final class Form {

    /** The media type this reads. */
    public static final String MEDIA_TYPE = "application/x-www-form-urlencoded";

    /** The default of the server's {@code maxFormBytes}: 64 KiB. */
    public static final long DEFAULT_MAX_BYTES = 64 << 10;

    private final Map<String, List<String>> fields;

    private Form(Map<String, List<String>> fields) {
        this.fields = fields;
    }

    /** The first value of field {@code name}, or {@code null} when absent. */
    public String get(String name) {
        List<String> values = fields.get(name);
        return values == null ? null : values.get(0);
    }

    /** Every value of field {@code name}, in order; empty when absent. */
    public List<String> all(String name) {
        return fields.getOrDefault(name, List.of());
    }

    /** The field names, in first-arrival order. */
    public Set<String> names() {
        return fields.keySet();
    }

    /** Every field with its values, insertion-ordered and unmodifiable. */
    public Map<String, List<String>> asMap() {
        return fields;
    }

    @Override
    public String toString() {
        return fields.toString();
    }

    /**
     * Reads a form from {@code body}: the parser behind {@link Request#form()}, public for other
     * implementations of {@link Request} (another protocol's). It reads at most {@code maxBytes}
     * and parses strictly: a bad {@code %}-escape or bytes that are not UTF-8 are 400, a longer
     * body 413. Those are reported to {@code onMalformed} first (the server records them so the
     * client gets that status even if the handler catches the exception), then thrown as an
     * {@link IOException} saying what and where.
     *
     * @param contentType the request's Content-Type, which must be {@value #MEDIA_TYPE} (with no
     *     charset or UTF-8)
     * @throws HttpException 415 for another content type, before anything is read
     * @throws IOException for a malformed or too long body, or when reading it fails
     */
    public static Form read(InputStream body, String contentType, long maxBytes,
            Consumer<? super HttpException> onMalformed) throws IOException {
        Objects.requireNonNull(body, "body");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        Map<String, String> type = BodyFormats.params(contentType);
        if (type == null || !MEDIA_TYPE.equals(type.get(""))) {
            throw new HttpException(415, "expected Content-Type " + MEDIA_TYPE);
        }
        String charset = type.get("charset");
        if (charset != null && !charset.equalsIgnoreCase("utf-8")) {
            throw new HttpException(415, "form charset " + charset + " is not supported, only UTF-8");
        }
        int max = (int) Math.min(maxBytes, Integer.MAX_VALUE - 16);
        byte[] bytes = body.readNBytes(max + 1);
        if (bytes.length > max) {
            throw BodyFormats.malformed(Violation.FORM_TOO_LARGE, "over " + max + " bytes", onMalformed);
        }
        return new Form(BodyFormats.parseForm(bytes, bytes.length, onMalformed));
    }
}
