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

    @Test
    void commonAndCombinedLogFormatsWithTheQueryOnlyWhenAllowed() throws Exception {
        try (HttpServer common = HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress())
                .accessLog(AccessLogFormat.COMMON)
                .get("/a", (req, res) -> res.send("abc"))
                .get("/empty", (req, res) -> res.status(204).send())
                .start();
             HttpServer combined = HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress())
                .accessLog(AccessLogFormat.COMBINED).accessLogQuery(true)
                .get("/b", (req, res) -> res.send("abcd"))
                .start();
             Raw a = new Raw(common.port());
             Raw b = new Raw(combined.port())) {
            a.send("GET /a?secret=1 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(200, a.read().status());
            a.send("GET /empty HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(204, a.read().status());
            b.send("GET /b?q=x HTTP/1.1\r\nHost: t\r\nReferer: http://r/\r\nUser-Agent: say \"hi\"\r\n\r\n");
            assertEquals(200, b.read().status());
            b.send("GET /b HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(200, b.read().status());
            await().atMost(Duration.ofSeconds(5)).until(() -> accessLines().length == 4);
            String[] lines = accessLines();
            String clf = "^127\\.0\\.0\\.1 - - \\[\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000\\] ";
            assertTrue(message(lines, "/a ").matches(clf + "\"GET /a HTTP/1\\.1\" 200 3$"), message(lines, "/a "));
            assertTrue(message(lines, "/empty").matches(clf + "\"GET /empty HTTP/1\\.1\" 204 -$"), "no bytes is -");
            assertTrue(message(lines, "/b?q=x").matches(clf
                    + "\"GET /b\\?q=x HTTP/1\\.1\" 200 4 \"http://r/\" \"say \\\\\"hi\\\\\"\"$"), message(lines, "/b?q=x"));
            assertTrue(message(lines, "/b ").matches(clf + "\"GET /b HTTP/1\\.1\" 200 4 \"-\" \"-\"$"), message(lines, "/b "));
            assertFalse(log().contains("secret"), log());
        }
    }

    @Test
    void aResetResponseIsLoggedWithWhatReallyWentOut() throws Exception {
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        try (HttpServer server = HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress())
                .get("/cut", (req, res) -> {
                    java.io.OutputStream out = res.outputStream();
                    out.write("partial".getBytes(StandardCharsets.UTF_8));
                    out.flush(); // the head and 7 bytes are out: the failure can only reset
                    throw new IllegalStateException("failed mid-body");
                })
                .post("/gone", (req, res) -> {
                    reading.countDown();
                    req.bodyBytes(); // the client resets while this waits for the rest of the body
                    res.send("never");
                })
                .start();
             Raw cut = new Raw(server.port());
             Raw gone = new Raw(server.port())) {
            cut.send("GET /cut HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(cut.readToEnd().reset());
            gone.send("POST /gone HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12345");
            assertTrue(reading.await(5, java.util.concurrent.TimeUnit.SECONDS));
            gone.socket.setSoLinger(true, 0);
            gone.socket.close(); // RST: the server never sent a byte for this request
            await().atMost(Duration.ofSeconds(5)).until(() -> accessLines().length == 2);
            String[] lines = accessLines();
            assertTrue(message(lines, "/cut").endsWith("\"GET /cut HTTP/1.1\" 200 7 " + millis(lines, "/cut") + "ms aborted"),
                    message(lines, "/cut"));
            assertTrue(message(lines, "/gone").endsWith("\"POST /gone HTTP/1.1\" - 0 " + millis(lines, "/gone") + "ms aborted"),
                    "no status went out, not the default 200: " + message(lines, "/gone"));
        }
    }

    private String[] accessLines() {
        return log().lines().filter(l -> l.contains("dev.weft.http.access")).toArray(String[]::new);
    }

    /** The line's message, after slf4j-simple's "[thread] INFO logger - ". */
    private static String message(String[] lines, String needle) {
        for (String l : lines) {
            if (l.contains(needle)) {
                return l.substring(l.indexOf(" - ") + 3);
            }
        }
        throw new AssertionError("no line with " + needle + " in " + String.join("\n", lines));
    }

    private static String millis(String[] lines, String needle) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" (\\d+)ms").matcher(message(lines, needle));
        return m.find() ? m.group(1) : "?";
    }

    private static void assertLine(String line, String remote, String request) {
        assertTrue(line.contains(" INFO dev.weft.http.access - "), line);
        assertTrue(line.contains(remote), "remote address in " + line);
        assertTrue(line.contains(request), request + " in " + line);
        assertTrue(line.matches(".* \\d+ms$"), "duration in " + line);
    }
}
