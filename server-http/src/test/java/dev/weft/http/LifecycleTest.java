package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The framework owns the end of every response: raw bytes in, and out either a complete
 * response that is true, an error status, or a reset — never a failed request framed as a
 * complete success. Handlers are written the way the docs teach (try-with-resources).
 */
class LifecycleTest {

    private static HttpServer server;
    private static final List<String> seenByFilter = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        server = HttpServer.builder()
                .bindAddress(java.net.InetAddress.getLoopbackAddress())
                .maxBodyBytes(64 << 10)
                .filter((req, res, chain) -> {
                    chain.next();
                    // After chain.next(): the final status, also when the handler threw; headers still open.
                    seenByFilter.add(req.path() + " " + res.status());
                    if (!res.isCommitted()) {
                        res.header("X-Filter", "after");
                    }
                })
                .filter((req, res, chain) -> {
                    try {
                        chain.next();
                    } catch (IllegalStateException e) {
                        if (!req.path().equals("/throw-after-flush")) {
                            throw e;
                        }
                        // A filter that swallows what it should not: the framework still resets.
                    }
                })
                .filter((req, res, chain) -> {
                    res.beforeCommit(() -> res.header("X-Request-Id", "r-" + req.path().length()));
                    chain.next();
                })
                .post("/echo", (req, res) -> {
                    try (OutputStream out = res.outputStream()) {
                        req.body().transferTo(out);
                    }
                })
                .post("/echo-flushing", (req, res) -> {
                    try (OutputStream out = res.outputStream()) {
                        byte[] b = new byte[1024];
                        for (int n; (n = req.body().read(b)) > 0; ) {
                            out.write(b, 0, n);
                            out.flush(); // full duplex: the client gets each piece as it goes
                        }
                    }
                })
                .post("/swallow", (req, res) -> {
                    try {
                        req.body().readAllBytes();
                    } catch (IOException e) {
                        // A handler that ignores the failure still must not answer it with a success.
                    }
                    res.send("fine");
                })
                .post("/small-limit", (req, res) -> {
                    req.limitBody(10);
                    res.send(req.bodyBytes());
                })
                .get("/throw-in-twr", (req, res) -> {
                    try (OutputStream out = res.outputStream()) {
                        if (out != null) {
                            throw new IllegalStateException("before any byte");
                        }
                    }
                })
                .get("/throw-after-write", (req, res) -> {
                    try (OutputStream out = res.outputStream()) {
                        out.write("not yet sent".getBytes(StandardCharsets.US_ASCII));
                        throw new IllegalStateException("after a buffered write");
                    }
                })
                .get("/throw-after-flush", (req, res) -> {
                    try (OutputStream out = res.outputStream()) {
                        out.write("partial".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        throw new IllegalStateException("after a flush");
                    }
                })
                .get("/throw-after-send", (req, res) -> {
                    res.send("looks fine");
                    throw new IllegalStateException("after send");
                })
                .get("/http-exception", (req, res) -> {
                    throw new HttpException(409, "conflict here");
                })
                .get("/declared", (req, res) -> res.contentLength(1000).send())
                .get("/not-modified", (req, res) -> res.status(304).header("ETag", "\"x\"")
                        .header("Content-Encoding", "gzip").contentType("text/html").send())
                .get("/big", (req, res) -> {
                    try (OutputStream out = res.outputStream()) {
                        out.write(new byte[100_000]);
                    }
                })
                .start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
    }

    private static String chunked(String... chunks) {
        StringBuilder b = new StringBuilder();
        for (String c : chunks) {
            b.append(Integer.toHexString(c.length())).append("\r\n").append(c).append("\r\n");
        }
        return b.append("0\r\n\r\n").toString();
    }

    @Test
    void theDocsEchoAnswersABadChunkSizeWith400NotA200() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\nzz\r\n").read();
            assertEquals(400, r.status(), r.text());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void whileTheHandlerReadsTheBodyNothingOfTheResponseGoesOut() throws Exception {
        try (Raw c = new Raw(server.port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            // The handler has echoed "hello" into its stream and waits for the next chunk: no head yet.
            c.socket.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> c.in.read(), "no byte before the body is complete");
            c.socket.setSoTimeout(5000);
            Raw.Reply r = c.send("1x\r\n").read();
            assertEquals(400, r.status(), "the body failed: its error, never after a 200 head");
        }
    }

    @Test
    void theEchoIsWholeWhenTheBodyIs() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunked("hello", " world")).read();
            assertEquals(200, r.status());
            assertEquals("hello world", r.text());
            assertEquals("chunked", r.header("Transfer-Encoding"));
            assertEquals("after", r.header("X-Filter"));
            assertEquals("r-5", r.header("X-Request-Id"));
        }
    }

    @Test
    void aBodyOverTheLimitIsNeverEchoedAsASuccess() throws Exception {
        // Small enough to sit in the response buffer: the whole answer is the 413.
        try (Raw c = new Raw(server.port())) {
            String head = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
            StringBuilder body = new StringBuilder();
            String piece = "x".repeat(4000);
            for (int i = 0; i < 20; i++) { // 80,000 bytes > 64 KiB
                body.append(Integer.toHexString(piece.length())).append("\r\n").append(piece).append("\r\n");
            }
            c.send(head + body + "0\r\n\r\n");
            Raw.End end = c.readToEnd();
            String text = end.text();
            // More than the buffer was echoed before the limit was reached: the response had begun,
            // so it must end in a reset, without the last chunk.
            assertTrue(text.startsWith("HTTP/1.1 200 OK\r\n"), text.substring(0, Math.min(200, text.length())));
            assertFalse(text.endsWith("0\r\n\r\n"), "no last chunk");
            assertTrue(end.reset(), "a reset, not a clean end");
        }
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("POST /small-limit HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world").read();
            assertEquals(413, r.status());
            Raw.Reply chunkedOver = new Raw(server.port()).send("POST /small-limit HTTP/1.1\r\nHost: t\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + chunked("hello", " world")).read();
            assertEquals(413, chunkedOver.status());
        }
        try (Raw c = new Raw(server.port())) {
            assertEquals("0123456789", c.send("POST /small-limit HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789")
                    .read().text());
        }
    }

    @Test
    void anErrorAnswerThatClosesSurvivesTheClientStillSending() throws Exception {
        try (Raw c = new Raw(server.port())) {
            // 60 KB (under maxBodyBytes, over the route's limit) the server will never read: closing with them unread would reset the connection and
            // destroy the 413 before the client reads it, unless the server lingers after its FIN.
            c.send("POST /small-limit HTTP/1.1\r\nHost: t\r\nContent-Length: 60000\r\n\r\n" + "x".repeat(60_000));
            Raw.Reply r = c.read();
            assertEquals(413, r.status());
            assertEquals("close", r.header("Connection"));
        }
    }

    @Test
    void aHandlerThatSwallowsABodyFailureStillAnswersIt() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("POST /swallow HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n-1\r\n").read();
            assertEquals(400, r.status(), r.text());
            assertTrue(seenByFilter.contains("/swallow 400"), "the filter saw the final status: " + seenByFilter);
        }
    }

    @Test
    void aContentLengthBodyCutShortIsNoSuccess() throws Exception {
        try (Raw c = new Raw(server.port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly twenty bytes...");
            c.socket.shutdownOutput();
            Raw.End end = c.readToEnd();
            assertFalse(end.text().startsWith("HTTP/1.1 200"), end.text());
        }
        // The server keeps serving.
        try (Raw c = new Raw(server.port())) {
            assertEquals("ok", c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok").read().text());
        }
    }

    @Test
    void aThrowInsideTryWithResourcesBeforeAnyByteIsA500() throws Exception {
        try (Raw c = new Raw(server.port())) {
            for (String path : new String[] {"/throw-in-twr", "/throw-after-write", "/throw-after-send"}) {
                Raw.Reply r = c.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n").read();
                assertEquals(500, r.status(), path);
                assertEquals("internal server error\n", r.text(), path);
                assertEquals("after", r.header("X-Filter"), "filters still add headers to the error answer: " + path);
                assertTrue(seenByFilter.contains(path + " 500"), seenByFilter.toString());
            }
            Raw.Reply r = c.send("GET /http-exception HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(409, r.status());
            assertEquals("conflict here\n", r.text());
        }
    }

    @Test
    void aThrowAfterAFlushResetsWithoutTheLastChunk() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.End end = c.send("GET /throw-after-flush HTTP/1.1\r\nHost: t\r\n\r\n").readToEnd();
            assertTrue(end.text().startsWith("HTTP/1.1 200 OK\r\n") && end.text().contains("partial"), end.text());
            assertFalse(end.text().endsWith("0\r\n\r\n"), end.text());
            assertTrue(end.reset(), "reset");
        }
    }

    @Test
    void onHttp10ACutCloseDelimitedBodyEndsInAResetNotAFin() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.End end = c.send("GET /throw-after-flush HTTP/1.0\r\n\r\n").readToEnd();
            assertTrue(end.text().contains("partial"), end.text());
            assertNull(headerOf(end.text(), "Content-Length"), "close-delimited");
            assertTrue(end.reset(), "a clean FIN would say the body is complete");
        }
        try (Raw c = new Raw(server.port())) {
            // A whole HTTP/1.0 streamed body that fit the buffer goes out with its length.
            Raw.Reply r = c.send("POST /echo HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc").read();
            assertEquals("abc", r.text());
            assertEquals("3", r.header("Content-Length"));
        }
    }

    private static String headerOf(String response, String name) {
        for (String line : response.split("\r\n")) {
            if (line.isEmpty()) {
                return null;
            }
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    @Test
    void aDeclaredLengthIsHonouredForHeadAndAMismatchIsAnError() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.Reply head = c.send("HEAD /declared HTTP/1.1\r\nHost: t\r\n\r\n").read(true);
            assertEquals(200, head.status());
            assertEquals("1000", head.header("Content-Length"));
            Raw.Reply get = c.send("GET /declared HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(500, get.status(), "1000 declared, 0 sent: the handler's bug, not a silent rewrite");
        }
    }

    @Test
    void a304CarriesNoRepresentationHeaders() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("GET /not-modified HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(304, r.status());
            assertEquals("\"x\"", r.header("ETag"));
            assertNull(r.header("Content-Type"));
            assertNull(r.header("Content-Encoding"));
            assertNull(r.header("Content-Length"));
            assertEquals(100_000, c.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n").read().body().length, "no body after the 304");
        }
    }

    @Test
    void aHandlerThatFlushesStreamsFullDuplex() throws Exception {
        try (Raw c = new Raw(server.port())) {
            c.send("POST /echo-flushing HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            // The head and the first piece arrive while the request body is still open.
            byte[] got = new byte[12];
            int n = 0;
            while (n < got.length) {
                n += c.in.read(got, n, got.length - n);
            }
            assertEquals("HTTP/1.1 200", new String(got, StandardCharsets.US_ASCII));
            c.send("0\r\n\r\n");
        }
    }

    @Test
    void aStreamedResponseLargerThanTheBufferGoesOutWhole() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(100_000, r.body().length);
            assertEquals("r-4", r.header("X-Request-Id"), "the before-commit action ran at the first overflow");
        }
    }
}
