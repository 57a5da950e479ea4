package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.weft.http.internal.BadMessageException;
import dev.weft.http.internal.RequestHead;
import dev.weft.http.internal.RequestParser;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Fuzz tests of the request-head parser, fed raw bytes in memory through
 * {@link RequestParser#forStream()} (no socket: thousands of inputs a second).
 *
 * <p>Without {@code JAZZER_FUZZ} these run as regression tests over the seeds in
 * {@code src/test/resources/dev/weft/http/RequestHeadFuzzTestInputs/<method>/} (and over every
 * crash file Jazzer has left there); with {@code JAZZER_FUZZ=1} each method fuzzes for its
 * {@code maxDuration}. See docs/fuzzing.md.
 *
 * <p>Invariants, for any input: the parser either returns a head, or throws
 * {@link BadMessageException} (a rule was broken) or {@link EOFException} (the input ended
 * inside the head); nothing else (no IndexOutOfBounds, NumberFormat, NullPointer...). An accepted
 * head re-serialized (request line, then each field as {@code name: value}) parses again to the
 * same fields, and the parser never reads past the blank line ending the head.
 */
class RequestHeadFuzzTest {

    /** Bounded input: the parser's own limits (8 KiB line, 16 KiB fields) reject anything longer anyway. */
    private static final int MAX_INPUT = 64 << 10;

    @FuzzTest(maxDuration = "30s")
    void head(byte[] input) throws IOException {
        if (input.length > MAX_INPUT) {
            return;
        }
        ByteArrayInputStream in = new ByteArrayInputStream(input);
        RequestHead head = parseOrNull(in);
        if (head == null) {
            return;
        }
        int consumed = input.length - in.available();
        assertTrue(consumed >= 4 && input[consumed - 4] == '\r' && input[consumed - 3] == '\n'
                && input[consumed - 2] == '\r' && input[consumed - 1] == '\n',
                "the parser stops right after the blank line (a pipelined request behind it stays unread)");
        checkAccepted(head);
    }

    /**
     * The Host header (origin form) and the authority of an absolute-form target, both fed from
     * the fuzzer's bytes: the first byte picks the form, the rest is the value as sent.
     */
    @FuzzTest(maxDuration = "30s")
    void host(byte[] input) throws IOException {
        if (input.length == 0 || input.length > 4096) {
            return;
        }
        boolean absolute = (input[0] & 1) == 1;
        String value = new String(input, 1, input.length - 1, StandardCharsets.ISO_8859_1);
        String raw = absolute
                ? "GET http://" + value + "/p HTTP/1.1\r\nHost: ignored.example\r\n\r\n"
                : "GET /p HTTP/1.1\r\nHost: " + value + "\r\n\r\n";
        RequestHead head = parseOrNull(new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1)));
        boolean plain = PLAIN_AUTHORITY.matcher(value).matches();
        if (head == null) {
            // A well-formed authority is never refused (the request stays far below the
            // default limits); anything else may be.
            assertTrue(!plain, () -> "a plain authority was refused: " + printable(value));
            return;
        }
        checkAccepted(head);
        if (absolute) {
            // The authority ends where the path or query begins (RFC 3986 §3.2).
            int end = value.length();
            for (int i = 0; i < value.length(); i++) {
                if (value.charAt(i) == '/' || value.charAt(i) == '?') {
                    end = i;
                    break;
                }
            }
            assertEquals(value.substring(0, end), head.host, "absolute form: the host is the target's authority");
            assertEquals("ignored.example", head.headers.get("host"), "the Host field stays as sent");
        } else if (value.indexOf('\r') < 0 && value.indexOf('\n') < 0) {
            assertEquals(trimOws(value), head.host, "the host is the Host value as sent, less OWS");
        }
        for (int i = 0; i < head.host.length(); i++) {
            char c = head.host.charAt(i);
            assertTrue(c < 0x80 && HOST_CHARS.indexOf(c) >= 0 || Character.isLetterOrDigit(c) && c < 0x80,
                    () -> "accepted host with a byte no authority has: " + printable(value));
        }
    }

    /** Parses one head: null when it was refused in one of the documented ways. */
    static RequestHead parseOrNull(ByteArrayInputStream in) throws IOException {
        try {
            return RequestParser.forStream().readHead(in);
        } catch (BadMessageException e) {
            assertNotNull(e.violation(), "a rejection names its rule");
            return null;
        } catch (EOFException e) {
            return null;
        }
    }

    /** Field-level sanity, then a re-serialization round trip. */
    static void checkAccepted(RequestHead head) throws IOException {
        assertTrue(head.minorVersion == 0 || head.minorVersion == 1);
        assertTrue(!head.method.isEmpty() && !head.target.isEmpty() && head.rawPath != null);
        assertTrue(!head.chunked || head.contentLength == -1, "chunked and Content-Length never both");
        if (head.minorVersion == 1) {
            assertNotNull(head.host, "HTTP/1.1 has a host");
        }
        RequestHead again = RequestParser.forStream().readHead(new ByteArrayInputStream(serialize(head)));
        assertNotNull(again, "a re-serialized accepted head is accepted again");
        assertEquals(head.method, again.method);
        assertEquals(head.target, again.target);
        assertEquals(head.rawPath, again.rawPath);
        assertEquals(head.rawQuery, again.rawQuery);
        assertEquals(head.minorVersion, again.minorVersion);
        assertEquals(head.host, again.host);
        assertEquals(head.contentLength, again.contentLength);
        assertEquals(head.chunked, again.chunked);
        assertEquals(head.connectionClose, again.connectionClose);
        assertEquals(head.connectionKeepAlive, again.connectionKeepAlive);
        assertEquals(head.expectContinue, again.expectContinue);
        assertEquals(head.headers.toString(), again.headers.toString(), "same fields, same order, same values");
        assertTrue(again.headerBytes <= head.headerBytes, "re-serialized fields are never longer");
    }

    /** The canonical head: request line, fields as {@code name:value} (no OWS: never longer than sent), blank line. */
    static byte[] serialize(RequestHead head) {
        StringBuilder sb = new StringBuilder(256);
        sb.append(head.method).append(' ').append(head.target).append(" HTTP/1.").append(head.minorVersion).append("\r\n");
        for (int i = 0; i < head.headers.size(); i++) {
            sb.append(head.headers.name(i)).append(':').append(head.headers.value(i)).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static final String LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";

    /**
     * A plain authority every HTTP server takes (RFC 3986 §3.2.2, §3.2.3): a DNS name of at most
     * 253 characters whose last label starts with a letter (so it cannot be read as a broken
     * IPv4 address), an IPv4 address, or a full or loopback IPv6 literal; then an optional port
     * of at most 65535.
     */
    private static final Pattern PLAIN_AUTHORITY = Pattern.compile(
            "(?:(?=[^:]{1,253}(?::|$))(?:" + LABEL + "\\.)*[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            + "|" + OCTET + "(?:\\." + OCTET + "){3}"
            + "|\\[(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\\]|\\[::1\\])"
            + "(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0))?");

    /** Bytes of RFC 3986 reg-name, IP-literal and port, beside letters and digits. */
    private static final String HOST_CHARS = "-._~!$&'()*+,;=:[]%";

    private static String trimOws(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return sb.toString();
    }
}
