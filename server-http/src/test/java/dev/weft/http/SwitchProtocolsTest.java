package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ShutdownReport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A handler hands the connection to another protocol after a 101 (RFC 9110 §7.8). */
class SwitchProtocolsTest {

    @RegisterExtension
    final StderrCapture stderr = new StderrCapture();

    /** A toy protocol: echoes lines, upper-cased, until "bye". */
    private static HttpServer start() {
        return HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress())
                .get("/up", (req, res) -> {
                    if (!"shout".equals(req.header("Upgrade"))) {
                        throw new HttpException(426, "upgrade to shout");
                    }
                    res.header("X-Hello", "1");
                    res.switchProtocols("shout", conn -> {
                        while (true) {
                            String line = conn.in().readLine(1024);
                            if (line == null || line.equals("bye")) {
                                return;
                            }
                            conn.out().write((line.toUpperCase() + "\n").getBytes(StandardCharsets.US_ASCII));
                            conn.out().flush();
                        }
                    });
                })
                .start();
    }

    @Test
    void afterThe101TheConnectionSpeaksTheOtherProtocolBytesAlreadySentIncluded() throws Exception {
        try (HttpServer server = start(); Raw c = new Raw(server.port())) {
            // The first line of the new protocol travels in the same write as the request.
            Raw.Reply r = c.send("GET /up HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: shout\r\n\r\nhello\n").read(true);
            assertEquals(101, r.status());
            assertEquals("Upgrade", r.header("Connection"));
            assertEquals("shout", r.header("Upgrade"));
            assertEquals("1", r.header("X-Hello"));
            assertEquals(null, r.header("Content-Length"));
            assertEquals("HELLO\n", new String(c.in.readNBytes(6), StandardCharsets.US_ASCII));
            c.send("again\n");
            assertEquals("AGAIN\n", new String(c.in.readNBytes(6), StandardCharsets.US_ASCII));
            c.send("bye\n");
            assertTrue(c.closedByServer(), "the protocol ended: the connection closes, no HTTP keep-alive");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> stderr.text().contains("\"GET /up HTTP/1.1\" 101"));
        }
    }

    @Test
    void aRefusedUpgradeIsAnOrdinaryHttpAnswer() throws Exception {
        try (HttpServer server = start(); Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("GET /up HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(426, r.status());
            assertEquals(426, c.send("GET /up HTTP/1.1\r\nHost: t\r\nUpgrade: other\r\n\r\n").read().status(), "kept alive");
            assertEquals(500, c.send("GET /up HTTP/1.0\r\nUpgrade: shout\r\n\r\n").read().status(),
                    "HTTP/1.0 cannot switch");
        }
    }

    @Test
    void aTakenOverConnectionIsBusyForShutdownAndClosedAtTheGrace() throws Exception {
        HttpServer server = start();
        try (Raw c = new Raw(server.port())) {
            assertEquals(101, c.send("GET /up HTTP/1.1\r\nHost: t\r\nUpgrade: shout\r\n\r\n").read(true).status());
            ShutdownReport report = server.shutdown(Duration.ofMillis(300));
            assertEquals(1, report.forced(), report.toString());
            assertTrue(c.closedByServer());
        }
    }
}
