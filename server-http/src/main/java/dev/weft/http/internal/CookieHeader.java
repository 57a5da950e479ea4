package dev.weft.http.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The request's {@code Cookie} header(s), parsed leniently but never into something unsafe. */
public final class CookieHeader {

    private CookieHeader() {
    }

    /**
     * {@code a=1; b="2"} → {a=1, b=2}. Lenient as RFC 6265 §5.4 asks of what browsers send: pairs
     * split on {@code ;}, whitespace around them dropped, one pair of double quotes around a value
     * removed, several Cookie lines (HTTP/2 splits them) read in order. Safe: a pair without
     * {@code =}, with a name that is not a token, or a value holding a control byte, {@code ;},
     * a quote inside or a backslash is skipped, not guessed at. For a name sent twice the first
     * wins (browsers send the cookie with the longest path first, RFC 6265 §5.4 step 2).
     */
    public static Map<String, String> parse(List<String> lines) {
        if (lines.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : lines) {
            int i = 0;
            int n = line.length();
            while (i < n) {
                int end = line.indexOf(';', i);
                if (end < 0) {
                    end = n;
                }
                int eq = line.indexOf('=', i);
                if (eq >= 0 && eq < end) {
                    String name = line.substring(i, eq).strip();
                    String value = line.substring(eq + 1, end).strip();
                    if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
                        value = value.substring(1, value.length() - 1);
                    }
                    if (BodyFormats.isToken(name) && safeValue(value)) {
                        out.putIfAbsent(name, value);
                    }
                }
                i = end + 1;
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static boolean safeValue(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c == 0x7F || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
