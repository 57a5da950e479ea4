package dev.weft.http.internal;

import java.io.ByteArrayOutputStream;
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

    /** Decodes {@code %XX} as UTF-8 (and {@code +} as space for query text). */
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
        return out.toString(StandardCharsets.UTF_8);
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
