package dev.weft.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import dev.weft.testing.TestTls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every connection HTTP/2 takes over has its {@code dev.weft.Connection} JFR event, however it
 * came (ALPN, {@code Upgrade: h2c}, prior knowledge), and the event's {@code requests} counts its
 * streams: the JDK client and curl, clients we did not write.
 */
class ConnectionEventTest {

    @TempDir
    Path dir;

    private static HttpClient h2(HttpClient.Builder b) {
        return b.version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static List<RecordedEvent> connections(Recording r, Path file) throws Exception {
        r.stop();
        r.dump(file);
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.weft.Connection")).toList();
    }

    @Test
    void alpnConnectionsHaveTheEventAndCountTheirStreams() throws Exception {
        TestTls tls = TestTls.in(dir);
        try (Recording r = new Recording()) {
            r.enable("dev.weft.Connection").withoutThreshold();
            r.start();
            try (HttpServer server = Apps.builder(Http2Options.defaults()).tls(tls.server()).start()) {
                try (HttpClient client = h2(HttpClient.newBuilder().sslContext(tls.client()))) {
                    for (int i = 0; i < 3; i++) {
                        HttpResponse<String> res = client.send(HttpRequest.newBuilder(
                                URI.create("https://localhost:" + server.port() + "/hello")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        assertEquals(HttpClient.Version.HTTP_2, res.version());
                    }
                }
            } // closed: every connection has ended, its event committed
            List<RecordedEvent> events = connections(r, dir.resolve("alpn.jfr"));
            assertEquals(1, events.size(), events.toString());
            assertEquals(3, events.get(0).getLong("requests"));
            assertEquals("protocol-ended", events.get(0).getString("end"));
        }
    }

    @Test
    void upgradedAndPriorKnowledgeConnectionsCountTheirStreams() throws Exception {
        try (Recording r = new Recording()) {
            r.enable("dev.weft.Connection").withoutThreshold();
            r.start();
            try (HttpServer server = Apps.start()) {
                String base = "http://127.0.0.1:" + server.port();
                try (HttpClient client = h2(HttpClient.newBuilder())) {
                    for (int i = 0; i < 3; i++) { // the first by Upgrade: h2c, answered as stream 1
                        HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(base + "/hello")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        assertEquals(HttpClient.Version.HTTP_2, res.version());
                    }
                }
                if (Files.isExecutable(Path.of("/usr/bin/curl"))) {
                    Process p = new ProcessBuilder("/usr/bin/curl", "-sS", "--http2-prior-knowledge", base + "/hello")
                            .redirectErrorStream(true).start();
                    assertEquals("hello HTTP/2.0", new String(p.getInputStream().readAllBytes()));
                    assertTrue(p.waitFor(20, TimeUnit.SECONDS));
                }
            }
            List<RecordedEvent> events = connections(r, dir.resolve("h2c.jfr"));
            boolean curl = Files.isExecutable(Path.of("/usr/bin/curl"));
            assertEquals(curl ? 2 : 1, events.size(), events.toString());
            List<Long> requests = events.stream().map(e -> e.getLong("requests")).sorted().toList();
            assertEquals(curl ? List.of(1L, 3L) : List.of(3L), requests, "the upgrade's request counted once");
            events.forEach(e -> assertEquals("protocol-ended", e.getString("end")));
        }
    }
}
