package dev.weft.http.internal;

import java.util.Objects;

/**
 * The one parser for {@code host [":" port]} (RFC 3986 §3.2.2, §3.2.3), used for the Host header
 * (RFC 9112 §3.2: {@code uri-host [":" port]}), the authority of an absolute-form target (RFC 9112
 * §3.2.2, userinfo already refused by the caller) and CONNECT's authority-form (§3.2.3).
 *
 * <p>What it accepts, and the choices RFC 3986 leaves open:
 * <ul>
 *   <li>IP-literal: {@code "[" IPv6address "]"} per RFC 3986's grammar, {@code ::} compression
 *       (also standing for a single group) and an IPv4 tail included; or {@code "[" IPvFuture "]"},
 *       {@code "v" 1*HEXDIG "." 1*(unreserved / sub-delims / ":")}, 'v' in either case. No zone
 *       ids ({@code [fe80::1%25eth0]}): RFC 6874 is for user interfaces, not HTTP requests,
 *       and a zone means nothing to a server.</li>
 *   <li>IPv4address: four dec-octets, no leading zeros ({@code 01} is octal to inet_aton).</li>
 *   <li>reg-name: unreserved, sub-delims and pct-encoded. An escape must be exactly {@code %}
 *       and two HEXDIG, and escapes are only allowed for what they are meant for (§3.2.2): the
 *       UTF-8 of non-ASCII characters, well-formed. An escaped ASCII byte is refused: it is either
 *       another spelling of an unreserved character ({@code ex%61mple.com}, §2.3) or a byte no
 *       host name holds ({@code a%20b}, {@code a%2Fb}, {@code a%00}).</li>
 *   <li>A reg-name that ends in a number (its last label, ignoring one trailing dot, is all
 *       digits or {@code 0x} and hex digits: the WHATWG URL rule) must be a dotted-decimal
 *       IPv4address: {@code 127.1}, {@code 0x7f.0.0.1}, {@code 2130706433} and {@code 1.2.3.256}
 *       are reg-names to RFC 3986 but addresses to inet_aton and browsers (§7.4).</li>
 *   <li>Port: digits only (no sign, no space), at most 65535, leading zeros allowed, read by a
 *       digit loop that cannot overflow. An empty port after ':' is allowed as RFC 3986 §3.2.3
 *       and §6.2.3 allow it (it means the scheme's default) and is reported as -1; CONNECT,
 *       whose port is required (RFC 9110 §9.3.6), checks that itself.</li>
 *   <li>An empty host is allowed here, as the grammar allows; callers decide (an http URI's
 *       host may not be empty, RFC 9110 §4.2.1).</li>
 * </ul>
 * Nothing is decoded or lower-cased: {@link #host()} is the text as sent.
 *
 * @param host the host as sent, brackets included for an IP literal; may be empty
 * @param port the port, or -1 when absent or empty
 * @param kind which of RFC 3986's host forms it is
 */
public record Authority(String host, int port, Kind kind) {

    /** The host forms of RFC 3986 §3.2.2. */
    public enum Kind { REG_NAME, IPV4, IPV6, IP_FUTURE }

    /** unreserved and sub-delims (RFC 3986 §2.3, §2.2): a reg-name's bytes besides escapes. */
    private static final boolean[] REG_NAME = new boolean[128];
    /** ... and ':', the bytes of an IPvFuture after its "v" 1*HEXDIG ".". */
    private static final boolean[] FUTURE = new boolean[128];

    static {
        for (int c = 0; c < 128; c++) {
            boolean alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            REG_NAME[c] = alnum || "-._~!$&'()*+,;=".indexOf(c) >= 0;
            FUTURE[c] = REG_NAME[c] || c == ':';
        }
    }

    /**
     * Parses {@code s[from, to)} as {@code host [":" port]}.
     *
     * @throws BadMessageException with {@link Violation#HOST_INVALID}, {@link Violation#HOST_ESCAPE_INVALID},
     *                             {@link Violation#HOST_IP_LITERAL_INVALID}, {@link Violation#HOST_NUMERIC_INVALID}
     *                             or {@link Violation#PORT_INVALID}
     * @throws IndexOutOfBoundsException if the range is not inside {@code s}
     */
    public static Authority parse(String s, int from, int to) throws BadMessageException {
        Objects.checkFromToIndex(from, to, s.length());
        int hostEnd;
        Kind kind;
        if (from < to && s.charAt(from) == '[') {
            int close = from + 1;
            while (close < to && s.charAt(close) != ']') {
                close++;
            }
            if (close == to) {
                throw bad(Violation.HOST_IP_LITERAL_INVALID, s, from, to);
            }
            kind = ipLiteral(s, from + 1, close);
            if (kind == null) {
                throw bad(Violation.HOST_IP_LITERAL_INVALID, s, from, to);
            }
            hostEnd = close + 1;
            if (hostEnd < to && s.charAt(hostEnd) != ':') {
                throw bad(Violation.HOST_IP_LITERAL_INVALID, s, from, to);
            }
        } else {
            hostEnd = regName(s, from, to);
            kind = Kind.REG_NAME;
            if (endsInNumber(s, from, hostEnd)) {
                if (!ipv4(s, from, hostEnd)) {
                    throw bad(Violation.HOST_NUMERIC_INVALID, s, from, to);
                }
                kind = Kind.IPV4;
            }
        }
        int port = hostEnd < to ? port(s, hostEnd + 1, to) : -1;
        return new Authority(s.substring(from, hostEnd), port, kind);
    }

    private static BadMessageException bad(Violation v, String s, int from, int to) {
        // The detail goes to the debug log only; the client gets the reason.
        return new BadMessageException(v, s.substring(from, Math.min(to, from + 100)));
    }

    /** Checks a reg-name from {@code from} up to the first ':' or {@code to}, and returns where it ends. */
    private static int regName(String s, int from, int to) throws BadMessageException {
        int utf8 = 0;
        int i = from;
        for (; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < to ? RequestParser.hex(s.charAt(i + 1)) : -1;
                int lo = hi >= 0 ? RequestParser.hex(s.charAt(i + 2)) : -1;
                int b = hi << 4 | lo;
                if (lo < 0 || b < 0x80 || (utf8 = Uri.utf8Step(utf8, b)) < 0) {
                    throw bad(Violation.HOST_ESCAPE_INVALID, s, from, to);
                }
                i += 2;
            } else if (utf8 != 0) {
                // A multi-byte sequence cut short by a plain character, ':' included.
                throw bad(Violation.HOST_ESCAPE_INVALID, s, from, to);
            } else if (c == ':') {
                break;
            } else if (c >= 128 || !REG_NAME[c]) {
                throw bad(Violation.HOST_INVALID, s, from, to);
            }
        }
        if (utf8 != 0) {
            throw bad(Violation.HOST_ESCAPE_INVALID, s, from, to);
        }
        return i;
    }

    /**
     * The WHATWG URL "ends in a number" check: the last label, after dropping one trailing dot,
     * is non-empty and all digits, or "0x"/"0X" and only hex digits.
     */
    private static boolean endsInNumber(String s, int from, int to) {
        int end = to;
        if (end > from && s.charAt(end - 1) == '.') {
            end--;
        }
        int start = end;
        while (start > from && s.charAt(start - 1) != '.') {
            start--;
        }
        if (start == end) {
            return false;
        }
        int i = start;
        boolean hex = end - start >= 2 && s.charAt(start) == '0' && (s.charAt(start + 1) | 0x20) == 'x';
        if (hex) {
            i += 2;
        }
        for (; i < end; i++) {
            char c = s.charAt(i);
            if (hex ? RequestParser.hex(c) < 0 : c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** IPv4address (RFC 3986 §3.2.2): four dec-octets, 0-255 without leading zeros, and nothing else. */
    static boolean ipv4(String s, int from, int to) {
        int i = from;
        for (int octet = 0; octet < 4; octet++) {
            if (octet > 0) {
                if (i == to || s.charAt(i) != '.') {
                    return false;
                }
                i++;
            }
            int start = i;
            int v = 0;
            while (i < to && i - start < 4 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                v = v * 10 + s.charAt(i) - '0';
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return false;
            }
        }
        return i == to;
    }

    /** What is between the brackets: IPv6address or IPvFuture, or null for neither. */
    private static Kind ipLiteral(String s, int from, int to) {
        if (from < to && (s.charAt(from) | 0x20) == 'v') {
            int i = from + 1;
            while (i < to && RequestParser.hex(s.charAt(i)) >= 0) {
                i++;
            }
            if (i == from + 1 || i == to || s.charAt(i) != '.' || ++i == to) {
                return null;
            }
            for (; i < to; i++) {
                char c = s.charAt(i);
                if (c >= 128 || !FUTURE[c]) {
                    return null;
                }
            }
            return Kind.IP_FUTURE;
        }
        return ipv6(s, from, to) ? Kind.IPV6 : null;
    }

    /**
     * IPv6address (RFC 3986 §3.2.2, the nine alternatives in one pass): h16 groups of 1-4 HEXDIG
     * separated by single colons, at most one "::", an IPv4address only as the last 32 bits.
     * Without "::" that is exactly 8 groups (the IPv4 tail counting 2); with it, at most 7.
     */
    static boolean ipv6(String s, int from, int to) {
        int i = from;
        if (i == to) {
            return false;
        }
        int groups = 0;
        boolean compressed = false;
        if (s.charAt(i) == ':') {
            if (i + 1 == to || s.charAt(i + 1) != ':') {
                return false;
            }
            compressed = true;
            i += 2;
            if (i == to) {
                return true;
            }
        }
        while (true) {
            int start = i;
            while (i < to && i - start < 5 && RequestParser.hex(s.charAt(i)) >= 0) {
                i++;
            }
            if (i < to && s.charAt(i) == '.') {
                if (!ipv4(s, start, to)) {
                    return false;
                }
                groups += 2;
                break;
            }
            int digits = i - start;
            if (digits == 0 || digits > 4) {
                return false;
            }
            groups++;
            if (i == to) {
                break;
            }
            if (s.charAt(i) != ':') {
                return false;
            }
            i++;
            if (i == to) {
                return false; // one trailing colon
            }
            if (s.charAt(i) == ':') {
                if (compressed) {
                    return false;
                }
                compressed = true;
                i++;
                if (i == to) {
                    break;
                }
            }
        }
        return compressed ? groups <= 7 : groups == 8;
    }

    /** port = *DIGIT (RFC 3986 §3.2.3), at most 65535; -1 when empty. */
    private static int port(String s, int from, int to) throws BadMessageException {
        if (from == to) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw bad(Violation.PORT_INVALID, s, from, to);
            }
            v = v * 10 + c - '0';
            if (v > 65535) {
                throw bad(Violation.PORT_INVALID, s, from, to);
            }
        }
        return v;
    }
}
