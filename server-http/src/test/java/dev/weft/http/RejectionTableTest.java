package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.internal.BadMessageException;
import dev.weft.http.internal.RequestHead;
import dev.weft.http.internal.RequestParser;
import dev.weft.http.internal.Violation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every request the server rejects, in one table: raw bytes and the {@link Violation} they
 * break. Each row is checked twice: against the parser alone, and over a real socket (the
 * status, {@code Connection: close}, then the server closes).
 */
class RejectionTableTest {

    /** The body limit of the table's server, small so 413 rows stay small. */
    static final int MAX_BODY = 1024;

    static final String H = "Host: t\r\n";

    /** 32 KiB of chunk lines for 8 bytes of data (and the last chunk). */
    static final String EXTENSION_FLOOD = ("1;e=" + "x".repeat(4000) + "\r\nx\r\n").repeat(8) + "0\r\n\r\n";

    /** A chunked POST whose fields use 16,048 of the 16,384 header bytes. */
    static final String NEAR_LIMIT_HEAD = "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nX-Pad: "
            + "p".repeat(16000) + "\r\n\r\n";

    /**
     * Authorities rejected in both places: {violation, authority[, violation in a target when it
     * differs]}. A target's escapes are checked before its authority is parsed: there "%zz" is TARGET_INVALID.
     */
    static final String[][] AUTHORITY_ROWS = {
        {"PORT_INVALID", "example.com:8o"}, {"PORT_INVALID", "a:b:c"}, {"PORT_INVALID", "example.com:99999999999"},
        {"PORT_INVALID", "example.com:65536"}, {"PORT_INVALID", "example.com:+80"}, {"PORT_INVALID", "example.com:-1"},
        {"PORT_INVALID", "example.com:0x50"}, {"PORT_INVALID", "example.com:80:80"}, {"PORT_INVALID", "[::1]:x"},
        {"PORT_INVALID", "[::1]:65536"}, {"PORT_INVALID", "example.com:80]"}, {"PORT_INVALID", "example.com:%38%30"},
        {"PORT_INVALID", "::1"}, {"PORT_INVALID", "example.com:1" + "0".repeat(30)},
        {"HOST_IP_LITERAL_INVALID", "[::1"}, {"HOST_IP_LITERAL_INVALID", "[]"}, {"HOST_IP_LITERAL_INVALID", "[::1]x"},
        {"HOST_IP_LITERAL_INVALID", "[::1]]"}, {"HOST_IP_LITERAL_INVALID", "[[::1]]"}, {"HOST_IP_LITERAL_INVALID", "[127.0.0.1]"},
        {"HOST_IP_LITERAL_INVALID", "[1:2:3:4:5:6:7:8:9]"}, {"HOST_IP_LITERAL_INVALID", "[1:2:3:4:5:6:7]"},
        {"HOST_IP_LITERAL_INVALID", "[1::2::3]"}, {"HOST_IP_LITERAL_INVALID", "[:::1]"}, {"HOST_IP_LITERAL_INVALID", "[::1:]"},
        {"HOST_IP_LITERAL_INVALID", "[:1::]"}, {"HOST_IP_LITERAL_INVALID", "[1:2:3:4:5:6:7:8::]"},
        {"HOST_IP_LITERAL_INVALID", "[12345::]"}, {"HOST_IP_LITERAL_INVALID", "[::g]"},
        {"HOST_IP_LITERAL_INVALID", "[::1.2.3.256]"}, {"HOST_IP_LITERAL_INVALID", "[::1.2.3]"},
        {"HOST_IP_LITERAL_INVALID", "[::1.2.3.4:5]"}, {"HOST_IP_LITERAL_INVALID", "[1.2.3.4::]"},
        {"HOST_IP_LITERAL_INVALID", "[::ffff:01.2.3.4]"}, {"HOST_IP_LITERAL_INVALID", "[1:2:3:4:5:6::1.2.3.4]"},
        {"HOST_IP_LITERAL_INVALID", "[1:2:3:4:5:6:7:1.2.3.4]"}, {"HOST_IP_LITERAL_INVALID", "[fe80::1%25eth0]"},
        {"HOST_IP_LITERAL_INVALID", "[fe80::1%eth0]", "TARGET_INVALID"}, {"HOST_IP_LITERAL_INVALID", "[v1.]"},
        {"HOST_IP_LITERAL_INVALID", "[v.x]"}, {"HOST_IP_LITERAL_INVALID", "[vg.x]"}, {"HOST_IP_LITERAL_INVALID", "[v1x]"},
        {"HOST_IP_LITERAL_INVALID", "[v1.x/y]"}, {"HOST_IP_LITERAL_INVALID", "[v1.%41]"},
        {"HOST_ESCAPE_INVALID", "%zz", "TARGET_INVALID"}, {"HOST_ESCAPE_INVALID", "a%2", "TARGET_INVALID"},
        {"HOST_ESCAPE_INVALID", "a%", "TARGET_INVALID"}, {"HOST_ESCAPE_INVALID", "a%20b"}, {"HOST_ESCAPE_INVALID", "ex%61mple.com"},
        {"HOST_ESCAPE_INVALID", "a%2Fb"}, {"HOST_ESCAPE_INVALID", "a%00"}, {"HOST_ESCAPE_INVALID", "b%C3"},
        {"HOST_ESCAPE_INVALID", "b%C3.example"}, {"HOST_ESCAPE_INVALID", "%C3%28"}, {"HOST_ESCAPE_INVALID", "caf%E9"},
        {"HOST_ESCAPE_INVALID", "%C0%AE"}, {"HOST_ESCAPE_INVALID", "%ED%A0%80"}, {"HOST_ESCAPE_INVALID", "%80"},
        {"HOST_ESCAPE_INVALID", "%F4%90%80%80"},
        {"HOST_NUMERIC_INVALID", "127.1"}, {"HOST_NUMERIC_INVALID", "1.2.3.256"}, {"HOST_NUMERIC_INVALID", "01.2.3.4"},
        {"HOST_NUMERIC_INVALID", "0x7f.0.0.1"}, {"HOST_NUMERIC_INVALID", "1.2.3.4.5"}, {"HOST_NUMERIC_INVALID", "example.123"},
        {"HOST_NUMERIC_INVALID", "2130706433"}, {"HOST_NUMERIC_INVALID", "0x7F000001"}, {"HOST_NUMERIC_INVALID", "1.2.3.4."},
        {"HOST_NUMERIC_INVALID", "1.2.3.4.:80"}, {"HOST_NUMERIC_INVALID", "a.0x"}, {"HOST_NUMERIC_INVALID", "0177.0.0.1"},
        {"HOST_INVALID", "a[b"}, {"HOST_INVALID", "a]b"}, {"HOST_INVALID", "a]"}, {"HOST_INVALID", "u@a:80", "TARGET_USERINFO"},
    };

    static Stream<Arguments> rows() {
        List<Arguments> rows = new ArrayList<>();
        // --- line endings (bare LF rejected: see docs/http.md)
        add(rows, Violation.BARE_LF, "GET / HTTP/1.1\nHost: t\n\n");
        add(rows, Violation.BARE_LF, "GET / HTTP/1.1\r\nHost: t\n\r\n");
        add(rows, Violation.BARE_LF, "\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
        add(rows, Violation.BARE_LF, "GET / HTTP/1.1\r\nHost: t\r\n\n");
        add(rows, Violation.BARE_CR, "GET / HTTP/1.1\r\nHost: t\rX: y\r\n\r\n");
        add(rows, Violation.BARE_CR, "GET / HTTP/1.1\rHost: t\r\n\r\n");
        add(rows, Violation.BARE_CR, "\rGET / HTTP/1.1\r\nHost: t\r\n\r\n");
        add(rows, Violation.TOO_MANY_EMPTY_LINES, "\r\n".repeat(9) + "GET / HTTP/1.1\r\n" + H + "\r\n");
        // --- request line
        add(rows, Violation.HTTP_0_9, "GET /\r\n\r\n");
        add(rows, Violation.REQUEST_LINE_MALFORMED, "GET  / HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.REQUEST_LINE_MALFORMED, "GET / HTTP/1.1 \r\n" + H + "\r\n");
        add(rows, Violation.REQUEST_LINE_MALFORMED, " GET / HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.REQUEST_LINE_MALFORMED, "GET /a b HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.REQUEST_LINE_MALFORMED, "GET\r\n" + H + "\r\n");
        // Only empty lines may precede the request line (RFC 9112 §2.2); a blank-looking one is a request line.
        add(rows, Violation.REQUEST_LINE_MALFORMED, " \r\nGET / HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.METHOD_INVALID, "G(T / HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.METHOD_INVALID, "GE\"T / HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.CONTROL_CHARACTER, "GET\t/ HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.CONTROL_CHARACTER, "GET /\u0001 HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.CONTROL_CHARACTER, "GET /\u0000 HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.CONTROL_CHARACTER, "GET /\u007f HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.CONTROL_CHARACTER, "GET /\u00c3\u00a9 HTTP/1.1\r\n" + H + "\r\n");
        // A TLS ClientHello on the plain port: record 16 03 01 len 02 00, handshake 01 len 00 01 fc,
        // client_version 03 03; each char one Latin-1 byte. Rejected at its first byte (0x16).
        add(rows, Violation.CONTROL_CHARACTER, "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003");
        add(rows, Violation.VERSION_UNSUPPORTED, "GET / HTTP/2.0\r\n" + H + "\r\n");
        add(rows, Violation.VERSION_UNSUPPORTED, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        add(rows, Violation.VERSION_UNSUPPORTED, "GET / HTTP/1.2\r\n" + H + "\r\n");
        add(rows, Violation.VERSION_UNSUPPORTED, "GET / HTTP/0.9\r\n" + H + "\r\n");
        add(rows, Violation.VERSION_MALFORMED, "GET / HTTP/3\r\n" + H + "\r\n");
        add(rows, Violation.VERSION_MALFORMED, "GET / http/1.1\r\n" + H + "\r\n");
        add(rows, Violation.VERSION_MALFORMED, "GET / HTTP/1.10\r\n" + H + "\r\n");
        add(rows, Violation.VERSION_MALFORMED, "GET / HTTP/1.x\r\n" + H + "\r\n");
        add(rows, Violation.TARGET_INVALID, "GET /a%zz HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.TARGET_INVALID, "GET /a%2 HTTP/1.1\r\n" + H + "\r\n");
        // Escapes are checked in the whole target, query included, at parse time: a bad one there is 400 too.
        add(rows, Violation.TARGET_INVALID, "GET /a?q=%zz HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.TARGET_INVALID, "GET /a?q=%2 HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.TARGET_INVALID, "GET /a#frag HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.TARGET_INVALID, "GET /a<b> HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.TARGET_INVALID, "GET /a\\b HTTP/1.1\r\n" + H + "\r\n");
        for (String target : new String[] {"http:///a", "http://", "http://?q", "http://:80/x", "https://:443"}) {
            add(rows, Violation.TARGET_HOST_EMPTY, "GET " + target + " HTTP/1.1\r\n" + H + "\r\n");
        }
        for (String target : new String[] {"http://u@t/", "http://u:p@t/a", "http://@t/", "http://u@t?q", "https://t@evil"}) {
            add(rows, Violation.TARGET_USERINFO, "GET " + target + " HTTP/1.1\r\n" + H + "\r\n");
        }
        for (String path : new String[] {"/a/../b", "/./a", "/a/%2e%2E/b", "/a/.", "/..", "/a/.%2e?q", "http://t/a/../b",
            "/x/%2e%2e/y", "/%2E", "/a/%2e./b", "/a/%2e"}) {
            add(rows, Violation.DOT_SEGMENT, "GET " + path + " HTTP/1.1\r\n" + H + "\r\n");
        }
        // "..%2F" decodes to "../" in path() and in a "*" or {param} value, after the dot check passed.
        for (String path : new String[] {"/files/..%2Fsecret", "/a%2fb", "/%2F", "/a/b%2F?q", "http://t/a%2Fb"}) {
            add(rows, Violation.ENCODED_SLASH, "GET " + path + " HTTP/1.1\r\n" + H + "\r\n");
        }
        // "..%5C" is "..\" to a Windows file API, which splits on it after the dot check passed.
        for (String path : new String[] {"/files/..%5Csecret", "/a%5cb", "/%5C", "/a/b%5c?q", "http://t/a%5Cb"}) {
            add(rows, Violation.ENCODED_BACKSLASH, "GET " + path + " HTTP/1.1\r\n" + H + "\r\n");
        }
        // One decode leaves "%2F", "%2e%2e" or "%5C" for a handler that decodes again; "%25%32%46" is
        // "%2F" spelled with encoded hex digits, which is why a bare "%25" is rejected too.
        for (String path : new String[] {"/files/..%252Fsecret", "/a%252fb", "/%252e%252e/x", "/a%255C", "/a%255c",
            "/a%25%32%46b", "/100%25", "/a%25zz", "/%25/b", "http://t/a%252Fb", "/a%25?q"}) {
            add(rows, Violation.ENCODED_PERCENT, "GET " + path + " HTTP/1.1\r\n" + H + "\r\n");
        }
        for (String path : new String[] {"/a%00", "/file.txt%00.png", "/%00/b", "/a%01", "/log%0d%0aforged", "/a%0A",
            "/a%09b", "/a%1f", "/a%1F", "/a%7f", "/a%7F?q", "http://t/a%1b"}) {
            add(rows, Violation.ENCODED_CONTROL, "GET " + path + " HTTP/1.1\r\n" + H + "\r\n");
        }
        // Overlong forms (of '/' and '.'), surrogates, code points past U+10FFFF, lone continuation bytes,
        // truncated sequences, Latin-1: a lenient decoder maps each to U+FFFD, so two raw paths would
        // decode to one string (and an overlong "%C0%AF" to '/' in a decoder that is more lenient still).
        for (String path : new String[] {"/a%80", "/a%BF", "/a%FF", "/a%FE", "/%C0%AF", "/%C0%AE%C0%AE/x", "/%C1%BF",
            "/%E0%80%AF", "/%E0%9F%BF", "/%F0%80%80%AF", "/%F0%8F%BF%BF", "/%ED%A0%80", "/%ED%BF%BF", "/%ED%A0%BD%ED%B8%80",
            "/%F4%90%80%80", "/%F5%80%80%80", "/%F8%88%80%80%80", "/%C3", "/%C3/x", "/%C3x", "/%E2%82", "/%E2%82/",
            "/%F0%9F%98", "/%F0%9F%98?q", "/caf%E9", "/a%C3%A9%A9", "/%C3%C3%A9", "http://t/%C0%AF", "/a/b%E9?q=%C3%A9"}) {
            add(rows, Violation.PATH_NOT_UTF8, "GET " + path + " HTTP/1.1\r\n" + H + "\r\n");
        }
        add(rows, Violation.TARGET_FORM, "GET * HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.TARGET_FORM, "GET example.com:443 HTTP/1.1\r\n" + H + "\r\n");
        // An origin server does not tunnel: a well-formed authority-form CONNECT is 501, a malformed one 400.
        add(rows, Violation.CONNECT_NOT_IMPLEMENTED, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
        add(rows, Violation.CONNECT_NOT_IMPLEMENTED, "CONNECT [::1]:8443 HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.CONNECT_NOT_IMPLEMENTED, "CONNECT 127.0.0.1:22 HTTP/1.0\r\n\r\n");
        add(rows, Violation.TARGET_FORM, "CONNECT example.com HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.TARGET_FORM, "CONNECT example.com: HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.TARGET_FORM, "CONNECT * HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.TARGET_FORM, "CONNECT http://example.com:443/ HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.TARGET_HOST_EMPTY, "CONNECT :443 HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.TARGET_USERINFO, "CONNECT u@example.com:443 HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.PORT_INVALID, "CONNECT example.com:99999 HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.HOST_IP_LITERAL_INVALID, "CONNECT [::1:443 HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.TARGET_FORM, "GET ftp://t/ HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.TARGET_FORM, "GET a/b HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.URI_TOO_LONG, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.REQUEST_LINE_TOO_LONG, "A".repeat(9000) + " / HTTP/1.1\r\n" + H + "\r\n");
        // --- field lines
        add(rows, Violation.LEADING_WHITESPACE, "GET / HTTP/1.1\r\n Host: t\r\n\r\n");
        add(rows, Violation.LEADING_WHITESPACE, "GET / HTTP/1.1\r\n\tHost: t\r\n\r\n");
        add(rows, Violation.OBS_FOLD, "GET / HTTP/1.1\r\n" + H + "X: a\r\n b\r\n\r\n");
        add(rows, Violation.OBS_FOLD, "GET / HTTP/1.1\r\n" + H + "X: a\r\n\tb\r\n\r\n");
        add(rows, Violation.HEADER_NAME_INVALID, "GET / HTTP/1.1\r\n" + H + "X(: a\r\n\r\n");
        add(rows, Violation.HEADER_NAME_INVALID, "GET / HTTP/1.1\r\n" + H + ": a\r\n\r\n");
        add(rows, Violation.HEADER_NAME_INVALID, "GET / HTTP/1.1\r\n" + H + "X\u00e9: a\r\n\r\n");
        add(rows, Violation.HEADER_NAME_INVALID, "GET / HTTP/1.1\r\n" + H + "X\u0000: a\r\n\r\n");
        add(rows, Violation.WHITESPACE_BEFORE_COLON, "GET / HTTP/1.1\r\nHost : t\r\n\r\n");
        add(rows, Violation.WHITESPACE_BEFORE_COLON, "POST / HTTP/1.1\r\n" + H + "Content-Length\t: 1\r\n\r\nx");
        add(rows, Violation.HEADER_NO_COLON, "GET / HTTP/1.1\r\n" + H + "NoColon\r\n\r\n");
        add(rows, Violation.HEADER_VALUE_INVALID, "GET / HTTP/1.1\r\n" + H + "X: a\u0000b\r\n\r\n");
        add(rows, Violation.HEADER_VALUE_INVALID, "GET / HTTP/1.1\r\n" + H + "X: a\u007fb\r\n\r\n");
        add(rows, Violation.HEADER_VALUE_INVALID, "GET / HTTP/1.1\r\n" + H + "X: a\u000bb\r\n\r\n");
        add(rows, Violation.HEADERS_TOO_LARGE, "GET / HTTP/1.1\r\n" + H + "X: " + "v".repeat(17000) + "\r\n\r\n");
        add(rows, Violation.HEADERS_TOO_LARGE, "GET / HTTP/1.1\r\n" + H + "X-Long-Name-" + "n".repeat(17000) + ": v\r\n\r\n");
        add(rows, Violation.HEADERS_TOO_LARGE, "GET / HTTP/1.1\r\n" + H + ("X-Pad: " + "p".repeat(190) + "\r\n").repeat(90) + "\r\n");
        add(rows, Violation.TOO_MANY_HEADERS, "GET / HTTP/1.1\r\n" + H + "X: y\r\n".repeat(100) + "\r\n");
        // --- framing: Content-Length
        // The last one is U+FF11 FULLWIDTH DIGIT ONE as UTF-8: a digit to Character.isDigit, not to RFC 5234.
        for (String cl : new String[] {"+10", "-1", "1.5", "10,10", "10, 10", "0x10", "", "1 0", "99999999999999999999", "\u00ef\u00bc\u0091"}) {
            add(rows, Violation.CONTENT_LENGTH_INVALID, "POST / HTTP/1.1\r\n" + H + "Content-Length: " + cl + "\r\n\r\n");
        }
        add(rows, Violation.CONTENT_LENGTH_MULTIPLE, "POST / HTTP/1.1\r\n" + H + "Content-Length: 1\r\nContent-Length: 1\r\n\r\nx");
        add(rows, Violation.CONTENT_LENGTH_MULTIPLE, "POST / HTTP/1.1\r\n" + H + "Content-Length: 1\r\ncontent-length: 2\r\n\r\nxx");
        add(rows, Violation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                "POST / HTTP/1.1\r\n" + H + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        add(rows, Violation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n");
        add(rows, Violation.TRANSFER_ENCODING_HTTP_1_0, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        add(rows, Violation.TRANSFER_ENCODING_HTTP_1_0,
                "POST / HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        add(rows, Violation.TRANSFER_ENCODING_NOT_CHUNKED_LAST, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, gzip\r\n\r\n");
        add(rows, Violation.TRANSFER_ENCODING_NOT_CHUNKED_LAST, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip\r\n\r\n");
        add(rows, Violation.TRANSFER_ENCODING_NOT_CHUNKED_LAST, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked;q=1\r\n\r\n");
        add(rows, Violation.TRANSFER_ENCODING_NOT_CHUNKED_LAST, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding:\r\n\r\n");
        add(rows, Violation.TRANSFER_ENCODING_NOT_CHUNKED_LAST, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: \"chunked\"\r\n\r\n");
        add(rows, Violation.TRANSFER_ENCODING_NOT_CHUNKED_LAST,
                "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n");
        add(rows, Violation.TRANSFER_ENCODING_CHUNKED_TWICE, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, chunked\r\n\r\n");
        add(rows, Violation.TRANSFER_ENCODING_CHUNKED_TWICE,
                "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n");
        add(rows, Violation.TRANSFER_ENCODING_UNKNOWN, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n");
        add(rows, Violation.TRANSFER_ENCODING_UNKNOWN, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: identity, chunked\r\n\r\n");
        // --- Host
        add(rows, Violation.HOST_MISSING, "GET / HTTP/1.1\r\n\r\n");
        add(rows, Violation.HOST_MISSING, "GET http://t/ HTTP/1.1\r\n\r\n");
        add(rows, Violation.HOST_MULTIPLE, "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n");
        add(rows, Violation.HOST_MULTIPLE, "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n");
        add(rows, Violation.HOST_INVALID, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n");
        add(rows, Violation.HOST_INVALID, "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n");
        add(rows, Violation.HOST_INVALID, "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n");
        add(rows, Violation.HOST_INVALID, "GET / HTTP/1.1\r\nHost: a\u00e9\r\n\r\n");
        add(rows, Violation.HOST_INVALID, "GET / HTTP/1.1\r\nHost: a?b\r\n\r\n");
        add(rows, Violation.HOST_INVALID, "GET / HTTP/1.1\r\nHost: a\"b\r\n\r\n");
        add(rows, Violation.HOST_INVALID, "GET / HTTP/1.1\r\nHost: :80\r\n\r\n");
        add(rows, Violation.HOST_INVALID, "GET / HTTP/1.1\r\nHost: :\r\n\r\n");
        // The authority parser, once through the Host header and once through an absolute-form target.
        for (String[] row : AUTHORITY_ROWS) {
            Violation v = Violation.valueOf(row[0]);
            add(rows, v, "GET / HTTP/1.1\r\nHost: " + row[1] + "\r\n\r\n");
            add(rows, row.length > 2 ? Violation.valueOf(row[2]) : v, "GET http://" + row[1] + "/ HTTP/1.1\r\n" + H + "\r\n");
        }
        // Without a path, the authority ends at '?' or at the end of the target.
        add(rows, Violation.PORT_INVALID, "GET http://example.com:8o?q HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.PORT_INVALID, "GET http://example.com:99999999999 HTTP/1.1\r\n" + H + "\r\n");
        add(rows, Violation.HOST_IP_LITERAL_INVALID, "GET http://[::1 HTTP/1.1\r\n" + H + "\r\n");
        // The authority of an absolute-form target wins over Host, but a bad Host is still a 400.
        add(rows, Violation.PORT_INVALID, "GET http://t/ HTTP/1.1\r\nHost: t:8o\r\n\r\n");
        add(rows, Violation.HOST_INVALID, "GET / HTTP/1.0\r\nHost: a b\r\n\r\n");
        // --- Expect, body size
        add(rows, Violation.EXPECTATION_UNSUPPORTED, "POST / HTTP/1.1\r\n" + H + "Expect: 200-ok\r\nContent-Length: 1\r\n\r\nx");
        add(rows, Violation.BODY_TOO_LARGE, "POST / HTTP/1.1\r\n" + H + "Content-Length: " + (MAX_BODY + 1) + "\r\n\r\n");
        add(rows, Violation.BODY_TOO_LARGE, "POST / HTTP/1.1\r\n" + H + "Content-Length: 9223372036854775807\r\n\r\n");
        // 19 digits pass the length check (the row above); one more than Long.MAX_VALUE must then hit the overflow check.
        add(rows, Violation.CONTENT_LENGTH_INVALID, "POST / HTTP/1.1\r\n" + H + "Content-Length: 9223372036854775808\r\n\r\n");
        add(rows, Violation.CONTENT_LENGTH_INVALID, "POST / HTTP/1.1\r\n" + H + "Content-Length: 9999999999999999999\r\n\r\n");
        // --- chunked bodies
        String c = "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n";
        add(rows, Violation.BODY_TOO_LARGE, c + "400\r\n" + "x".repeat(1024) + "\r\n1\r\nx\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_SIZE_INVALID, c + "zz\r\nxx\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_SIZE_INVALID, c + "\r\n");
        add(rows, Violation.CHUNK_SIZE_INVALID, c + "-1\r\n");
        add(rows, Violation.CHUNK_SIZE_INVALID, c + "+1\r\nx\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_SIZE_INVALID, c + "0x5\r\nhello\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_SIZE_INVALID, c + "1000000000000000\r\n");
        add(rows, Violation.CHUNK_SIZE_INVALID, c + "fffffffffffffffff1\r\n");
        add(rows, Violation.CHUNK_SIZE_INVALID, c + "5\u0000\r\nhello\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_EXTENSION_INVALID, c + "5 \r\nhello\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_EXTENSION_INVALID, c + "5;\r\nhello\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_EXTENSION_INVALID, c + "5;=b\r\nhello\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_EXTENSION_INVALID, c + "5;a=\r\nhello\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_EXTENSION_INVALID, c + "5;a=\"open\r\nhello\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_EXTENSION_INVALID, c + "5;a=\"x\u0001\"\r\nhello\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_EXTENSION_INVALID, c + "5;a=b c\r\nhello\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_EXTENSION_INVALID, c + "5;a\u0000\r\nhello\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_EXTENSION_INVALID, c + "5;a=b\u0000\r\nhello\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_LINE_TOO_LONG, c + "5" + ";a=b".repeat(1100) + "\r\nhello\r\n0\r\n\r\n");
        // 1-byte chunks behind long extension lines: the framing, not the 1024-byte body limit, gives out.
        add(rows, Violation.CHUNK_OVERHEAD_TOO_LARGE, c + EXTENSION_FLOOD);
        add(rows, Violation.CHUNK_OVERHEAD_TOO_LARGE, c + ("1;e=" + "v".repeat(96) + "\r\nx\r\n").repeat(400) + "0\r\n\r\n");
        add(rows, Violation.BARE_LF, c + "5\nhello\r\n0\r\n\r\n");
        add(rows, Violation.BARE_CR, c + "5\rhello\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_DATA_UNTERMINATED, c + "5\r\nhelloXX\r\n0\r\n\r\n");
        add(rows, Violation.CHUNK_DATA_UNTERMINATED, c + "5\r\nhello\n0\r\n\r\n");
        // --- trailers: header rules, header limits
        add(rows, Violation.OBS_FOLD, c + "0\r\nX: a\r\n b\r\n\r\n");
        add(rows, Violation.BARE_LF, c + "0\r\nX: a\n\r\n");
        add(rows, Violation.HEADER_NO_COLON, c + "0\r\nX\r\n\r\n");
        add(rows, Violation.WHITESPACE_BEFORE_COLON, c + "0\r\nX : a\r\n\r\n");
        add(rows, Violation.HEADER_VALUE_INVALID, c + "0\r\nX: \u0001\r\n\r\n");
        add(rows, Violation.BARE_CR, c + "0\r\nX: a\rb\r\n\r\n");
        for (String field : new String[] {"Content-Length: 5", "Transfer-Encoding: chunked", "Trailer: X", "Host: evil",
            "Connection: close", "Keep-Alive: timeout=5", "Proxy-Connection: keep-alive", "TE: trailers", "Upgrade: h2c",
            "Expect: 100-continue", "content-LENGTH: 0", "PROXY-CONNECTION: close"}) {
            add(rows, Violation.TRAILER_FIELD_FORBIDDEN, c + "0\r\nX-Checksum: 1\r\n" + field + "\r\n\r\n");
        }
        // A head just under maxHeaderBytes leaves little for trailers: they share the budget.
        add(rows, Violation.HEADERS_TOO_LARGE, NEAR_LIMIT_HEAD + "0\r\nT: " + "v".repeat(500) + "\r\n\r\n");
        add(rows, Violation.TOO_MANY_HEADERS, "POST / HTTP/1.1\r\n" + H + "X: y\r\n".repeat(97)
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n" + "T: y\r\n".repeat(3) + "\r\n");
        return rows.stream();
    }

    private static void add(List<Arguments> rows, Violation v, String raw) {
        // Raw.bytes encodes Latin-1: anything above 0xFF would silently go out as '?'.
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) > 0xFF) {
                throw new IllegalArgumentException(v + " row: char " + i + " is not one Latin-1 byte");
            }
        }
        String shown = raw.length() > 60 ? raw.substring(0, 60) + "…(" + raw.length() + ")" : raw;
        shown = shown.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
        String label = shown.chars()
                .mapToObj(ch -> ch < 0x20 || ch == 0x7f ? String.format("\\x%02x", ch) : String.valueOf((char) ch))
                .collect(Collectors.joining());
        rows.add(Arguments.of(v + " <- " + label, Raw.bytes(raw), v));
    }

    /** Parses head and (chunked or sized) body the way the server does, throwing the first violation. */
    static void parseAll(byte[] raw) throws IOException {
        RequestParser p = new RequestParser(8192, 16384, 100, MAX_BODY, null, null);
        InputStream in = new ByteArrayInputStream(raw);
        RequestHead head = p.readHead(in);
        if (head != null && head.chunked) {
            long total = 0;
            boolean first = true;
            while (true) {
                if (!first) {
                    p.readChunkEnd(in);
                }
                first = false;
                long size = p.readChunkSize(in);
                if (size == 0) {
                    p.readTrailers(in, head);
                    break;
                }
                total += size;
                if (total > MAX_BODY) {
                    throw new BadMessageException(Violation.BODY_TOO_LARGE);
                }
                in.readNBytes((int) size);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void parserRejects(String name, byte[] raw, Violation expected) {
        BadMessageException e = assertThrows(BadMessageException.class, () -> parseAll(raw));
        assertEquals(expected, e.violation(), e.getMessage());
    }

    static HttpServer server;

    @BeforeAll
    static void start() {
        server = HttpServer.builder()
                .maxBodyBytes(MAX_BODY)
                .headerTimeout(Duration.ofSeconds(5))
                .get("/", (req, res) -> res.send("ok"))
                .get("/{rest}", (req, res) -> res.send("ok"))
                .post("/", (req, res) -> res.send("read " + req.bodyBytes().length))
                .route("PRI", "/", (req, res) -> res.send("never"))
                .start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void serverAnswersAndCloses(String name, byte[] raw, Violation expected) throws IOException {
        try (Raw client = new Raw(server.port())) {
            client.send(raw);
            Raw.Reply reply = client.read();
            assertEquals(expected.status(), reply.status(), reply.statusLine() + " " + reply.text());
            assertEquals("close", reply.header("Connection"));
            assertEquals(expected.reason() + "\n", reply.text());
            assertTrue(client.closedByServer(), "connection not closed after " + expected);
        }
    }

    /** The other side of the host and path rows: what the server serves, over a socket, keeping the connection. */
    static Stream<String> accepted() {
        List<String> raw = new ArrayList<>();
        for (String a : ParserAndWriterTest.AUTHORITIES) {
            raw.add("GET / HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
            raw.add("GET http://" + a + "/x HTTP/1.1\r\n" + H + "\r\n");
        }
        for (String path : ParserAndWriterTest.UTF8_PATHS) {
            raw.add("GET " + path + " HTTP/1.1\r\n" + H + "\r\n");
        }
        return raw.stream();
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void serverServesAcceptedHostsAndPaths(String raw) throws IOException {
        try (Raw client = new Raw(server.port())) {
            client.send(raw);
            Raw.Reply reply = client.read();
            assertEquals(200, reply.status(), reply.statusLine() + " " + reply.text());
            assertEquals("ok", reply.text());
            client.send("GET / HTTP/1.1\r\n" + H + "\r\n");
            assertEquals("ok", client.read().text(), "connection kept");
        }
    }

    @Test
    void extensionFloodInABodyTheHandlerIgnoresClosesTheConnection() throws IOException {
        // GET / answers without reading: the flood meets the drain (256 KiB by default, far above
        // the flood's 32 KiB), which must stop it the same way.
        try (Raw client = new Raw(server.port())) {
            client.send("GET / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n" + EXTENSION_FLOOD);
            assertEquals("ok", client.read().text());
            assertTrue(client.closedByServer(), "connection kept after draining a framing flood");
        }
    }

    @Test
    void aSmallTrailerFitsBehindTheNearLimitHead() throws IOException {
        // So the HEADERS_TOO_LARGE trailer row fails on its trailer, not on its head.
        parseAll(Raw.bytes(NEAR_LIMIT_HEAD + "0\r\nT: " + "v".repeat(200) + "\r\n\r\n"));
    }

    @Test
    void everyViolationHasARow() {
        Set<Violation> covered = rows().map(a -> (Violation) a.get()[2]).collect(Collectors.toCollection(() -> EnumSet.noneOf(Violation.class)));
        Set<Violation> missing = EnumSet.complementOf(EnumSet.copyOf(covered));
        missing.remove(Violation.HEADER_TIMEOUT); // a matter of time, not bytes: TimeoutTest
        // Only with decodeRequestBodies on, which this table's server is not: RequestDecodingTest's raw rows.
        missing.remove(Violation.BODY_ENCODING_INVALID);
        missing.remove(Violation.BODY_ENCODING_UNSUPPORTED);
        // Only when a handler asks for req.form() or req.multipart(): FormTest's and MultipartTest's raw rows,
        // each with its own every-violation check.
        missing.removeIf(v -> v.name().startsWith("FORM_") || v.name().startsWith("MULTIPART_"));
        assertEquals(Set.of(), missing);
    }
}
