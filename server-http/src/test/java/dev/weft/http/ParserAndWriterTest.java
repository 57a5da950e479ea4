package dev.weft.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.internal.DateCache;
import dev.weft.http.internal.RequestHead;
import dev.weft.http.internal.RequestParser;
import dev.weft.http.internal.ResponseWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the parser accepts and how it reads it; what the writer produces, byte for byte. */
class ParserAndWriterTest {

    static RequestHead parse(String raw) throws IOException {
        return RequestParser.forStream().readHead(new ByteArrayInputStream(Raw.bytes(raw)));
    }

    @Test
    void requestLineAndTargetParts() throws IOException {
        RequestHead h = parse("GET /a%20b/c?x=1&y HTTP/1.1\r\nHost: example.com:8080\r\n\r\n");
        assertSame("GET", h.method, "common methods are interned");
        assertEquals("/a%20b/c?x=1&y", h.target);
        assertEquals("/a%20b/c", h.rawPath);
        assertEquals("x=1&y", h.rawQuery);
        assertEquals(1, h.minorVersion);
        assertEquals("example.com:8080", h.host);
        assertTrue(h.clientKeepAlive());
        assertFalse(h.hasBody());

        RequestHead abs = parse("GET http://example.com/p/q?z HTTP/1.1\r\nHost: example.com\r\n\r\n");
        assertEquals("/p/q", abs.rawPath);
        assertEquals("z", abs.rawQuery);
        assertEquals("/", parse("GET HTTPS://example.com HTTP/1.1\r\nHost: e\r\n\r\n").rawPath);
        // RFC 9112 §3.2.2: the target's authority is the host; Host is required but ignored.
        RequestHead other = parse("GET http://example.com:81/a@b HTTP/1.1\r\nHost: other\r\n\r\n");
        assertEquals("example.com:81", other.host);
        assertEquals("/a@b", other.rawPath, "'@' past the authority is a path character");
        assertEquals("other", other.headers.get("Host"), "the header itself stays as sent");
        assertEquals("e", parse("GET http://e?q HTTP/1.0\r\n\r\n").host);
        assertEquals("*", parse("OPTIONS * HTTP/1.1\r\nHost: e\r\n\r\n").rawPath);
        assertEquals("BREW", parse("BREW / HTTP/1.1\r\nHost: e\r\n\r\n").method);
        for (String fine : new String[] {"/a/.b", "/a/...", "/b.c/d", "/a/%2e%2e%2e", "/.well-known/x", "/a?x=/../",
            "/a%2e", "/%2e%2ex", "/a?x=%2F%00&y=..%2F"}) {
            assertEquals(fine, parse("GET " + fine + " HTTP/1.1\r\nHost: e\r\n\r\n").target);
        }
        // Escapes next to the rejected ones: space, UTF-8, '+', '~', and the bytes just past the controls and DEL.
        for (String fine : new String[] {"/a%20b", "/caf%C3%A9", "/caf%c3%a9", "/x%2By", "/%7Euser", "/%7euser", "/a%5Bb%5D",
            "/a%5D", "/a%7E", "/a%2C", "/a%24"}) {
            assertEquals(fine, parse("GET " + fine + " HTTP/1.1\r\nHost: e\r\n\r\n").rawPath);
        }
        // The query is decoded by the handler that asks for it, as data, never as a path.
        RequestHead q = parse("GET /a?q=%2F%25%00%5C%7F%01%252F HTTP/1.1\r\nHost: e\r\n\r\n");
        assertEquals("/a", q.rawPath);
        assertEquals("q=%2F%25%00%5C%7F%01%252F", q.rawQuery);
    }

    /** UTF-8 at its edges: the first and last code point of each length, around the surrogates, noncharacters. */
    static final String[] UTF8_PATHS = {"/%C2%80", "/%DF%BF", "/%E0%A0%80", "/%ED%9F%BF", "/%EE%80%80", "/%EF%BF%BF",
        "/%EF%BF%BD", "/%F0%90%80%80", "/%F4%8F%BF%BF", "/%F0%9F%98%80", "/caf%C3%A9%E2%82%AC", "/%c3%a9"};

    @Test
    void utf8PathsAcceptedAndTheQueryLeftToTheHandler() throws IOException {
        for (String fine : UTF8_PATHS) {
            assertEquals(fine, parse("GET " + fine + " HTTP/1.1\r\nHost: e\r\n\r\n").rawPath);
        }
        assertEquals("q=%FF%C0%AF", parse("GET /a?q=%FF%C0%AF HTTP/1.1\r\nHost: e\r\n\r\n").rawQuery,
                "the query is not checked for UTF-8 at parse time");
    }

    /**
     * Authorities the parser takes, the same in Host and in an absolute-form target, kept as sent
     * (never decoded or lower-cased).
     */
    static final String[] AUTHORITIES = {"[::1]:8080", "[v1.x]", "[V1F.a:b!$]", "[v1.x]:443", "127.0.0.1:80", "xn--bcher-kva.example",
        "b%C3%BCcher.example", "%E2%82%AC.example", "example.com:", "[::1]:", "example.com:0080", "example.com:65535",
        "example.com:0", "[::]", "[::ffff:1.2.3.4]", "[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:1.2.3.4]", "[1::]", "[::1:2:3:4:5:6:7]",
        "[1:2:3:4:5:6:7::]", "[1:2:3:4:5::1.2.3.4]", "[ABCD:ef01::]", "[::1.2.3.4]", "[0000:0000::0001]", "[1:2::3:4]",
        "a-b_c~d.e", "a!$&'()*+,;=b", "EXAMPLE.COM", "example.com.", "1.example", "255.255.255.255", "0.0.0.0", "localhost",
        "123abc", "a.1b", "a.0xg", "0x7g.example", "e"};

    @Test
    void authoritiesAcceptedInHostAndTarget() throws IOException {
        for (String a : AUTHORITIES) {
            assertEquals(a, parse("GET / HTTP/1.1\r\nHost: " + a + "\r\n\r\n").host, a);
            assertEquals(a, parse("GET http://" + a + "/p HTTP/1.1\r\nHost: e\r\n\r\n").host, a);
            assertEquals(a, parse("GET http://" + a + "?q HTTP/1.1\r\nHost: e\r\n\r\n").host, a);
        }
        assertEquals("", parse("GET / HTTP/1.1\r\nHost:\r\n\r\n").host,
                "an empty Host is allowed (RFC 9112 §3.2, §3.3: the server's default authority)");
    }

    @Test
    void fieldsTrimmedLowerCasedAndInterned() throws IOException {
        RequestHead h = parse("POST / HTTP/1.1\r\nHOST:e\r\nContent-Length:   007  \r\nX-Obs: caf\u00e9\t\r\nX-Empty:\r\n\r\n");
        assertEquals(7, h.contentLength);
        assertSame("content-length", h.headers.name(1));
        assertEquals("007", h.headers.get("Content-Length"));
        assertEquals("caf\u00e9", h.headers.get("x-obs"), "obs-text allowed in values, trailing OWS trimmed");
        assertEquals("", h.headers.get("X-EMPTY"));
        assertEquals(4, h.headers.size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "HTTP/1.1 |                          | true",
        "HTTP/1.1 | Connection: close        | false",
        "HTTP/1.1 | Connection: Keep-Alive, Close | false",
        "HTTP/1.0 |                          | false",
        "HTTP/1.0 | Connection: keep-alive   | true",
        "HTTP/1.0 | Connection: foo, KEEP-ALIVE | true",
    })
    void keepAliveRules(String version, String connection, boolean keepAlive) throws IOException {
        String field = connection == null ? "" : connection + "\r\n";
        assertEquals(keepAlive, parse("GET / " + version + "\r\nHost: e\r\n" + field + "\r\n").clientKeepAlive());
    }

    @Test
    void framingAccepted() throws IOException {
        RequestHead chunked = parse("POST / HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: Chunked\r\n\r\n");
        assertTrue(chunked.chunked);
        assertEquals(-1, chunked.contentLength);
        assertTrue(parse("POST / HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: ,chunked,\r\n\r\n").chunked, "empty list elements are ignored");
        assertTrue(parse("POST / HTTP/1.1\r\nHost: e\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n").expectContinue);
        assertFalse(parse("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n").expectContinue,
                "RFC 9110 §10.1.1: ignored in HTTP/1.0");
        assertNull(parse("GET / HTTP/1.0\r\n\r\n").host, "HTTP/1.0 needs no Host");
        assertEquals("[::1]:8080", parse("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n").host);
    }

    @Test
    void emptyLinesBeforeRequestAndPipelinedHeadsStayInStep() throws IOException {
        InputStream in = new ByteArrayInputStream(Raw.bytes(
                "\r\nGET /1 HTTP/1.1\r\nHost: e\r\n\r\nGET /2 HTTP/1.1\r\nHost: e\r\n\r\nrest"));
        RequestParser p = RequestParser.forStream();
        assertEquals("/1", p.readHead(in).target);
        assertEquals("/2", p.readHead(in).target);
        assertEquals("rest", new String(in.readAllBytes(), StandardCharsets.US_ASCII), "nothing read past the blank line");
        assertNull(p.readHead(new ByteArrayInputStream(new byte[0])), "clean end of stream");
    }

    @Test
    void chunkLinesWithExtensions() throws IOException {
        RequestParser p = RequestParser.forStream();
        assertEquals(0x1aF, p.readChunkSize(new ByteArrayInputStream(Raw.bytes("1aF\r\n"))));
        assertEquals(5, p.readChunkSize(new ByteArrayInputStream(Raw.bytes("5;a=b ; c ;d=\"q \\\" \\\\ x\"\r\n"))));
        assertEquals(0, p.readChunkSize(new ByteArrayInputStream(Raw.bytes("000\r\n"))));
    }

    @Test
    void writerProducesExactBytes() {
        ResponseWriter w = new ResponseWriter();
        int n = w.writeSimple(200, "text/plain", Raw.bytes("Hello, World!"), false);
        String s = new String(w.buffer(), 0, n, StandardCharsets.ISO_8859_1).replaceFirst("\r\nDate: [^\r]+\r\n", "\r\nDate: D\r\n");
        assertEquals("HTTP/1.1 200 OK\r\nDate: D\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!", s);
        n = w.writeSimple(599, "a/b", new byte[0], true);
        assertTrue(new String(w.buffer(), 0, n, StandardCharsets.ISO_8859_1)
                .matches("HTTP/1\\.1 599 \r\nDate: .*\r\nContent-Type: a/b\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    }

    @Test
    void writerHandsEverythingOverInOneWrite() throws IOException {
        ResponseWriter w = new ResponseWriter();
        int[] writes = {0};
        ByteArrayOutputStream sink = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                writes[0]++;
                super.write(b, off, len);
            }
        };
        w.start(404).header("X-Long", "v".repeat(5000)).contentLength(1234567890123L).end().writeTo(sink);
        assertEquals(1, writes[0]);
        assertTrue(sink.toString(StandardCharsets.ISO_8859_1).contains("\r\nContent-Length: 1234567890123\r\n\r\n"));
    }

    @Test
    void dateLineIsImfFixdateAndCachedWithinTheSecond() {
        String imfFixdate = "Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n";
        assertTrue(new String(DateCache.line(), StandardCharsets.US_ASCII).matches(imfFixdate));
        // Only a second boundary between the two calls makes them differ: that attempt is retried.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            long second = System.currentTimeMillis() / 1000;
            byte[] a = DateCache.line();
            byte[] b = DateCache.line();
            assertEquals(second, System.currentTimeMillis() / 1000, "the second rolled over: try again");
            assertSame(a, b, "formatted once per second");
            assertArrayEquals(DateCache.format(second), a, "the current second");
            assertTrue(new String(a, StandardCharsets.US_ASCII).matches(imfFixdate));
        });
    }

    @Test
    void dateLineMatchesTheJdkFormatterAcrossCenturiesLeapDaysAndEveryWeekday() {
        java.time.format.DateTimeFormatter imf = java.time.format.DateTimeFormatter
                .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US).withZone(java.time.ZoneOffset.UTC);
        long[] fixed = {0L, 784111777L /* RFC 9110's Sun, 06 Nov 1994 08:49:37 */, 951782400L /* 2000-02-29 */,
                4102444799L /* 2099-12-31 23:59:59 */, 4107542400L /* 2100-03-01, not a leap year */,
                13574563200L /* 2400-02-29 */, 253402300799L /* 9999-12-31 23:59:59 */};
        java.util.List<Long> seconds = new java.util.ArrayList<>();
        for (long f : fixed) {
            seconds.add(f);
        }
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 2000; i++) {
            seconds.add((long) (random.nextDouble() * 253402300799L));
        }
        for (long d = 0; d < 800; d++) { // every day of two years around a leap day, at midnight and just before
            seconds.add(946684800L + d * 86_400);
            seconds.add(946684800L + d * 86_400 - 1);
        }
        for (long s : seconds) {
            String expected = "Date: " + imf.format(java.time.Instant.ofEpochSecond(s)) + "\r\n";
            assertEquals(expected, new String(DateCache.format(s), StandardCharsets.US_ASCII), "epoch second " + s);
        }
        assertEquals("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", new String(DateCache.format(784111777L), StandardCharsets.US_ASCII));
    }
}
