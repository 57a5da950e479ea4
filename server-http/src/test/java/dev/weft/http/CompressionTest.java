package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** On-the-fly gzip: for whom, for what, and that what arrives decodes to what was sent. */
class CompressionTest {

    private static final String TEXT = "All work and no play makes Jack a dull boy.\n".repeat(200); // 8,800 bytes
    private static HttpServer server;

    @BeforeAll
    static void start() {
        server = HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress())
                .get("/text", (req, res) -> res.send(TEXT))
                .get("/small", (req, res) -> res.send("tiny"))
                .get("/png", (req, res) -> res.contentType("image/png").send(TEXT.getBytes(StandardCharsets.US_ASCII)))
                .get("/etag", (req, res) -> res.header("ETag", "\"v1\"").send(TEXT))
                .get("/opt-out", (req, res) -> res.compress(false).send(TEXT))
                .get("/no-transform", (req, res) -> res.header("Cache-Control", "no-transform").send(TEXT))
                .get("/declared", (req, res) -> {
                    byte[] b = TEXT.getBytes(StandardCharsets.US_ASCII);
                    res.contentType("text/plain").contentLength(b.length);
                    try (OutputStream out = res.outputStream()) {
                        out.write(b);
                    }
                })
                .get("/stream", (req, res) -> {
                    res.contentType("application/json");
                    try (OutputStream out = res.outputStream()) {
                        for (int i = 0; i < 20; i++) {
                            out.write(TEXT.getBytes(StandardCharsets.US_ASCII));
                            if (i == 3) {
                                out.flush();
                            }
                        }
                    }
                })
                .get("/stream-small", (req, res) -> {
                    res.contentType("text/plain");
                    try (OutputStream out = res.outputStream()) {
                        out.write("short".getBytes(StandardCharsets.US_ASCII));
                    }
                })
                .get("/events", (req, res) -> res.sse().send(TEXT))
                .start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Raw.Reply get(String path, String acceptEncoding, String version) throws Exception {
        try (Raw c = new Raw(server.port())) {
            return c.send("GET " + path + " " + version + "\r\nHost: t\r\n"
                    + (acceptEncoding == null ? "" : "Accept-Encoding: " + acceptEncoding + "\r\n")
                    + "Connection: close\r\n\r\n").read();
        }
    }

    private static String gunzip(byte[] b) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aTextBodyIsGzippedForAClientThatTakesIt() throws Exception {
        Raw.Reply r = get("/text", "br, gzip;q=0.8", "HTTP/1.1");
        assertEquals("gzip", r.header("Content-Encoding"));
        assertEquals("Accept-Encoding", r.header("Vary"));
        assertEquals(Integer.toString(r.body().length), r.header("Content-Length"));
        assertEquals(TEXT, gunzip(r.body()));
        assertEquals(TEXT.length() > r.body().length * 5, true, "it shrank: " + r.body().length);
    }

    @Test
    void qualityValuesAreRespected() throws Exception {
        for (String refused : new String[] {null, "gzip;q=0", "identity", "br", "*;q=0", "gzip;q=0.000, *"}) {
            Raw.Reply r = get("/text", refused, "HTTP/1.1");
            assertNull(r.header("Content-Encoding"), String.valueOf(refused));
            assertEquals("Accept-Encoding", r.header("Vary"), "a cache must still know: " + refused);
            assertEquals(TEXT, r.text(), String.valueOf(refused));
        }
        for (String taken : new String[] {"gzip", "GZIP;Q=1", "*", "deflate, *;q=0.1", "x-gzip"}) {
            assertEquals("gzip", get("/text", taken, "HTTP/1.1").header("Content-Encoding"), taken);
        }
    }

    @Test
    void notForSmallBodiesOtherTypesValidatorsOptOutsOrDeclaredLengths() throws Exception {
        for (String path : new String[] {"/small", "/png", "/etag", "/opt-out", "/no-transform", "/declared", "/stream-small"}) {
            Raw.Reply r = get(path, "gzip", "HTTP/1.1");
            assertNull(r.header("Content-Encoding"), path);
        }
        assertEquals(TEXT, get("/declared", "gzip", "HTTP/1.1").text());
    }

    @Test
    void aStreamIsGzippedChunkedAndAFlushDoesNotBreakIt() throws Exception {
        Raw.Reply r = get("/stream", "gzip", "HTTP/1.1");
        assertEquals("gzip", r.header("Content-Encoding"));
        assertEquals("chunked", r.header("Transfer-Encoding"));
        assertEquals(TEXT.repeat(20), gunzip(r.body()));
    }

    @Test
    void onHttp10AWholeStreamedBodyGoesGzippedWithItsLength() throws Exception {
        Raw.Reply r = get("/stream-small", "gzip", "HTTP/1.0");
        assertNull(r.header("Content-Encoding"), "under the threshold");
        Raw.Reply big;
        try (Raw c = new Raw(server.port())) {
            big = c.send("GET /text HTTP/1.0\r\nAccept-Encoding: gzip\r\n\r\n").read();
        }
        assertEquals("gzip", big.header("Content-Encoding"));
        assertEquals(TEXT, gunzip(big.body()));
    }

    @Test
    void neverForHeadOrEventStreams() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.Reply head = c.send("HEAD /text HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n").read(true);
            assertNull(head.header("Content-Encoding"));
        }
        Raw.Reply events = get("/events", "gzip", "HTTP/1.1");
        assertNull(events.header("Content-Encoding"));
        assertEquals(true, events.text().startsWith("data: All work and no play"), events.text().substring(0, 40));
    }

    /** A client we did not write: curl's --compressed asks for gzip and decodes it. */
    @Test
    void curlDecodesWhatWeSend() throws Exception {
        java.nio.file.Path curl = java.nio.file.Path.of("/usr/bin/curl");
        if (!java.nio.file.Files.isExecutable(curl)) {
            org.junit.jupiter.api.Assertions.assertNull(System.getenv("CI"), "CI must install curl (.ci/run does)");
            org.junit.jupiter.api.Assumptions.abort("no /usr/bin/curl on this machine");
        }
        for (String path : new String[] {"/text", "/stream"}) {
            Process p = new ProcessBuilder(curl.toString(), "-sS", "--compressed", "-D", "-", "--max-time", "10",
                    "http://127.0.0.1:" + server.port() + path).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            int split = out.indexOf("\r\n\r\n");
            String head = out.substring(0, split).toLowerCase(java.util.Locale.ROOT);
            assertEquals(true, head.contains("content-encoding: gzip"), head);
            assertEquals(path.equals("/text") ? TEXT : TEXT.repeat(20), out.substring(split + 4), path);
        }
    }
}
