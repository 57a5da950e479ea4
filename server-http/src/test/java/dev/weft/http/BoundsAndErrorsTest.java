package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import dev.weft.testing.TestTls;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-request bounds (the first head from accept, the whole body, the drain), errors in one
 * format through the exception mapper, and the reset of a cut response over TLS.
 */
class BoundsAndErrorsTest {

    private static HttpServer.Builder builder() {
        return HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress());
    }

    @Test
    void aConnectionThatNeverSendsIsHeldForTheHeaderTimeoutNotTheIdleTimeout() throws Exception {
        try (HttpServer server = builder().headerTimeout(Duration.ofMillis(300)).idleTimeout(Duration.ofSeconds(60))
                .get("/", (req, res) -> res.send("x")).start();
             Raw c = new Raw(server.port())) {
            long t0 = System.nanoTime();
            assertTrue(c.closedByServer(), "closed within the client's 5 s read timeout, not after 60 s");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
        }
    }

    @Test
    void aBodyTrickledSlowerThanTheBodyTimeoutIs408() throws Exception {
        try (HttpServer server = builder().bodyTimeout(Duration.ofMillis(600)).readTimeout(Duration.ofSeconds(30))
                .post("/", (req, res) -> res.send(req.bodyBytes())).start();
             Raw c = new Raw(server.port())) {
            c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n");
            // One byte every 100 ms is far inside readTimeout, yet the whole body cannot take for ever.
            long t0 = System.nanoTime();
            for (int i = 0; i < 30 && !c.socket.isClosed(); i++) {
                c.send("x");
                Thread.sleep(100); // plays a slow client, not a wait for the server
                if (c.in.available() > 0) {
                    break;
                }
            }
            Raw.Reply r = c.read();
            assertEquals(408, r.status());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3));
        }
    }

    @Test
    void skippingAnUnreadBodyIsBoundedInTime() throws Exception {
        try (HttpServer server = builder().get("/", (req, res) -> res.send("not reading")).start();
             Raw c = new Raw(server.port())) {
            // A small body (within maxDrainBytes) that never completes: the answer comes, then the
            // drain gives up after its time bound and closes, instead of waiting for readTimeout.
            Raw.Reply r = c.send("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\nabc").read();
            assertEquals("not reading", r.text());
            long t0 = System.nanoTime();
            c.socket.setSoTimeout(10_000);
            assertTrue(c.closedByServer());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 8000, ms + " ms: bounded by the drain's 2 s, not the 30 s readTimeout");
        }
    }

    @Test
    void theMapperRendersEveryErrorInTheApisFormat() throws Exception {
        try (HttpServer server = builder().maxBodyBytes(8)
                .exceptionMapper((e, req, res) -> {
                    int status = e instanceof HttpException h ? h.status() : 500;
                    res.status(status).contentType("application/json").send("{\"error\":" + status + "}");
                })
                .get("/thing", (req, res) -> res.send("thing"))
                .post("/thing", (req, res) -> res.send(req.bodyBytes()))
                .get("/conflict", (req, res) -> {
                    throw new HttpException(409, "taken");
                })
                .get("/bug", (req, res) -> {
                    throw new IllegalStateException("bug");
                })
                .start();
             Raw c = new Raw(server.port())) {
            String[][] cases = {
                {"GET /missing HTTP/1.1\r\nHost: t\r\n\r\n", "404"},
                {"DELETE /thing HTTP/1.1\r\nHost: t\r\n\r\n", "405"},
                {"GET /conflict HTTP/1.1\r\nHost: t\r\n\r\n", "409"},
                {"GET /bug HTTP/1.1\r\nHost: t\r\n\r\n", "500"},
            };
            for (String[] row : cases) {
                Raw.Reply r = c.send(row[0]).read();
                assertEquals(Integer.parseInt(row[1]), r.status(), row[0]);
                assertEquals("application/json", r.header("Content-Type"), row[0]);
                assertEquals("{\"error\":" + row[1] + "}", r.text(), row[0]);
                if (row[1].equals("405")) {
                    assertEquals("GET, HEAD, OPTIONS, POST", r.header("Allow"), "the 405 keeps its Allow");
                }
            }
        }
        try (HttpServer server = builder().maxBodyBytes(8)
                .exceptionMapper((e, req, res) -> {
                    int status = e instanceof HttpException h ? h.status() : 500;
                    res.status(status).contentType("application/json").send("{\"error\":" + status + "}");
                })
                .post("/thing", (req, res) -> res.send(req.bodyBytes()))
                .start()) {
            for (String body : new String[] {"Transfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n",
                    "Transfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
                try (Raw c = new Raw(server.port())) {
                    Raw.Reply r = c.send("POST /thing HTTP/1.1\r\nHost: t\r\n" + body).read();
                    int expected = body.contains("zz") ? 400 : 413;
                    assertEquals(expected, r.status());
                    assertEquals("{\"error\":" + expected + "}", r.text(), "the body's error in the API's format");
                    assertEquals("close", r.header("Connection"), "a broken body closes, whatever the mapper did");
                }
            }
        }
    }

    @Test
    void aHeadRequestsErrorHasNoBody() throws Exception {
        try (HttpServer server = builder().get("/x", (req, res) -> {
            throw new HttpException(403, "no");
        }).start(); Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n").read(true);
            assertEquals(403, r.status());
            // Nothing followed the head: the next response starts right away.
            assertEquals(404, c.send("HEAD /nope HTTP/1.1\r\nHost: t\r\n\r\n").read(true).status());
            assertEquals(403, c.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
        }
    }

    @Test
    void aHeadRequestThatTheParserRejectsGetsItsStatusWithoutABody() throws Exception {
        try (HttpServer server = builder().get("/x", (req, res) -> res.send("x")).start()) {
            for (String bad : new String[] {"HEAD /x HTTP/1.1\r\nHost: example.com:8o\r\n\r\n",
                    "HEAD /x HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n"}) {
                try (Raw c = new Raw(server.port())) {
                    c.send(bad);
                    Raw.End end = c.readToEnd();
                    assertTrue(end.text().startsWith("HTTP/1.1 400 "), end.text());
                    assertTrue(end.text().endsWith("\r\n\r\n"), "the head and nothing after it: " + end.text());
                }
            }
            try (Raw c = new Raw(server.port())) {
                // The same rejection to GET carries its reason.
                Raw.Reply r = c.send("GET /x HTTP/1.1\r\nHost: example.com:8o\r\n\r\n").read();
                assertEquals(400, r.status());
                assertTrue(r.text().length() > 1, r.text());
            }
        }
    }

    @TempDir
    Path dir;

    @Test
    void overTlsACutResponseIsAResetWithoutCloseNotify() throws Exception {
        TestTls tls = TestTls.in(dir);
        SSLContext serverContext = tls.server();
        SSLContext clientContext = tls.client();
        try (HttpServer server = builder().tls(serverContext)
                .get("/cut", (req, res) -> {
                    try (var o = res.outputStream()) {
                        o.write("partial".getBytes());
                        o.flush();
                        throw new IllegalStateException("after a flush");
                    }
                })
                .get("/ok", (req, res) -> res.send("ok"))
                .start()) {
            try (SSLSocket s = (SSLSocket) clientContext.getSocketFactory().createSocket("127.0.0.1", server.port())) {
                s.setSoTimeout(5000);
                s.getOutputStream().write("GET /cut HTTP/1.1\r\nHost: t\r\n\r\n".getBytes());
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                StringBuilder got = new StringBuilder();
                boolean cleanEnd;
                try {
                    for (int b; (b = in.read()) >= 0; ) {
                        got.append((char) b);
                    }
                    cleanEnd = true; // close_notify: TLS would vouch that nothing was cut
                } catch (java.io.IOException e) {
                    cleanEnd = false;
                }
                assertTrue(got.toString().contains("partial"), got.toString());
                assertTrue(!cleanEnd, "the cut body must not end with close_notify: " + got);
            }
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(clientContext).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/ok"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("ok", r.body(), "the server keeps serving");
            // The reset connection is gone; only the client's kept-alive one may remain.
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() <= 1);
        }
    }
}
