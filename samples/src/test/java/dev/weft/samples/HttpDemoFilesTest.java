package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's {@code GET /files/*}: its own files from the class path, or a directory given to it; JDK client and curl. */
class HttpDemoFilesTest {

    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    static HttpResponse<byte[]> get(HttpServer s, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void theDemosOwnFilesWithoutFlag() throws Exception {
        HttpServer s = HttpDemo.start(0);
        try {
            HttpResponse<byte[]> index = get(s, "/files/");
            assertEquals(200, index.statusCode());
            assertEquals("text/html; charset=utf-8", index.headers().firstValue("content-type").orElseThrow());
            assertTrue(new String(index.body(), StandardCharsets.UTF_8).contains("Weft static files"));
            assertEquals(301, get(s, "/files").statusCode());
            HttpResponse<byte[]> css = get(s, "/files/style.css");
            assertEquals("text/css; charset=utf-8", css.headers().firstValue("content-type").orElseThrow());
            String etag = css.headers().firstValue("etag").orElseThrow();
            assertEquals(304, get(s, "/files/style.css", "If-None-Match", etag).statusCode());
            HttpResponse<byte[]> range = get(s, "/files/hello.txt", "Range", "bytes=0-4");
            assertEquals(206, range.statusCode());
            assertEquals("Hello", new String(range.body(), StandardCharsets.UTF_8));
            assertEquals(404, get(s, "/files/missing.txt").statusCode());
            assertEquals("Hello, World!", new String(get(s, "/plaintext").body(), StandardCharsets.US_ASCII),
                    "the other routes are unchanged");
        } finally {
            s.shutdown(Duration.ofSeconds(1));
        }
    }

    @Test
    void aDirectoryGivenWithFiles() throws Exception {
        byte[] data = new byte[300_000];
        new java.util.Random(3).nextBytes(data);
        Files.write(dir.resolve("blob.bin"), data);
        Files.writeString(dir.resolve(".env"), "SECRET=1\n");
        HttpServer s = HttpDemo.start(0, dir);
        try {
            HttpResponse<byte[]> blob = get(s, "/files/blob.bin");
            assertEquals(200, blob.statusCode());
            assertArrayEquals(data, blob.body());
            assertEquals(404, get(s, "/files/.env").statusCode());
            assertEquals(404, get(s, "/files/index.html").statusCode(), "the directory's files, not the demo's");
            Path curl = Path.of("/usr/bin/curl");
            if (Files.isExecutable(curl)) {
                List<String> cmd = new ArrayList<>(List.of(curl.toString(), "-sS", "-r", "1000-1999", "-o",
                        dir.resolve("part").toString(), "-w", "%{http_code}", "http://127.0.0.1:" + s.port() + "/files/blob.bin"));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, p.waitFor(), out);
                assertEquals("206", out);
                assertArrayEquals(java.util.Arrays.copyOfRange(data, 1000, 2000), Files.readAllBytes(dir.resolve("part")));
            } else {
                assertEquals(null, System.getenv("CI"), "CI must install curl (.ci/run does)");
            }
        } finally {
            s.shutdown(Duration.ofSeconds(1));
        }
    }
}
