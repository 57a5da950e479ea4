package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP/1.1 framing and connection management, byte for byte over raw sockets. */
class ProtocolTest {

    static HttpServer server;
    static final AtomicInteger bodyReads = new AtomicInteger();

    @BeforeAll
    static void start() {
        server = HttpServer.builder()
                .maxBodyBytes(1 << 20)
                .maxDrainBytes(1000)
                .get("/plain", (req, res) -> res.send("Hello"))
                .post("/echo", (req, res) -> {
                    bodyReads.incrementAndGet();
                    res.send(req.bodyBytes());
                })
                .post("/ignore", (req, res) -> res.send("ignored"))
                .post("/trailers", (req, res) -> {
                    String body = req.bodyString();
                    res.send(body + "|" + req.trailers().get("x-checksum") + "|" + req.trailers().size());
                })
                .get("/stream", (req, res) -> {
                    try (OutputStream out = res.outputStream()) {
                        out.write("abc".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        out.write("def".getBytes(StandardCharsets.US_ASCII));
                    }
                })
                .get("/sized", (req, res) -> {
                    res.contentLength(6);
                    try (OutputStream out = res.outputStream()) {
                        out.write("abcdef".getBytes(StandardCharsets.US_ASCII));
                    }
                })
                .get("/short", (req, res) -> {
                    res.contentLength(10);
                    res.outputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
                })
                .get("/late-failure", (req, res) -> {
                    OutputStream out = res.outputStream();
                    out.write("partial".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    throw new IllegalStateException("after commit");
                })
                .get("/nothing", (req, res) -> { })
                .get("/host", (req, res) -> res.send(req.host() + "|" + req.header("Host")))
                .get("/no-content", (req, res) -> res.status(204).send("ignored body"))
                .get("/close", (req, res) -> res.header("Connection", "close").send("bye"))
                .get("/bad-header", (req, res) -> res.header("X", "a\r\nInjected: yes").send("x"))
                .start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void keepAliveServesManyRequestsOnOneConnection() throws Exception {
        try (Raw c = new Raw(server.port())) {
            for (int i = 0; i < 20; i++) {
                Raw.Reply r = c.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n").read();
                assertEquals(200, r.status());
                assertEquals("Hello", r.text());
                assertEquals("5", r.header("Content-Length"));
                assertNull(r.header("Connection"));
                assertNull(r.header("Server"));
                assertTrue(r.header("Date").endsWith(" GMT"));
            }
        }
    }

    @Test
    void connectionCloseIsHonoredBySocketClose() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("GET /plain HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").read();
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
        try (Raw c = new Raw(server.port())) {
            assertEquals("close", c.send("GET /close HTTP/1.1\r\nHost: t\r\n\r\n").read().header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void http10ClosesUnlessKeepAliveAsked() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("GET /plain HTTP/1.0\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("GET /plain HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertEquals("keep-alive", r.header("Connection"));
            assertEquals("Hello", c.send("GET /plain HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read().text());
        }
        // No chunked coding in HTTP/1.0: a streamed body ends with the connection.
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertNull(r.header("Transfer-Encoding"));
            assertEquals("close", r.header("Connection"));
            assertEquals("abcdef", r.text());
        }
    }

    @Test
    void pipelinedRequestsAnsweredInOrderWithoutLosingBytes() throws Exception {
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            burst.append("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nbody-").append(i);
            burst.append("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n");
            burst.append("POST /trailers HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nX-Checksum: ").append(i).append("\r\n\r\n");
        }
        try (Raw c = new Raw(server.port())) {
            c.send(burst.toString());
            for (int i = 0; i < 10; i++) {
                assertEquals("body-" + i, c.read().text());
                assertEquals("Hello", c.read().text());
                assertEquals("ab|" + i + "|1", c.read().text());
            }
        }
    }

    @Test
    void pipelinedRequestSplitAcrossWritesIsNotStuck() throws Exception {
        try (Raw c = new Raw(server.port())) {
            // The second request's first bytes arrive with the first: its answer must not wait on the rest.
            c.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\nGET /pl");
            assertEquals("Hello", c.read().text());
            c.send("ain HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals("Hello", c.read().text());
        }
    }

    @Test
    void expectContinueSentOnlyWhenTheBodyIsRead() throws Exception {
        try (Raw c = new Raw(server.port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            Raw.Reply interim = c.read();
            assertEquals(100, interim.status());
            Raw.Reply r = c.send("hello").read();
            assertEquals("hello", r.text());
            assertEquals(200, c.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
        }
        try (Raw c = new Raw(server.port())) {
            c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            Raw.Reply r = c.read();
            assertEquals(200, r.status(), "a final answer without 100 Continue");
            assertEquals("close", r.header("Connection"), "the unsent body leaves the stream in doubt");
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void unreadBodyDrainedWithinBoundElseClosed() throws Exception {
        try (Raw c = new Raw(server.port())) {
            c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 500\r\n\r\n" + "x".repeat(500));
            assertEquals("ignored", c.read().text());
            assertEquals("Hello", c.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
            c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            assertEquals("ignored", c.read().text());
            assertEquals("Hello", c.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
        }
        try (Raw c = new Raw(server.port())) {
            c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" + "x".repeat(5000));
            Raw.Reply r = c.read();
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void manySmallChunksWithShortExtensionsAreFine() throws Exception {
        try (Raw c = new Raw(server.port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "1\r\nx\r\n".repeat(3000) + "1;n=v\r\ny\r\n".repeat(3000) + "0\r\n\r\n");
            Raw.Reply r = c.read();
            assertEquals(200, r.status());
            assertEquals("x".repeat(3000) + "y".repeat(3000), r.text());
            assertEquals("Hello", c.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
        }
    }

    @Test
    void drainCountsChunkFramingNotOnlyData() throws Exception {
        // 300 data bytes, under maxDrainBytes (1000), in 1800 wire bytes, over it.
        try (Raw c = new Raw(server.port())) {
            c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "1\r\nx\r\n".repeat(300) + "0\r\n\r\n");
            Raw.Reply r = c.read();
            assertEquals("ignored", r.text());
            assertEquals("close", r.header("Connection"), "said before the close, not after");
            assertTrue(c.closedByServer(), "drained more than maxDrainBytes off the wire");
        }
    }

    @Test
    void unreadChunkedBodyKeepsAliveOnlyWhenItsEndHasArrived() throws Exception {
        String chunk = Integer.toHexString(600) + "\r\n" + "x".repeat(600) + "\r\n";
        try (Raw c = new Raw(server.port())) {
            // Small and all there, with an extension and a trailer, a request pipelined behind it.
            c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Checksum: 5\r\n\r\n"
                    + "GET /plain HTTP/1.1\r\nHost: t\r\n\r\n");
            Raw.Reply ignored = c.read();
            assertEquals("ignored", ignored.text());
            assertNull(ignored.header("Connection"));
            assertEquals("Hello", c.read().text());
        }
        try (Raw c = new Raw(server.port())) {
            // All there but over the drain bound (1000): told to close, not kept then dropped.
            c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunk + chunk + chunk + "0\r\n\r\n" + "GET /plain HTTP/1.1\r\nHost: t\r\n\r\n");
            Raw.Reply r = c.read();
            assertEquals("ignored", r.text());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer(), "the pipelined GET is not answered");
        }
        try (Raw c = new Raw(server.port())) {
            // Small so far, but its end has not arrived: draining could wait on the client forever.
            c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
            Raw.Reply r = c.read();
            assertEquals("ignored", r.text());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void chunkedResponseAndTrailersOnRequest() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals("chunked", r.header("Transfer-Encoding"));
            assertNull(r.header("Content-Length"));
            assertEquals("abcdef", r.text());
            Raw.Reply t = c.send("POST /trailers HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3;name=\"quoted \\\" value\"\r\nabc\r\n2;x=y\r\nde\r\n0\r\nX-Checksum: 42\r\nOther: 1\r\n\r\n").read();
            assertEquals("abcde|42|2", t.text());
            assertEquals("6", c.send("GET /sized HTTP/1.1\r\nHost: t\r\n\r\n").read().header("Content-Length"));
        }
    }

    @Test
    void headSendsHeadersOnlyWithGetLength() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("HEAD /plain HTTP/1.1\r\nHost: t\r\n\r\n").read(true);
            assertEquals(200, r.status());
            assertEquals("5", r.header("Content-Length"));
            Raw.Reply s = c.send("HEAD /stream HTTP/1.1\r\nHost: t\r\n\r\n").read(true);
            assertEquals(200, s.status());
            // Nothing of either body arrived: the next response starts right away.
            assertEquals("Hello", c.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
        }
    }

    @Test
    void handlerThatSendsNothingGetsEmpty200And204HasNoBody() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("0", r.header("Content-Length"));
            Raw.Reply n = c.send("GET /no-content HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(204, n.status());
            assertNull(n.header("Content-Length"));
            assertEquals("Hello", c.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
        }
    }

    @Test
    void failureAfterCommitResetsAndAShortBodyIsA500() throws Exception {
        try (Raw c = new Raw(server.port())) {
            c.send("GET /late-failure HTTP/1.1\r\nHost: t\r\n\r\n");
            Raw.End end = c.readToEnd();
            assertTrue(end.text().contains("partial"), end.text());
            assertFalse(end.text().endsWith("0\r\n\r\n"), "no last chunk: the client must see a cut body");
            assertTrue(end.reset(), "a reset, not a clean FIN: " + end.text());
        }
        try (Raw c = new Raw(server.port())) {
            // Nothing went out before the handler returned 3 of its 10 declared bytes: a 500, not a cut 200.
            Raw.Reply r = c.send("GET /short HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(500, r.status());
            assertEquals("Hello", c.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n").read().text(), "same connection");
        }
    }

    @Test
    void responseSplittingIsRefused() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("GET /bad-header HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(500, r.status());
            assertNull(r.header("Injected"));
        }
    }

    @Test
    void hostIsTheAbsoluteTargetsAuthorityElseTheHostHeader() throws Exception {
        try (Raw c = new Raw(server.port())) {
            assertEquals("a.example:8080|a.example:8080",
                    c.send("GET /host HTTP/1.1\r\nHost: a.example:8080\r\n\r\n").read().text());
            // RFC 9112 §3.2.2: the target's authority wins; the header is still there as sent.
            assertEquals("b.example|a.example",
                    c.send("GET http://b.example/host HTTP/1.1\r\nHost: a.example\r\n\r\n").read().text());
        }
        try (Raw c = new Raw(server.port())) {
            assertEquals("null|null", c.send("GET /host HTTP/1.0\r\n\r\n").read().text());
        }
    }

    @Test
    void absoluteFormAndAsteriskOptions() throws Exception {
        try (Raw c = new Raw(server.port())) {
            assertEquals("Hello", c.send("GET http://t:8080/plain HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
            Raw.Reply o = c.send("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(204, o.status());
            assertEquals("GET, HEAD, OPTIONS, POST", o.header("Allow"));
        }
    }

    @Test
    void limitsAcceptRequestsAtTheBoundary() throws Exception {
        try (Raw c = new Raw(server.port())) {
            // 99 fields plus Host = 100, the default maximum.
            Raw.Reply r = c.send("GET /plain HTTP/1.1\r\nHost: t\r\n" + "X: y\r\n".repeat(99) + "\r\n").read();
            assertEquals(200, r.status());
            String target = "/plain?" + "q".repeat(8192 - "GET /plain? HTTP/1.1".length());
            assertEquals(200, c.send("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
            assertEquals("Hello", c.send("\r\nGET /plain HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
        }
    }
}
