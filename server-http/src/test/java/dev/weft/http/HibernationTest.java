package dev.weft.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ShutdownReport;
import dev.weft.testing.TestTls;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keep-alive connections that hibernate between requests (hibernateIdleAfter), seen from clients. */
class HibernationTest {

    private static HttpServer.Builder builder() {
        return HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .hibernateIdleAfter(Duration.ofMillis(50))
                .shutdownGrace(Duration.ofSeconds(2))
                .get("/plaintext", (req, res) -> res.contentType("text/plain").send("Hello, World!"))
                .post("/echo", (req, res) -> res.send(req.bodyBytes()));
    }

    private static void awaitHibernated(HttpServer server, long n) {
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().hibernated() == n);
    }

    @Test
    void aHibernatedRawConnectionServesTheNextRequestsPipelinedOrNot() throws Exception {
        try (HttpServer server = builder().start(); Raw raw = new Raw(server.port())) {
            assertEquals("Hello, World!", raw.send("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
            awaitHibernated(server, 1);
            assertEquals("Hello, World!", raw.send("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
            awaitHibernated(server, 1);
            // Three requests in one write wake it: each is answered, in order.
            raw.send("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde"
                    + "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("Hello, World!", raw.read().text());
            assertEquals("abcde", raw.read().text());
            assertEquals("Hello, World!", raw.read().text());
            awaitHibernated(server, 1);
            // A request whose head arrives in two parts, the first one waking the connection.
            raw.send("GET /plain");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().hibernated() == 0);
            raw.send("text HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("Hello, World!", raw.read().text());
            assertEquals(1, server.stats().accepted(), "one connection all along");
        }
    }

    /**
     * The dev.weft.Connection JFR event of a connection that hibernates: one per stint with a
     * thread, each but the last ending in "hibernated", each counting its own requests, so the
     * requests served after a wake are recorded too.
     */
    @Test
    void eachStintOfAHibernatingConnectionIsAConnectionEvent(@TempDir Path dir) throws Exception {
        try (jdk.jfr.Recording r = new jdk.jfr.Recording()) {
            r.enable("dev.weft.Connection").withoutThreshold();
            r.start();
            try (HttpServer server = builder().start()) {
                try (Raw raw = new Raw(server.port())) {
                    assertEquals("Hello, World!", raw.send("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
                    awaitHibernated(server, 1);
                    raw.send("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertEquals("Hello, World!", raw.read().text());
                    assertEquals("Hello, World!", raw.read().text());
                    awaitHibernated(server, 1);
                    raw.send("GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                    assertEquals("Hello, World!", raw.read().text());
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
            }
            r.stop();
            Path file = dir.resolve("stints.jfr");
            r.dump(file);
            java.util.List<jdk.jfr.consumer.RecordedEvent> events = jdk.jfr.consumer.RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("dev.weft.Connection"))
                    .sorted(java.util.Comparator.comparing(jdk.jfr.consumer.RecordedEvent::getStartTime)).toList();
            assertEquals(3, events.size(), events.toString());
            assertEquals(java.util.List.of(1L, 2L, 1L), events.stream().map(e -> e.getLong("requests")).toList());
            assertEquals(java.util.List.of("hibernated", "hibernated", "close"), events.stream().map(e -> e.getString("end")).toList());
            assertEquals(1, events.stream().map(e -> e.getLong("connectionId")).distinct().count(), "one connection");
        }
    }

    @Test
    void theJdkClientKeepsUsingAHibernatedConnection() throws Exception {
        try (HttpServer server = builder().start()) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/plaintext");
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("Hello, World!", r.body());
                awaitHibernated(server, 1);
            }
            HttpResponse<String> posted = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("body")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("body", posted.body());
            assertEquals(1, server.stats().accepted(), "the client reused its keep-alive connection");
        }
    }

    /** A client we did not write: curl, pausing between its transfers (--rate), reuses the hibernated connection. */
    @Test
    void curlReusesAHibernatedConnection() throws Exception {
        java.nio.file.Path curl = java.nio.file.Path.of("/usr/bin/curl");
        if (!java.nio.file.Files.isExecutable(curl)) {
            org.junit.jupiter.api.Assertions.assertNull(System.getenv("CI"), "CI must install curl (.ci/run does)");
            org.junit.jupiter.api.Assumptions.abort("no /usr/bin/curl on this machine");
        }
        try (HttpServer server = builder().start()) {
            String url = "http://127.0.0.1:" + server.port() + "/plaintext";
            // --rate 4/s: a transfer every 250 ms, each gap well past hibernateIdleAfter (50 ms).
            Process p = new ProcessBuilder(curl.toString(), "-sS", "--rate", "4/s", "--max-time", "20",
                    "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                    "-w", "%{http_code} %{num_connects}\\n", url, url, url).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertEquals("200 1\n200 0\n200 0\n", out, "one connection, reused twice");
            assertEquals(1, server.stats().accepted());
        }
    }

    @Test
    void shutdownClosesHibernatedConnectionsAsIdleAndCountsThem() throws Exception {
        HttpServer server = builder().start();
        try (Raw a = new Raw(server.port()); Raw b = new Raw(server.port())) {
            assertEquals(200, a.send("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
            assertEquals(200, b.send("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
            awaitHibernated(server, 2);
            ShutdownReport report = server.shutdown(Duration.ofSeconds(5));
            assertEquals(2, report.closedIdle(), report.toString());
            assertEquals(0, report.forced(), report.toString());
            assertTrue(a.closedByServer());
            assertTrue(b.closedByServer());
            assertEquals(0, server.stats().active());
            assertEquals(0, server.stats().hibernated());
        } finally {
            server.close();
        }
    }

    @Test
    void tlsConnectionsNeverHibernate(@TempDir Path dir) throws Exception {
        TestTls tls = TestTls.in(dir);
        try (HttpServer server = builder().tls(tls.server()).start()) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls.client()).build();
            URI uri = URI.create("https://localhost:" + server.port() + "/plaintext");
            assertEquals(200, client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            // An SSLSocket cannot wait on a selector: the connection keeps its thread, well past hibernateIdleAfter.
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> server.stats().hibernated() == 0 && server.stats().active() == 1);
            assertEquals("Hello, World!", client.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(1, server.stats().accepted());
        }
    }
}
