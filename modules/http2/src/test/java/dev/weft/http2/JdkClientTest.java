package dev.weft.http2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.http.HttpServer;
import dev.weft.testing.TestTls;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JDK's HttpClient, a client we did not write: h2c by Upgrade, h2 by ALPN, many streams, big bodies. */
class JdkClientTest {

    private static HttpClient h2(HttpClient.Builder b) {
        return b.version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void h2cByUpgradeThenStreamsOnTheSameConnection() throws Exception {
        try (HttpServer server = Apps.start(); HttpClient client = h2(HttpClient.newBuilder())) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            // The first request upgrades (RFC 7540 §3.2) and is answered as stream 1 over h2.
            HttpResponse<String> first = client.send(HttpRequest.newBuilder(base.resolve("/hello")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, first.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, first.version());
            assertEquals("hello HTTP/2.0", first.body());
            HttpResponse<String> second = client.send(HttpRequest.newBuilder(base.resolve("/hello/w%C3%BCrld?x=1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, second.version());
            assertEquals("hello würld 1", second.body());
            HttpResponse<String> teapot = client.send(HttpRequest.newBuilder(base.resolve("/teapot")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(418, teapot.statusCode());
            assertEquals("short and stout\n", teapot.body());
            HttpResponse<String> missing = client.send(HttpRequest.newBuilder(base.resolve("/nope")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
            HttpResponse<String> boom = client.send(HttpRequest.newBuilder(base.resolve("/boom")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(500, boom.statusCode());
            assertEquals("internal server error\n", boom.body());
        }
    }

    @Test
    void h2OverTlsByAlpn(@TempDir Path dir) throws Exception {
        TestTls tls = TestTls.in(dir);
        try (HttpServer server = Apps.builder(Http2Options.defaults()).tls(tls.server()).start();
                HttpClient client = h2(HttpClient.newBuilder().sslContext(tls.client()))) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/hello"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertEquals("hello HTTP/2.0", r.body());
            HttpResponse<String> echo = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("over tls")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("over tls", echo.body());
            // The route template and the TLS facts reach an HTTP/2 request as they reach HTTP/1.1's.
            assertEquals("/who/{id} true h2", client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port()
                    + "/who/7")).build(), HttpResponse.BodyHandlers.ofString()).body());
        }
    }

    @Test
    void alpnOffIsHttp11OverTls(@TempDir Path dir) throws Exception {
        TestTls tls = TestTls.in(dir);
        try (HttpServer server = Apps.builder(Http2Options.defaults().withAlpn(false)).tls(tls.server()).start();
                HttpClient client = h2(HttpClient.newBuilder().sslContext(tls.client()))) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/hello"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_1_1, r.version());
            assertEquals("hello HTTP/1.1", r.body());
        }
    }

    @Test
    void upgradeOffStaysHttp11() throws Exception {
        try (HttpServer server = Apps.builder(Http2Options.defaults().withUpgrade(false)).start();
                HttpClient client = h2(HttpClient.newBuilder())) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/hello"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_1_1, r.version());
            assertEquals("hello HTTP/1.1", r.body());
        }
    }

    /**
     * The JDK client kept at the announced 100 streams for 1,000 requests: none refused. (The
     * race this guards against, a stream counted until its thread ends, is shown frame by frame in
     * DefencesTest#aClosedStreamWhoseThreadStillRunsDoesNotCountAgainstTheLimit.)
     */
    @Test
    void aClientAtTheStreamLimitIsNeverRefused() throws Exception {
        try (HttpServer server = Apps.builder(Http2Options.defaults()).start();
                HttpClient client = h2(HttpClient.newBuilder())) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            // Prior knowledge is not offered by the JDK client: the first request upgrades, then all share the connection.
            client.send(HttpRequest.newBuilder(base.resolve("/hello")).build(), HttpResponse.BodyHandlers.ofString());
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            java.util.concurrent.Semaphore open = new java.util.concurrent.Semaphore(100); // the announced limit
            for (int i = 0; i < 1000; i++) {
                open.acquire();
                all.add(client.sendAsync(HttpRequest.newBuilder(base.resolve("/hello")).build(), HttpResponse.BodyHandlers.ofString())
                        .whenComplete((r, e) -> open.release()));
            }
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get();
                assertEquals(HttpClient.Version.HTTP_2, r.version());
                assertEquals("hello HTTP/2.0", r.body());
            }
        }
    }

    /**
     * With two handlers running, a response's frames go out through the connection's flusher, not
     * its own flush: one that ends while the other handler still runs reaches the client anyway.
     */
    @Test
    void aResponseIsNotHeldBackByAnotherStreamStillRunning() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (HttpServer server = Apps.builder(Http2Options.defaults())
                        .get("/held", (req, res) -> {
                            entered.countDown();
                            release.await();
                            res.send("released");
                        })
                        .start();
                HttpClient client = h2(HttpClient.newBuilder())) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            client.send(HttpRequest.newBuilder(base.resolve("/hello")).build(), HttpResponse.BodyHandlers.ofString()); // the upgrade
            CompletableFuture<HttpResponse<String>> held = client.sendAsync(HttpRequest.newBuilder(base.resolve("/held")).build(),
                    HttpResponse.BodyHandlers.ofString());
            entered.await();
            try {
                for (int i = 0; i < 20; i++) {
                    HttpResponse<String> r = client.sendAsync(HttpRequest.newBuilder(base.resolve("/hello")).build(),
                            HttpResponse.BodyHandlers.ofString()).get(5, java.util.concurrent.TimeUnit.SECONDS);
                    assertEquals(HttpClient.Version.HTTP_2, r.version());
                    assertEquals("hello HTTP/2.0", r.body());
                }
            } finally {
                release.countDown(); // else the client's close would wait for the held exchange
            }
            assertEquals("released", held.get(5, java.util.concurrent.TimeUnit.SECONDS).body());
        }
    }

    @Test
    void hundredConcurrentStreamsOnOneConnection(@TempDir Path dir) throws Exception {
        TestTls tls = TestTls.in(dir);
        try (HttpServer server = Apps.builder(Http2Options.defaults()).tls(tls.server()).start();
                HttpClient client = h2(HttpClient.newBuilder().sslContext(tls.client()))) {
            URI base = URI.create("https://localhost:" + server.port());
            client.send(HttpRequest.newBuilder(base.resolve("/hello")).build(), HttpResponse.BodyHandlers.ofString());
            long connectionsBefore = server.stats().accepted();
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                all.add(client.sendAsync(HttpRequest.newBuilder(base.resolve("/echo"))
                        .POST(HttpRequest.BodyPublishers.ofString("stream " + i)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (int i = 0; i < 100; i++) {
                HttpResponse<String> r = all.get(i).get();
                assertEquals(HttpClient.Version.HTTP_2, r.version());
                assertEquals("stream " + i, r.body());
            }
            assertEquals(connectionsBefore, server.stats().accepted(), "all 100 streams on the one connection");
        }
    }

    @Test
    void largeUploadAndDownloadUnderFlowControl() throws Exception {
        int size = 64 << 20; // four times the JDK client's 16 MiB stream window: flow control must turn over many times
        try (HttpServer server = Apps.builder(Http2Options.defaults()).maxBodyBytes(65L << 20).start();
                HttpClient client = h2(HttpClient.newBuilder())) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            client.send(HttpRequest.newBuilder(base.resolve("/hello")).build(), HttpResponse.BodyHandlers.ofString());
            byte[] up = new byte[size];
            for (int i = 0; i < up.length; i++) {
                up[i] = (byte) (i * 31);
            }
            HttpResponse<String> counted = client.send(HttpRequest.newBuilder(base.resolve("/count"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(up)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, counted.version());
            assertEquals(Integer.toString(size), counted.body());
            HttpResponse<InputStream> down = client.send(HttpRequest.newBuilder(base.resolve("/bytes/" + size)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long n = 0;
            try (InputStream in = down.body()) {
                byte[] buf = new byte[65536];
                for (int r; (r = in.read(buf)) >= 0; ) {
                    for (int i = 0; i < r; i++) {
                        if (buf[i] != (byte) (n + i)) {
                            throw new AssertionError("byte " + (n + i) + " differs");
                        }
                    }
                    n += r;
                }
            }
            assertEquals(size, n);
            // Full duplex, both directions under flow control at once. Smaller than the client's stream
            // window (16 MiB): the JDK client grants response window only once its request is sent, so an
            // echo longer than that window waits on itself (the server's writes block, so it stops reading).
            byte[] some = java.util.Arrays.copyOf(up, 8 << 20);
            HttpResponse<byte[]> echoed = client.send(HttpRequest.newBuilder(base.resolve("/echo"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(some)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertArrayEquals(some, echoed.body());
        }
    }

    @Test
    void failureAfterTheHeadIsAResetNotACleanEnd() throws Exception {
        try (HttpServer server = Apps.start(); HttpClient client = h2(HttpClient.newBuilder())) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            client.send(HttpRequest.newBuilder(base.resolve("/hello")).build(), HttpResponse.BodyHandlers.ofString());
            IOException e = assertThrows(IOException.class, () -> client.send(HttpRequest.newBuilder(base.resolve("/boom-late")).build(),
                    HttpResponse.BodyHandlers.ofString()));
            assertEquals(true, String.valueOf(e.getMessage()).contains("RST_STREAM") || String.valueOf(e).contains("reset"), e.toString());
            // The connection lives on for the next stream.
            assertEquals("hello HTTP/2.0", client.send(HttpRequest.newBuilder(base.resolve("/hello")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        }
    }

    /** close() by try-with-resources sends nothing: a throw inside the try, before any byte went out, is a 500. */
    @Test
    void aThrowInsideTryWithResourcesBeforeAnyByteIsA500() throws Exception {
        try (HttpServer server = Apps.start(); HttpClient client = h2(HttpClient.newBuilder())) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            client.send(HttpRequest.newBuilder(base.resolve("/hello")).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/boom-in-try")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertEquals(500, r.statusCode());
            assertEquals(false, r.body().contains("partial"), r.body());
        }
    }

    /** Filters and the exception mapper run for h2 streams exactly as for HTTP/1.1 requests. */
    @Test
    void filtersAndTheExceptionMapperServeBothProtocols() throws Exception {
        java.util.List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        try (HttpServer server = Apps.builder(Http2Options.defaults())
                .filter((req, res, chain) -> {
                    res.beforeCommit(() -> res.header("X-Filter", req.version()));
                    chain.next();
                    seen.add(req.version() + " " + req.path() + " " + res.status());
                })
                .exceptionMapper((e, req, res) -> {
                    if (e instanceof dev.weft.http.HttpException h) {
                        res.status(h.status()).contentType("application/json").send("{\"error\":\"" + h.reason() + "\"}");
                    } else {
                        throw e;
                    }
                })
                .start();
                HttpClient h2 = h2(HttpClient.newBuilder());
                HttpClient h1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            URI teapot = URI.create("http://127.0.0.1:" + server.port() + "/teapot");
            for (HttpClient client : List.of(h1, h2, h2)) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(teapot).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(418, r.statusCode());
                assertEquals("{\"error\":\"short and stout\"}", r.body());
                assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());
                assertEquals(r.version() == HttpClient.Version.HTTP_2 ? "HTTP/2.0" : "HTTP/1.1",
                        r.headers().firstValue("x-filter").orElseThrow());
            }
            assertEquals(List.of("HTTP/1.1 /teapot 418", "HTTP/2.0 /teapot 418", "HTTP/2.0 /teapot 418"), seen);
        }
    }

    /** Ten large downloads at once on one connection share its window: each complete, none starved. */
    @Test
    void concurrentDownloadsShareTheConnection() throws Exception {
        int size = 4 << 20;
        try (HttpServer server = Apps.start(); HttpClient client = h2(HttpClient.newBuilder())) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            client.send(HttpRequest.newBuilder(base.resolve("/hello")).build(), HttpResponse.BodyHandlers.ofString());
            List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                all.add(client.sendAsync(HttpRequest.newBuilder(base.resolve("/bytes/" + size)).build(),
                        HttpResponse.BodyHandlers.ofByteArray()));
            }
            for (CompletableFuture<HttpResponse<byte[]>> f : all) {
                HttpResponse<byte[]> r = f.get();
                assertEquals(HttpClient.Version.HTTP_2, r.version());
                assertEquals(size, r.body().length);
                assertEquals((byte) 123, r.body()[size - 133]); // (size - 133) % 256 == 123: the pattern held to the end
            }
        }
    }
}
