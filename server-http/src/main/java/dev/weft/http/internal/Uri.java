package dev.weft.http.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Percent-decoding (RFC 3986 §2.1) and query parsing; escapes were validated by the parser. */
public final class Uri {

    private Uri() {
    }

    /**
     * One step of a UTF-8 validator (RFC 3629 §3, the table of well-formed sequences in Unicode
     * §3.9): {@code state} 0 is "between characters", and the result is the next state, or -1 when
     * {@code b} cannot come next. Overlong forms (C0, C1, E0 80-9F, F0 80-8F), surrogates
     * (ED A0-BF), code points past U+10FFFF (F4 90-BF, F5-FF), lone continuation bytes and a
     * sequence cut short by any other byte are all -1. A string is valid when every step succeeds
     * and the last leaves 0.
     */
    static int utf8Step(int state, int b) {
        if (state == 0) {
            if (b < 0x80) {
                return 0;
            }
            if (b < 0xC2) {
                return -1;
            }
            // state: continuation bytes still due << 16 | lowest allowed next byte << 8 | highest
            if (b < 0xE0) {
                return 1 << 16 | 0x80BF;
            }
            if (b < 0xF0) {
                return 2 << 16 | (b == 0xE0 ? 0xA0BF : b == 0xED ? 0x809F : 0x80BF);
            }
            if (b < 0xF5) {
                return 3 << 16 | (b == 0xF0 ? 0x90BF : b == 0xF4 ? 0x808F : 0x80BF);
            }
            return -1;
        }
        if (b < (state >> 8 & 0xFF) || b > (state & 0xFF)) {
            return -1;
        }
        int due = (state >> 16) - 1;
        return due == 0 ? 0 : due << 16 | 0x80BF;
    }

    /**
     * Decodes {@code %XX} as UTF-8. With {@code plusIsSpace} false this is path decoding and
     * strict: bytes that are not well-formed UTF-8 are {@link Violation#PATH_NOT_UTF8}, since a
     * lenient decoder would map different raw paths to one U+FFFD string (the parser already
     * rejects such paths, so for a parsed request this never throws). With {@code plusIsSpace}
     * true this is query (form) decoding, {@code +} is a space and malformed bytes become U+FFFD:
     * the query is the handler's data, not a name the server resolves.
     */
    public static String decode(String s, boolean plusIsSpace) throws BadMessageException {
        if (s.indexOf('%') < 0 && (!plusIsSpace || s.indexOf('+') < 0)) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? RequestParser.hex(s.charAt(i + 1)) : -1;
                int lo = hi >= 0 ? RequestParser.hex(s.charAt(i + 2)) : -1;
                if (lo < 0) {
                    throw new BadMessageException(Violation.TARGET_INVALID, "bad escape in " + s);
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                out.write(' ');
            } else {
                out.write(c);
            }
        }
        if (plusIsSpace) {
            return out.toString(StandardCharsets.UTF_8);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadMessageException(Violation.PATH_NOT_UTF8, s);
        }
    }

    /** {@code a=1&b=2&a=3} → {a=[1, 3], b=[2]}; a key without '=' has the value "". */
    public static Map<String, List<String>> parseQuery(String query) throws BadMessageException {
        if (query == null || query.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> map = new LinkedHashMap<>();
        int i = 0;
        while (i <= query.length()) {
            int amp = query.indexOf('&', i);
            int end = amp < 0 ? query.length() : amp;
            if (end > i) {
                int eq = query.indexOf('=', i);
                String key;
                String value;
                if (eq < 0 || eq > end) {
                    key = decode(query.substring(i, end), true);
                    value = "";
                } else {
                    key = decode(query.substring(i, eq), true);
                    value = decode(query.substring(eq + 1, end), true);
                }
                List<String> values = map.get(key);
                if (values == null) {
                    values = new ArrayList<>(1);
                    map.put(key, values);
                }
                values.add(value);
            }
            if (amp < 0) {
                break;
            }
            i = amp + 1;
        }
        for (Map.Entry<String, List<String>> e : map.entrySet()) {
            e.setValue(Collections.unmodifiableList(e.getValue()));
        }
        return Collections.unmodifiableMap(map);
    }
}
