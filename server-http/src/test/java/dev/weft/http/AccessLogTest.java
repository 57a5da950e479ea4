package dev.weft.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The access log: one INFO line per request on {@code dev.weft.http.access} (the surefire
 * configuration turns that logger on; slf4j-simple writes to whatever System.err is now).
 */
class AccessLogTest {

    @RegisterExtension
    final StderrCapture stderr = new StderrCapture();

    private String log() {
        return stderr.text();
    }

    @Test
    void oneLinePerRequestWithRemoteRequestLineStatusBytesAndTime() throws Exception {
        try (HttpServer server = HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress())
                .get("/hello/{name}", (req, res) -> res.send("hi " + req.pathParam("name")))
                .start();
             Raw raw = new Raw(server.port())) {
            raw.send("GET /hello/ann?x=1 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(200, raw.read().status());
            raw.send("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(404, raw.read().status());
            String local = raw.socket.getLocalAddress().getHostAddress() + ":" + raw.socket.getLocalPort();
            await().atMost(Duration.ofSeconds(5)).until(() -> log().contains("\"GET /nope HTTP/1.1\""));
            String[] lines = log().lines().filter(l -> l.contains("dev.weft.http.access")).toArray(String[]::new);
            assertEquals(2, lines.length, log());
            assertLine(lines[0], local, "\"GET /hello/ann HTTP/1.1\" 200 6 "); // the query is not logged by default
            assertLine(lines[1], local, "\"GET /nope HTTP/1.1\" 404 ");
        }
    }

    @Test
    void rejectedRequestsAndHeaderTimeoutsAreLoggedWithoutARequestLine() throws Exception {
        try (HttpServer server = HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress())
                .headerTimeout(Duration.ofMillis(300))
                .get("/", (req, res) -> res.send("never reached"))
                .start();
             Raw bad = new Raw(server.port());
             Raw slow = new Raw(server.port())) {
            Raw.Reply rejected = bad.send("GET / HTTP/1.1\nHost: t\n\n").read();
            assertEquals(400, rejected.status());
            slow.send("GET / HTTP/1.1\r\nHo"); // and nothing more: the head never completes
            Raw.Reply timedOut = slow.read();
            assertEquals(408, timedOut.status());
            await().atMost(Duration.ofSeconds(5)).until(() -> log().contains("\"-\" 408 "));
            String[] lines = log().lines().filter(l -> l.contains("dev.weft.http.access")).toArray(String[]::new);
            assertEquals(2, lines.length, log());
            assertLine(lines[0], address(bad), "\"-\" 400 " + rejected.body().length + " ");
            assertLine(lines[1], address(slow), "\"-\" 408 " + timedOut.body().length + " ");
            assertFalse(log().contains("never reached"), log());
        }
    }

    private static String address(Raw raw) {
        return raw.socket.getLocalAddress().getHostAddress() + ":" + raw.socket.getLocalPort();
    }

    @Test
    void offWhenTheBuilderSaysSo() throws Exception {
        try (HttpServer server = HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress())
                .accessLog(false)
                .get("/quiet", (req, res) -> res.send("shh"))
                .start();
             Raw raw = new Raw(server.port());
             Raw bad = new Raw(server.port())) {
            raw.send("GET /quiet HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            assertEquals(200, raw.read().status());
            assertEquals(400, bad.send("GET /quiet HTTP/1.1\nHost: t\n\n").read().status());
        }
        // The server has shut down: every request it served has finished, logged or not.
        assertFalse(log().contains("/quiet"), log());
        assertFalse(log().contains("dev.weft.http.access"), "nor the rejected one: " + log());
    }

    private static void assertLine(String line, String remote, String request) {
        assertTrue(line.contains(" INFO dev.weft.http.access - "), line);
        assertTrue(line.contains(remote), "remote address in " + line);
        assertTrue(line.contains(request), request + " in " + line);
        assertTrue(line.matches(".* \\d+ms$"), "duration in " + line);
    }
}
