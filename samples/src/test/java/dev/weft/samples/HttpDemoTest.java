package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.awaitility.Awaitility.await;

import dev.weft.core.ShutdownReport;
import dev.weft.http.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every route of the demo app, through the JDK's HTTP client. */
class HttpDemoTest {

    static HttpServer server;
    static HttpClient client;

    @BeforeAll
    static void start() {
        server = HttpDemo.start(0);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
    }

    static HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, HttpRequest.BodyPublishers.noBody());
    }

    @Test
    void plaintextAndHead() throws Exception {
        HttpResponse<String> r = get("/plaintext");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain", r.headers().firstValue("content-type").orElseThrow());
        assertEquals("Hello, World!", r.body());
        HttpResponse<String> h = send("HEAD", "/plaintext", HttpRequest.BodyPublishers.noBody());
        assertEquals(200, h.statusCode());
        assertEquals("", h.body());
        assertEquals("13", h.headers().firstValue("content-length").orElseThrow());
    }

    @Test
    void json() throws Exception {
        HttpResponse<String> r = get("/json");
        assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());
        assertEquals("{\"message\":\"Hello, World!\"}", r.body());
    }

    @Test
    void echoWithLengthAndChunked() throws Exception {
        byte[] body = new byte[100_000];
        new Random(7).nextBytes(body);
        HttpResponse<byte[]> sized = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/echo"))
                .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, sized.statusCode());
        assertEquals("image/png", sized.headers().firstValue("content-type").orElseThrow());
        assertEquals("100000", sized.headers().firstValue("content-length").orElseThrow());
        assertArrayEquals(body, sized.body());
        HttpResponse<byte[]> chunked = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals("application/octet-stream", chunked.headers().firstValue("content-type").orElseThrow());
        assertEquals("chunked", chunked.headers().firstValue("transfer-encoding").orElseThrow());
        assertArrayEquals(body, chunked.body());
    }

    @Test
    void streamIsChunkedLines() throws Exception {
        HttpResponse<String> r = get("/stream?n=3");
        assertEquals("chunked", r.headers().firstValue("transfer-encoding").orElseThrow());
        assertEquals("line 0\nline 1\nline 2\n", r.body());
        assertEquals(400, get("/stream?n=-1").statusCode());
        assertEquals(400, get("/stream").statusCode());
    }

    @Test
    void eventsAreKServerSentEventsThenTheEnd() throws Exception {
        java.net.http.HttpResponse<java.util.stream.Stream<String>> r = client.send(
                java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/events?n=3")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());
        assertEquals(java.util.List.of("id: 0", "data: tick 0", "", "id: 1", "data: tick 1", "", "id: 2", "data: tick 2", ""),
                r.body().toList());
        assertEquals(400, get("/events").statusCode());
    }

    @Test
    void slowWaits() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = get("/slow?ms=200");
        assertEquals("done", r.body());
        assertTrue(System.nanoTime() - t0 >= 200_000_000L);
        assertEquals(400, get("/slow?ms=abc").statusCode());
    }

    @Test
    void statusCodes() throws Exception {
        assertEquals(418, get("/status/418").statusCode());
        assertEquals(204, get("/status/204").statusCode());
        assertEquals("503\n", get("/status/503").body());
        assertEquals(400, get("/status/42").statusCode());
        assertEquals(400, get("/status/abc").statusCode());
    }

    @Test
    void healthAndItsDrainingAnswer() throws Exception {
        HttpResponse<String> r = get("/health");
        assertEquals(200, r.statusCode());
        assertEquals("ok\n", r.body());
        // End to end: a health probe whose head is in flight when the drain begins is answered 503.
        HttpServer draining = HttpDemo.start(0);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), draining.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nHost: t\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(5)).until(() -> draining.stats().active() == 1);
            CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> draining.shutdown(Duration.ofSeconds(5)));
            await().atMost(Duration.ofSeconds(5)).until(draining::isDraining);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 503 "), response);
            assertTrue(response.contains("\r\nConnection: close\r\n"), response);
            assertTrue(response.endsWith("\r\n\r\ndraining\n"), response);
            assertEquals(1, report.get(5, TimeUnit.SECONDS).completed());
        }
    }

    @Test
    void notFoundAndMethodNotAllowed() throws Exception {
        assertEquals(404, get("/nope").statusCode());
        HttpResponse<String> r = send("POST", "/plaintext", HttpRequest.BodyPublishers.ofString("x"));
        assertEquals(405, r.statusCode());
        assertEquals("GET, HEAD, OPTIONS", r.headers().firstValue("allow").orElseThrow());
        assertEquals(405, send("DELETE", "/echo", HttpRequest.BodyPublishers.noBody()).statusCode());
    }
}
