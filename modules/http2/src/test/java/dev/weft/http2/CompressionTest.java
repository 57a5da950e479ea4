package dev.weft.http2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On-the-fly gzip over HTTP/2, by the rules HTTP/1.1 follows (server-http's CompressionTest): the
 * same application is compressed on either protocol. The JDK client (which sends what
 * Accept-Encoding it is told and decodes nothing) and curl {@code --compressed}.
 */
class CompressionTest {

    static final String TEXT = "All work and no play makes Jack a dull boy.\n".repeat(300); // 13 KB
    static HttpServer server;
    static HttpClient client;

    @BeforeAll
    static void start() {
        server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .protocol(Http2.protocol())
                .get("/sent", (req, res) -> res.send(TEXT))
                .get("/tiny", (req, res) -> res.send("tiny"))
                .get("/binary", (req, res) -> res.send(TEXT.getBytes(StandardCharsets.UTF_8)))
                .get("/opt-out", (req, res) -> res.compress(false).send(TEXT))
                .get("/etag", (req, res) -> res.header("ETag", "\"v1\"").send(TEXT))
                .get("/small-stream", (req, res) -> {
                    res.contentType("text/plain");
                    try (OutputStream out = res.outputStream()) {
                        out.write(TEXT.substring(0, 4000).getBytes(StandardCharsets.UTF_8)); // fits the buffer
                    }
                })
                .get("/stream", (req, res) -> {
                    res.contentType("application/json");
                    try (OutputStream out = res.outputStream()) {
                        for (int i = 0; i < 20; i++) {
                            out.write(TEXT.getBytes(StandardCharsets.UTF_8));
                            if (i == 3) {
                                out.flush(); // the part so far must be decodable now
                            }
                        }
                    }
                })
                .start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    static HttpResponse<byte[]> get(String path, String acceptEncoding) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (acceptEncoding != null) {
            b.header("Accept-Encoding", acceptEncoding);
        }
        HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertEquals(200, r.statusCode());
        return r;
    }

    static byte[] gunzip(byte[] b) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return in.readAllBytes();
        }
    }

    @Test
    void aSentAndAStreamedBodyAreGzippedForAClientThatTakesIt() throws Exception {
        HttpResponse<byte[]> sent = get("/sent", "br;q=1, gzip;q=0.8");
        assertEquals(Optional.of("gzip"), sent.headers().firstValue("content-encoding"));
        assertEquals(Optional.of("Accept-Encoding"), sent.headers().firstValue("vary"));
        assertEquals(String.valueOf(sent.body().length), sent.headers().firstValue("content-length").orElseThrow());
        assertTrue(sent.body().length < TEXT.length() / 10, "compressed: " + sent.body().length);
        assertEquals(TEXT, new String(gunzip(sent.body()), StandardCharsets.UTF_8));

        HttpResponse<byte[]> small = get("/small-stream", "gzip");
        assertEquals(Optional.of("gzip"), small.headers().firstValue("content-encoding"));
        assertEquals(TEXT.substring(0, 4000), new String(gunzip(small.body()), StandardCharsets.UTF_8));

        HttpResponse<byte[]> streamed = get("/stream", "gzip");
        assertEquals(Optional.of("gzip"), streamed.headers().firstValue("content-encoding"));
        assertFalse(streamed.headers().firstValue("content-length").isPresent(), "the encoded length is not known up front");
        assertEquals(TEXT.repeat(20), new String(gunzip(streamed.body()), StandardCharsets.UTF_8));
    }

    @Test
    void aClientThatDoesNotTakeGzipGetsTheBytesAsTheyAreAndTheVary() throws Exception {
        for (String ae : new String[] {null, "identity", "gzip;q=0", "br"}) {
            HttpResponse<byte[]> r = get("/sent", ae);
            assertFalse(r.headers().firstValue("content-encoding").isPresent(), String.valueOf(ae));
            assertEquals(Optional.of("Accept-Encoding"), r.headers().firstValue("vary"), "a cache must keep them apart");
            assertEquals(TEXT, new String(r.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void whatHttp11LeavesAloneHttp2LeavesAlone() throws Exception {
        for (String path : new String[] {"/tiny", "/binary", "/opt-out", "/etag"}) {
            HttpResponse<byte[]> r = get(path, "gzip");
            assertFalse(r.headers().firstValue("content-encoding").isPresent(), path);
        }
        assertArrayEquals(TEXT.getBytes(StandardCharsets.UTF_8), get("/binary", "gzip").body());
        HttpResponse<Void> head = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/sent"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.discarding());
        assertFalse(head.headers().firstValue("content-encoding").isPresent(), "HEAD, as on HTTP/1.1");
    }

    static byte[] gzip(byte[] b) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream g = new java.util.zip.GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    static byte[] zlib(byte[] b) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream d = new java.util.zip.DeflaterOutputStream(out)) {
            d.write(b);
        }
        return out.toByteArray();
    }

    static HttpResponse<String> post(HttpServer s, String coding, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (coding != null) {
            b.header("Content-Encoding", coding);
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        return r;
    }

    /**
     * Request bodies over h2 are decoded as HTTP/1.1's are (server-http's RequestDecodingTest):
     * with {@code decodeRequestBodies}, gzip and deflate reach the handler decoded and counted
     * against the limit once decoded; a bomb is 413, a broken stream 400, another coding 415;
     * off, the bytes as sent.
     */
    @Test
    void requestBodiesAreDecodedWhenAskedForAsOnHttp11() throws Exception {
        byte[] text = TEXT.getBytes(StandardCharsets.US_ASCII);
        for (boolean decode : new boolean[] {true, false}) {
            try (HttpServer s = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                    .protocol(Http2.protocol()).maxBodyBytes(100_000).decodeRequestBodies(decode).compression(false)
                    .post("/echo", (req, res) -> res.send(req.bodyBytes())).start()) {
                if (!decode) {
                    byte[] gz = gzip(text);
                    assertEquals(gz.length, post(s, "gzip", gz).body().length(), "off by default: passed on as sent");
                    continue;
                }
                assertEquals(TEXT, post(s, "gzip", gzip(text)).body());
                assertEquals(TEXT, post(s, "deflate", zlib(text)).body());
                assertEquals(TEXT, post(s, "identity", text).body());
                HttpResponse<String> bomb = post(s, "gzip", gzip(new byte[10_000_000])); // 10 MB of zeros in ~10 KB
                assertEquals(413, bomb.statusCode(), bomb.body());
                byte[] broken = gzip(text);
                broken[broken.length / 2] ^= 0x55;
                assertEquals(400, post(s, "gzip", broken).statusCode());
                assertEquals(400, post(s, "gzip", "not gzip at all".getBytes(StandardCharsets.US_ASCII)).statusCode());
                HttpResponse<String> br = post(s, "br", new byte[] {1, 2, 3});
                assertEquals(415, br.statusCode());
                assertTrue(br.body().contains("br"), br.body());
                assertEquals(TEXT, post(s, "gzip", gzip(text)).body(), "the connection serves on after each");
            }
        }
    }

    @Test
    void curlCompressedOverPriorKnowledge() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        if (!Files.isExecutable(curl)) {
            org.junit.jupiter.api.Assertions.assertNull(System.getenv("CI"), "CI must install curl (.ci/run does)");
            org.junit.jupiter.api.Assumptions.abort("no /usr/bin/curl on this machine");
        }
        Process p = new ProcessBuilder(curl.toString(), "-sS", "--max-time", "10", "--http2-prior-knowledge", "--compressed",
                "-w", "\n%{http_version} %{size_download}", "http://127.0.0.1:" + server.port() + "/stream")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String[] tail = out.substring(out.lastIndexOf('\n') + 1).split(" ");
        assertEquals("2", tail[0], out.substring(Math.max(0, out.length() - 200)));
        assertEquals(TEXT.repeat(20), out.substring(0, out.lastIndexOf('\n')));
        assertTrue(Long.parseLong(tail[1]) < TEXT.length(), "came compressed: " + tail[1] + " bytes on the wire");
    }
}
