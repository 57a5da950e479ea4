package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ShutdownReport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Server-Sent Events, read line by line by the JDK's HttpClient. */
class EventStreamTest {

    private static HttpServer.Builder builder() {
        return HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress());
    }

    private static HttpResponse<Stream<String>> get(HttpServer server, String path, String lastEventId) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (lastEventId != null) {
            r.header("Last-Event-ID", lastEventId);
        }
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofLines());
    }

    @Test
    void eventsAreFramedAsTheSpecSaysAndTheStreamEnds() throws Exception {
        try (HttpServer server = builder().get("/events", (req, res) -> {
            EventStream events = res.sse();
            events.send(ServerSentEvent.of("first\nsecond\r\nthird").withId("1").withEvent("multi"));
            events.send(ServerSentEvent.of("").withRetry(2500));
            events.send("resumed after " + events.lastEventId());
            events.comment("just a comment");
        }).start()) {
            HttpResponse<Stream<String>> r = get(server, "/events", "41");
            assertEquals(200, r.statusCode());
            assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());
            assertEquals("no-cache", r.headers().firstValue("cache-control").orElseThrow());
            assertEquals("chunked", r.headers().firstValue("transfer-encoding").orElseThrow());
            assertFalse(r.headers().firstValue("content-length").isPresent());
            List<String> lines = r.body().toList(); // ends: the handler returned, the chunked body ended
            assertEquals(List.of("id: 1", "event: multi", "data: first", "data: second", "data: third", "",
                    "retry: 2500", "data:", "", "data: resumed after 41", "", ": just a comment", ""), lines);
        }
    }

    @Test
    void aQuietStreamGetsHeartbeatsAndEachEventArrivesAtOnce() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (HttpServer server = builder().sseHeartbeat(Duration.ofMillis(100)).get("/events", (req, res) -> {
            EventStream events = res.sse();
            events.send("now");
            release.get(10, TimeUnit.SECONDS); // a quiet source: only heartbeats meanwhile
            events.send("later");
        }).start()) {
            Iterator<String> lines = get(server, "/events", null).body().iterator();
            assertEquals("data: now", lines.next(), "flushed at once, not held in a buffer");
            assertEquals("", lines.next());
            assertEquals(":", lines.next(), "a heartbeat while the handler is quiet");
            assertEquals("", lines.next());
            release.complete(null);
            String line;
            do {
                line = lines.next();
            } while (line.equals(":") || line.isEmpty());
            assertEquals("data: later", line);
        }
    }

    @Test
    void aGracefulShutdownEndsTheStreamCleanly() throws Exception {
        HttpServer server = builder().get("/events", (req, res) -> {
            EventStream events = res.sse();
            for (int i = 0; events.isOpen(); i++) {
                events.send("tick " + i);
                Thread.sleep(20); // an event source
            }
        }).start();
        Iterator<String> lines = get(server, "/events", null).body().iterator();
        assertEquals("data: tick 0", lines.next());
        ShutdownReport report = server.shutdown(Duration.ofSeconds(10));
        int more = 0;
        while (lines.hasNext()) { // no exception: the chunked body ended properly
            lines.next();
            more++;
        }
        assertTrue(more >= 1);
        assertEquals(0, report.forced(), report.toString());
    }

    @Test
    void eventFieldsCannotBreakTheFraming() {
        assertThrows(IllegalArgumentException.class, () -> ServerSentEvent.of("x").withId("a\nb"));
        assertThrows(IllegalArgumentException.class, () -> ServerSentEvent.of("x").withEvent("a\rb"));
        assertThrows(IllegalArgumentException.class, () -> ServerSentEvent.of(null));
    }
}
