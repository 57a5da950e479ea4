package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Happy paths through the JDK's own HTTP client. */
class HttpClientTest {

    static HttpServer server;
    static HttpClient client;
    static final List<String> filterLog = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        server = HttpServer.builder()
                .serverHeader("weft-test")
                .filter((req, res, chain) -> {
                    filterLog.add("before " + req.method() + " " + req.path());
                    res.header("X-Filter", "1");
                    chain.next();
                })
                .get("/hello/{name}", (req, res) -> res.send("Hello, " + req.pathParam("name")))
                .get("/users/{id}/posts/{post}", (req, res) -> res.send(req.pathParam("id") + "/" + req.pathParam("post")))
                .get("/users/me/posts/{post}", (req, res) -> res.send("me/" + req.pathParam("post")))
                .get("/files/*", (req, res) -> res.send("file:" + req.pathParam("*")))
                .get("/query", (req, res) -> res.send(req.queryParams().toString() + " a=" + req.queryParams("a") + " c=" + req.queryParam("c")))
                .get("/headers", (req, res) -> res.send(req.header("x-MiXeD") + "|" + req.headers().all("X-Multi") + "|" + req.version()))
                .post("/echo", (req, res) -> {
                    String type = req.header("Content-Type");
                    res.contentType(type == null ? "application/octet-stream" : type);
                    try (OutputStream out = res.outputStream()) {
                        req.body().transferTo(out);
                    }
                })
                .put("/bytes", (req, res) -> res.send(req.bodyBytes()))
                .delete("/thing/{id}", (req, res) -> res.status(204).send())
                .patch("/thing/{id}", (req, res) -> res.send("patched " + req.pathParam("id") + " " + req.bodyString()))
                .get("/stream", (req, res) -> {
                    int n = Integer.parseInt(req.queryParam("n"));
                    try (OutputStream out = res.outputStream()) {
                        for (int i = 0; i < n; i++) {
                            out.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                })
                .get("/fail", (req, res) -> {
                    throw new IllegalStateException("secret detail");
                })
                .get("/teapot", (req, res) -> {
                    throw new HttpException(418, "short and stout");
                })
                .get("/remote", (req, res) -> res.send(req.remoteAddress().getAddress().getHostAddress()))
                .start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
    }

    static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Test
    void pathParametersAndHeaders() throws Exception {
        HttpResponse<String> r = get("/hello/w%C3%B6rld");
        assertEquals(200, r.statusCode());
        assertEquals("Hello, wörld", r.body());
        assertEquals("text/plain; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());
        assertEquals("weft-test", r.headers().firstValue("server").orElseThrow());
        assertEquals("1", r.headers().firstValue("x-filter").orElseThrow());
        assertTrue(r.headers().firstValue("date").orElseThrow().matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"));
        assertTrue(filterLog.contains("before GET /hello/wörld"));
    }

    @Test
    void literalSegmentsBeatParameters() throws Exception {
        assertEquals("42/7", get("/users/42/posts/7").body());
        assertEquals("me/7", get("/users/me/posts/7").body());
        assertEquals("file:a/b/c.txt", get("/files/a/b/c.txt").body());
        assertEquals("file:", get("/files/").body());
        // Escapes the path rules let through arrive decoded, once.
        assertEquals("file:a b/caf\u00e9/x+y/~user", get("/files/a%20b/caf%C3%A9/x%2By/%7Euser").body());
        assertEquals(404, get("/hello/").statusCode());
        assertEquals(404, get("/hello/a/b").statusCode());
    }

    @Test
    void queryParametersDecodedWithRepeatedKeys() throws Exception {
        HttpResponse<String> r = get("/query?a=1&b=x+y&a=%32&c&d=%C3%A9");
        assertEquals("{a=[1, 2], b=[x y], c=[], d=[é]} a=[1, 2] c=", r.body());
    }

    @Test
    void headersCaseInsensitiveAndRepeated() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/headers"))
                .header("X-Mixed", "v").header("X-Multi", "1").header("X-Multi", "2").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("v|[1, 2]|HTTP/1.1", r.body());
    }

    @Test
    void echoStreamsBodyAndContentType() throws Exception {
        byte[] body = new byte[300_000];
        new Random(1).nextBytes(body);
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/echo")).header("Content-Type", "application/x-test")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals("application/x-test", r.headers().firstValue("content-type").orElseThrow());
        assertEquals("chunked", r.headers().firstValue("transfer-encoding").orElseThrow());
        assertArrayEquals(body, r.body());
    }

    @Test
    void chunkedRequestBodyFromAStreamingPublisher() throws Exception {
        byte[] body = "x".repeat(50_000).getBytes(StandardCharsets.US_ASCII);
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/bytes"))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(body, r.body());
        assertEquals(String.valueOf(body.length), r.headers().firstValue("content-length").orElseThrow());
    }

    @Test
    void otherMethods() throws Exception {
        assertEquals(204, client.send(HttpRequest.newBuilder(uri("/thing/1")).DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/thing/1"))
                .method("PATCH", HttpRequest.BodyPublishers.ofString("data")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("patched 1 data", r.body());
    }

    @Test
    void streamedResponseIsChunked() throws Exception {
        HttpResponse<String> r = get("/stream?n=3000");
        assertEquals(200, r.statusCode());
        assertEquals("chunked", r.headers().firstValue("transfer-encoding").orElseThrow());
        String[] lines = r.body().split("\n");
        assertEquals(3000, lines.length);
        assertEquals("line 2999", lines[2999]);
    }

    @Test
    void headUsesGetRouteWithSameLengthAndNoBody() throws Exception {
        HttpResponse<String> get = get("/hello/x");
        HttpResponse<String> head = client.send(HttpRequest.newBuilder(uri("/hello/x")).HEAD().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(get.headers().firstValue("content-length"), head.headers().firstValue("content-length"));
    }

    @Test
    void notFoundMethodNotAllowedAndOptions() throws Exception {
        assertEquals(404, get("/nope").statusCode());
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/hello/x")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode());
        assertEquals("GET, HEAD, OPTIONS", r.headers().firstValue("allow").orElseThrow());
        HttpResponse<String> o = client.send(HttpRequest.newBuilder(uri("/thing/1")).method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, o.statusCode());
        assertEquals("DELETE, OPTIONS, PATCH", o.headers().firstValue("allow").orElseThrow());
        HttpResponse<String> unknown = client.send(HttpRequest.newBuilder(uri("/hello/x")).method("BREW", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(501, unknown.statusCode());
    }

    @Test
    void handlerExceptionsBecomeShortErrors() throws Exception {
        HttpResponse<String> r = get("/fail");
        assertEquals(500, r.statusCode());
        assertEquals("internal server error\n", r.body());
        assertFalse(r.body().contains("secret"));
        HttpResponse<String> t = get("/teapot");
        assertEquals(418, t.statusCode());
        assertEquals("short and stout\n", t.body());
        assertEquals(200, get("/hello/again").statusCode());
    }

    @Test
    void remoteAddress() throws Exception {
        assertEquals("127.0.0.1", get("/remote").body());
    }
}
