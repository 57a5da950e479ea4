package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.internal.Violation;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Header, idle and body read timeouts, with short configured values. */
class TimeoutTest {

    HttpServer server;

    @BeforeEach
    void start() {
        server = HttpServer.builder()
                .headerTimeout(Duration.ofMillis(400))
                .idleTimeout(Duration.ofMillis(300))
                .readTimeout(Duration.ofMillis(300))
                .get("/", (req, res) -> res.send("ok"))
                .post("/", (req, res) -> res.send(req.bodyBytes()))
                .start();
    }

    @AfterEach
    void stop() {
        server.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void incompleteHeadGets408ThenClose() throws Exception {
        try (Raw c = new Raw(server.port())) {
            long t0 = System.nanoTime();
            Raw.Reply r = c.send("GET / HTTP/1.1\r\nHost: t\r\n").read();
            assertEquals(408, r.status());
            assertEquals(Violation.HEADER_TIMEOUT.reason() + "\n", r.text());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
            assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(3)) < 0);
        }
    }

    @Test
    void clientDribblingBytesCannotHoldTheConnection() throws Exception {
        try (Raw c = new Raw(server.port())) {
            // One byte every 100 ms: each read is well inside readTimeout, the whole head is not.
            Thread dribbler = Thread.ofVirtual().start(() -> {
                byte[] head = Raw.bytes("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: " + "s".repeat(100) + "\r\n\r\n");
                for (byte b : head) {
                    try {
                        c.out.write(b);
                        c.out.flush();
                        Thread.sleep(100); // plays a slow peer
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            });
            Raw.Reply r = c.read();
            assertEquals(408, r.status());
            assertTrue(c.closedByServer());
            dribbler.interrupt();
            dribbler.join(2000);
        }
    }

    @Test
    void idleKeepAliveConnectionClosedQuietly() throws Exception {
        try (Raw c = new Raw(server.port())) {
            assertEquals("ok", c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
            long t0 = System.nanoTime();
            assertTrue(c.closedByServer(), "closed with no bytes after idleTimeout");
            assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(3)) < 0);
        }
    }

    @Test
    void connectionThatNeverSendsARequestIsClosedAtIdleTimeout() throws Exception {
        try (Raw c = new Raw(server.port())) {
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void stalledBodyGets408() throws Exception {
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhalf!").read();
            assertEquals(408, r.status());
            assertTrue(c.closedByServer());
        }
    }
}
