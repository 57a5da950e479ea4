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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo's routes over HTTP/2 on its one port: the JDK client by Upgrade: h2c, curl by prior knowledge. */
class HttpDemoH2Test {

    static HttpServer server;
    static HttpClient client;

    @BeforeAll
    static void start() {
        server = HttpDemo.start(0);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.shutdown(Duration.ofSeconds(1));
    }

    static HttpResponse<String> get(String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, r.version(), path);
        return r;
    }

    @Test
    void everyRouteOverH2c() throws Exception {
        assertEquals("Hello, World!", get("/plaintext").body());
        assertEquals("{\"message\":\"Hello, World!\"}", get("/json").body());
        assertEquals("application/json", get("/json").headers().firstValue("content-type").orElseThrow());
        assertEquals("line 0\nline 1\nline 2\n", get("/stream?n=3").body());
        assertEquals("done", get("/slow?ms=1").body());
        HttpResponse<String> status = get("/status/418");
        assertEquals(418, status.statusCode());
        assertEquals("418\n", status.body());
        assertEquals("ok\n", get("/health").body());
        assertEquals("id: 0\ndata: tick 0\n\nid: 1\ndata: tick 1\n\n", get("/events?n=2").body());
        assertEquals(400, get("/stream").statusCode());
        assertEquals(404, get("/nope").statusCode());
        byte[] body = new byte[200_000];
        new Random(7).nextBytes(body);
        HttpResponse<byte[]> echo = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/echo"))
                .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(HttpClient.Version.HTTP_2, echo.version());
        assertEquals("image/png", echo.headers().firstValue("content-type").orElseThrow());
        assertArrayEquals(body, echo.body());
    }

    @Test
    void curlWithPriorKnowledge() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        if (!Files.isExecutable(curl)) {
            org.junit.jupiter.api.Assertions.assertNull(System.getenv("CI"), "CI must install curl (.ci/run does)");
            org.junit.jupiter.api.Assumptions.abort("no /usr/bin/curl on this machine");
        }
        Process p = new ProcessBuilder(curl.toString(), "-sS", "--max-time", "10", "--http2-prior-knowledge",
                "-w", " %{http_version}", "http://127.0.0.1:" + server.port() + "/plaintext").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals("Hello, World! 2", out);
    }
}
