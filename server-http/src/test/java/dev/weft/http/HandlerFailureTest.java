package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a failing handler turns into: an Error is a 500 like any exception, and the exception
 * mapper answers from a clean response, not from what the handler had set.
 */
class HandlerFailureTest {

    @RegisterExtension
    final StderrCapture stderr = new StderrCapture();

    private String log() {
        return stderr.text();
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    @Test
    void anErrorFromAHandlerIsA500LoggedOnceAndTheConnectionGoesOn() throws Exception {
        AtomicLong connection = new AtomicLong(-1);
        try (HttpServer server = HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress())
                // An Error reaches the mapper as the HttpException(500) answering it, the Error its cause.
                .exceptionMapper((e, req, res) -> {
                    if (e instanceof HttpException h && h.status() == 500 && h.getCause() instanceof Error) {
                        res.send("internal server error\n");
                    } else {
                        res.status(418).send("unexpected: " + e);
                    }
                })
                .filter((req, res, chain) -> {
                    connection.set(req.connectionId());
                    chain.next();
                })
                .get("/assert", (req, res) -> {
                    throw new AssertionError("invariant broken");
                })
                .get("/overflow", (req, res) -> res.send("depth " + recurse(0)))
                .get("/linkage", (req, res) -> {
                    throw new NoClassDefFoundError("dev/weft/Missing");
                })
                .get("/ok", (req, res) -> res.send("ok"))
                .start();
             Raw c = new Raw(server.port())) {
            for (String path : new String[] {"/assert", "/overflow", "/linkage"}) {
                Raw.Reply r = c.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n").read();
                assertEquals(500, r.status(), path);
                assertEquals("internal server error\n", r.text(), "no detail for the client: " + path);
                assertNull(r.header("Connection"), path);
            }
            assertEquals("ok", c.send("GET /ok HTTP/1.1\r\nHost: t\r\n\r\n").read().text(), "same connection");
            String log = log();
            long id = connection.get();
            assertEquals(1, occurrences(log, "ERROR dev.weft.http - conn " + id + ": GET /assert failed"), log);
            assertEquals(1, occurrences(log, "ERROR dev.weft.http - conn " + id + ": GET /overflow failed"), log);
            assertEquals(1, occurrences(log, "ERROR dev.weft.http - conn " + id + ": GET /linkage failed"), log);
            assertEquals(1, occurrences(log, "java.lang.AssertionError: invariant broken"), log);
            assertEquals(1, occurrences(log, "java.lang.StackOverflowError"), log);
            assertEquals(1, occurrences(log, "java.lang.NoClassDefFoundError: dev/weft/Missing"), log);
            assertFalse(log.contains("handler failed"), "not also logged as the connection's end: " + log);
        }
    }

    @Test
    void theJvmRunningOutOfMemoryIsNotAnsweredButEndsTheConnection() throws Exception {
        try (HttpServer server = HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress())
                .get("/oom", (req, res) -> {
                    throw new OutOfMemoryError("pretend the heap is gone");
                })
                .start();
             Raw c = new Raw(server.port())) {
            c.send("GET /oom HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(-1, c.in.read(), "closed without a response");
        }
        // The server has shut down: the connection's end was logged by then.
        assertEquals(1, occurrences(log(), "java.lang.OutOfMemoryError: pretend the heap is gone"), log());
    }

    @Test
    void theMapperAnswersFromAFresh500NotFromWhatTheHandlerSet() throws Exception {
        try (HttpServer server = HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress())
                .exceptionMapper((e, req, res) -> {
                    if (e instanceof IllegalArgumentException) {
                        res.status(422).send("mapped");
                    } else {
                        try (OutputStream out = res.outputStream()) { // no status set: the 500 it starts from
                            out.write("streamed".getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                })
                .get("/leaky/{what}", (req, res) -> {
                    res.status(201).header("X-Leak", "yes").contentType("application/json").contentLength(99);
                    throw req.pathParam("what").equals("iae") ? new IllegalArgumentException("bad")
                            : new IllegalStateException("worse");
                })
                .get("/ok", (req, res) -> res.send("ok"))
                .start();
             Raw c = new Raw(server.port())) {
            Raw.Reply mapped = c.send("GET /leaky/iae HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(422, mapped.status());
            assertEquals("mapped", mapped.text());
            assertNull(mapped.header("X-Leak"));
            assertEquals("text/plain; charset=utf-8", mapped.header("Content-Type"));
            assertEquals("6", mapped.header("Content-Length"));

            Raw.Reply streamed = c.send("GET /leaky/ise HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(500, streamed.status());
            assertEquals("streamed", streamed.text());
            assertNull(streamed.header("X-Leak"));
            assertNull(streamed.header("Content-Type"));
            assertEquals("chunked", streamed.header("Transfer-Encoding"), "not the handler's Content-Length: 99");
            assertNull(streamed.header("Connection"));

            assertEquals("ok", c.send("GET /ok HTTP/1.1\r\nHost: t\r\n\r\n").read().text(), "same connection");
        }
    }
}
