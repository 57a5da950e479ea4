package dev.weft.http.internal;

import dev.weft.http.HttpException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the form and multipart parsers share: the failure that sticks, media-type parameters
 * (RFC 9110 §5.6.6, also Content-Disposition's, RFC 6266 §4.1), strict decoding.
 */
public final class BodyFormats {

    private BodyFormats() {
    }

    /**
     * A body that breaks {@code v}: the hook hears it first (the server records it on the request
     * body, so it is answered with {@code v}'s status whatever the handler does), then the caller
     * throws what this returns.
     */
    public static BadMessageException malformed(Violation v, String detail, Consumer<? super HttpException> hook) {
        BadMessageException bad = new BadMessageException(v, detail);
        if (hook != null) {
            hook.accept(new HttpException(v.status(), v.reason(), bad));
        }
        return bad;
    }

    /** True for a token (RFC 9110 §5.6.2). */
    public static boolean isToken(CharSequence s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xFF || !RequestParser.TCHAR[c]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A media type or disposition with its parameters: {@code type; a=b; c="d e"} → the type,
     * lower case, at key "" and each parameter under its lower-cased name (the first of a
     * repeated one). Quoted strings take {@code \"} and {@code \\} as escapes; any other backslash
     * is kept, since browsers send Windows paths unescaped in filenames (HTML's form encoding
     * escapes only {@code "}, CR and LF, as %22, %0D, %0A).
     *
     * @return the parameters, or null when the value does not parse
     */
    public static Map<String, String> params(String value) {
        if (value == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        int n = value.length();
        int i = skipWs(value, 0);
        int start = i;
        while (i < n && value.charAt(i) != ';') {
            i++;
        }
        String type = value.substring(start, i).strip().toLowerCase(Locale.ROOT);
        if (type.isEmpty()) {
            return null;
        }
        out.put("", type);
        while (i < n) {
            i = skipWs(value, i + 1); // past ';'
            if (i >= n) {
                break; // a trailing ';' is harmless
            }
            int nameStart = i;
            while (i < n && value.charAt(i) != '=' && value.charAt(i) != ';') {
                i++;
            }
            String name = value.substring(nameStart, i).strip().toLowerCase(Locale.ROOT);
            if (i >= n || value.charAt(i) != '=' || !isToken(name)) {
                return null;
            }
            i = skipWs(value, i + 1);
            String v;
            if (i < n && value.charAt(i) == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = value.charAt(i++);
                    if (c == '"') {
                        closed = true;
                        break;
                    }
                    if (c == '\\' && i < n && (value.charAt(i) == '"' || value.charAt(i) == '\\')) {
                        c = value.charAt(i++);
                    }
                    sb.append(c);
                }
                if (!closed) {
                    return null;
                }
                v = sb.toString();
                i = skipWs(value, i);
                if (i < n && value.charAt(i) != ';') {
                    return null;
                }
            } else {
                int vStart = i;
                while (i < n && value.charAt(i) != ';') {
                    i++;
                }
                v = value.substring(vStart, i).strip();
                // Lenient past RFC 9110's token: unquoted boundaries such as ----=_Part_1 or a/b are
                // common. Still no whitespace, quote or control byte inside.
                if (v.isEmpty() || !visible(v)) {
                    return null;
                }
            }
            out.putIfAbsent(name, v);
        }
        return out;
    }

    private static boolean visible(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7F || c == '"') {
                return false;
            }
        }
        return true;
    }

    private static int skipWs(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** Strict decoding: null when {@code bytes} are not well-formed in {@code charset}. */
    public static String decode(byte[] bytes, int off, int len, Charset charset) {
        try {
            return charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, off, len))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Parses an {@code application/x-www-form-urlencoded} body (the URL Standard §5.1): pairs
     * split on {@code &}, name and value on the first {@code =}, {@code +} is a space, {@code %XX}
     * a byte, and the bytes UTF-8. Stricter than the URL Standard, which passes a malformed
     * escape through and replaces bad UTF-8 with U+FFFD: two different bodies would then read as
     * one form, so both are refused here. Empty pairs ({@code a=1&&b=2}) are skipped.
     */
    public static Map<String, List<String>> parseForm(byte[] body, int len, Consumer<? super HttpException> hook)
            throws BadMessageException {
        Map<String, List<String>> map = new LinkedHashMap<>();
        ByteArrayOutputStream name = new ByteArrayOutputStream();
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        int i = 0;
        while (i < len) {
            int end = i;
            while (end < len && body[end] != '&') {
                end++;
            }
            if (end > i) {
                name.reset();
                value.reset();
                ByteArrayOutputStream into = name;
                for (int j = i; j < end; j++) {
                    int b = body[j] & 0xFF;
                    if (b == '=' && into == name) {
                        into = value;
                    } else if (b == '+') {
                        into.write(' ');
                    } else if (b == '%') {
                        int hi = j + 2 < end ? RequestParser.hex(body[j + 1] & 0xFF) : -1;
                        int lo = hi >= 0 ? RequestParser.hex(body[j + 2] & 0xFF) : -1;
                        if (lo < 0) {
                            throw malformed(Violation.FORM_ENCODING_INVALID, "at byte " + j, hook);
                        }
                        into.write(hi << 4 | lo);
                        j += 2;
                    } else {
                        into.write(b);
                    }
                }
                String k = utf8(name, i, hook);
                String v = utf8(value, i, hook);
                map.computeIfAbsent(k, x -> new ArrayList<>(1)).add(v);
            }
            i = end + 1;
        }
        for (Map.Entry<String, List<String>> e : map.entrySet()) {
            e.setValue(Collections.unmodifiableList(e.getValue()));
        }
        return Collections.unmodifiableMap(map);
    }

    private static String utf8(ByteArrayOutputStream bytes, int at, Consumer<? super HttpException> hook)
            throws BadMessageException {
        byte[] b = bytes.toByteArray();
        String s = decode(b, 0, b.length, StandardCharsets.UTF_8);
        if (s == null) {
            throw malformed(Violation.FORM_NOT_UTF8, "in the pair at byte " + at, hook);
        }
        return s;
    }
}
