package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code req.body().transferTo(out)}, which passes the body on from the connection's buffer: the
 * bytes and nothing past them, the 100 Continue, the limit, a body cut short, and an {@code out}
 * that fails (not the body's failure; nothing lost). With a client we did not write:
 * HttpClientTest's {@code /echo}.
 */
class BodyTransferTest {

    private static HttpServer.Builder builder() {
        return HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress());
    }

    private static HttpServer echo(HttpServer.Builder b) {
        return b.post("/echo", (req, res) -> {
            try (OutputStream out = res.outputStream()) {
                req.body().transferTo(out);
            }
        }).get("/next", (req, res) -> res.send("next")).start();
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void aBodyOfManyBuffersIsPassedOnWholeAndThePipelinedRequestBehindItIsServed() throws Exception {
        try (HttpServer server = echo(builder()); Raw c = new Raw(server.port())) {
            // Up to the response buffer (8 KiB), the response begins only after the body was read.
            for (int n : new int[] {0, 1, 4096, 8191, 8192, 8193}) {
                byte[] body = random(n);
                ByteArrayOutputStream wire = new ByteArrayOutputStream();
                wire.writeBytes(Raw.bytes("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + n + "\r\n\r\n"));
                wire.writeBytes(body);
                wire.writeBytes(Raw.bytes("GET /next HTTP/1.1\r\nHost: t\r\n\r\n")); // in the same packets as the body's end
                c.send(wire.toByteArray());
                Raw.Reply r = c.read();
                assertEquals(200, r.status(), "n=" + n);
                assertArrayEquals(body, r.body(), "n=" + n);
                assertEquals("next", c.read().text(), "n=" + n + ": the bytes after the body were left for the next request");
            }
        }
    }

    @Test
    void aBodyLargerThanTheResponseBufferIsPassedOnWhole() throws Exception {
        try (HttpServer server = echo(builder()); Raw c = new Raw(server.port())) {
            byte[] body = random(300_000);
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            wire.writeBytes(Raw.bytes("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length + "\r\n\r\n"));
            wire.writeBytes(body);
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> c.send(wire.toByteArray()));
            Raw.Reply r = c.read(); // read while the client still sends: the response begins before the body ends
            assertEquals(200, r.status());
            assertArrayEquals(body, r.body());
            sent.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aChunkedBodyIsPassedOnWithoutItsFraming() throws Exception {
        try (HttpServer server = echo(builder()); Raw c = new Raw(server.port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\nHello\r\n1\r\n,\r\n6\r\n World\r\n0\r\nX-T: 1\r\n\r\n"
                    + "GET /next HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals("Hello, World", c.read().text());
            assertEquals("next", c.read().text());
        }
    }

    @Test
    void aClientThatExpectsContinueIsAskedForTheBodyAndOneOverTheLimitIsRefusedWithout() throws Exception {
        try (HttpServer server = echo(builder().maxBodyBytes(1000)); Raw c = new Raw(server.port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertEquals(100, c.read().status());
            c.send("hello");
            assertEquals("hello", c.read().text());

            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\nExpect: 100-continue\r\n\r\n");
            assertEquals(413, c.read().status(), "refused before a 100 Continue");
        }
    }

    @Test
    void aBodyCutShortNeverEndsAsACompleteResponseAndTheServerServesOn() throws Exception {
        try (HttpServer server = echo(builder())) {
            try (Raw c = new Raw(server.port())) {
                c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n");
                c.send(random(20_000));
                c.socket.shutdownOutput();
                // The response may have begun (a 200 and the first bytes, chunked): then the
                // connection is reset, so no client takes it for a complete one.
                Raw.End end = c.readToEnd();
                assertTrue(end.reset() || !end.text().startsWith("HTTP/1.1 200"), end.text());
            }
            try (Raw c = new Raw(server.port())) {
                c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok");
                assertEquals("ok", c.read().text());
            }
        }
    }

    @Test
    void whatTheTargetThrowsIsNotTheBodysFailureAndNoBodyByteIsLost() throws Exception {
        byte[] body = random(50_000);
        try (HttpServer server = builder().post("/half", (req, res) -> {
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    OutputStream failing = new OutputStream() {
                        @Override
                        public void write(int b) {
                            throw new AssertionError("not used");
                        }

                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            if (got.size() >= 10_000) {
                                throw new IOException("target full");
                            }
                            got.write(b, off, len);
                        }
                    };
                    String failure = "none";
                    try {
                        req.body().transferTo(failing);
                    } catch (IOException e) {
                        failure = e.getMessage();
                    }
                    got.writeBytes(req.body().readAllBytes()); // the rest, from where the transfer stopped
                    res.header("X-Failure", failure).send(got.toByteArray());
                }).get("/next", (req, res) -> res.send("next")).start();
             Raw c = new Raw(server.port())) {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            wire.writeBytes(Raw.bytes("POST /half HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length + "\r\n\r\n"));
            wire.writeBytes(body);
            c.send(wire.toByteArray());
            Raw.Reply r = c.read();
            assertEquals(200, r.status());
            assertEquals("target full", r.header("X-Failure"));
            assertArrayEquals(body, r.body());
            c.send("GET /next HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals("next", c.read().text(), "the connection serves on");
        }
    }
}
