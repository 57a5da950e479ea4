package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ShutdownReport;
import dev.weft.http.internal.Jfr;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JFR events: recorded with a {@link Recording}, read back from the dump with
 * {@link RecordingFile}, fields asserted. The clients are the JDK's HttpClient and raw sockets.
 */
class FlightRecorderTest {

    @TempDir
    Path dir;

    private final List<Recording> recordings = new java.util.ArrayList<>();

    /** A failed test must not leave its recording on: the gate test expects none. */
    @AfterEach
    void closeRecordings() {
        recordings.forEach(Recording::close);
    }

    private Recording recording() {
        Recording r = new Recording();
        recordings.add(r);
        r.enable("dev.weft.HttpRequest").withoutThreshold();
        r.enable("dev.weft.Connection").withoutThreshold();
        r.enable("dev.weft.Shutdown").withoutThreshold();
        r.start();
        return r;
    }

    private List<RecordedEvent> stop(Recording r, String name) throws IOException {
        r.stop();
        Path file = dir.resolve("rec.jfr");
        r.dump(file);
        r.close();
        return RecordingFile.readAllEvents(file).stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    private static HttpServer.Builder server() {
        return HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).accessLog(false);
    }

    @Test
    void eachRequestIsAnEventWithRouteStatusBytesAndConnection() throws Exception {
        Recording r = recording();
        try (HttpServer server = server()
                .get("/hello/{name}", (req, res) -> res.send("hi " + req.pathParam("name")))
                .post("/echo", (req, res) -> res.send(req.bodyBytes()))
                .start()) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI base = URI.create("http://127.0.0.1:" + server.port());
            assertEquals("hi ann", client.send(HttpRequest.newBuilder(base.resolve("/hello/ann?x=1")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(404, client.send(HttpRequest.newBuilder(base.resolve("/nope")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(5, client.send(HttpRequest.newBuilder(base.resolve("/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("12345")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body().length);
            client.close();
        }
        List<RecordedEvent> events = stop(r, "dev.weft.HttpRequest");
        assertEquals(3, events.size(), events.toString());
        RecordedEvent hello = byPath(events, "/hello/ann");
        assertEquals("GET", hello.getString("method"));
        assertEquals("/hello/{name}", hello.getString("route"));
        assertEquals("/hello/ann", hello.getString("path"), "no query");
        assertEquals(200, hello.getInt("status"));
        assertEquals("complete", hello.getString("outcome"));
        assertEquals(6, hello.getLong("bytesOut"));
        assertEquals(0, hello.getLong("bytesIn"));
        assertTrue(hello.getLong("connectionId") > 0);
        assertFalse(hello.getDuration().isNegative());
        RecordedEvent notFound = byPath(events, "/nope");
        assertNull(notFound.getString("route"), "the raw path is not a route");
        assertEquals(404, notFound.getInt("status"));
        RecordedEvent echo = byPath(events, "/echo");
        assertEquals("/echo", echo.getString("route"));
        assertEquals(5, echo.getLong("bytesIn"));
        assertEquals(5, echo.getLong("bytesOut"));
    }

    @Test
    void aResetResponseIsRecordedAsAbortedWithWhatWasSentAndWhy() throws Exception {
        Recording r = recording();
        try (HttpServer server = server()
                .get("/cut", (req, res) -> {
                    OutputStream out = res.outputStream();
                    out.write("partial".getBytes(StandardCharsets.UTF_8));
                    out.flush(); // the head and 7 bytes are out: the failure can only reset
                    throw new IllegalStateException("failed mid-body");
                })
                .get("/boom", (req, res) -> {
                    throw new IllegalArgumentException("before any byte");
                })
                .start()) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI base = URI.create("http://127.0.0.1:" + server.port());
            assertThrows(IOException.class, () -> client.send(HttpRequest.newBuilder(base.resolve("/cut")).build(),
                    HttpResponse.BodyHandlers.ofString()));
            assertEquals(500, client.send(HttpRequest.newBuilder(base.resolve("/boom")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            client.close();
        }
        List<RecordedEvent> events = stop(r, "dev.weft.HttpRequest");
        RecordedEvent cut = events.stream().filter(e -> "/cut".equals(e.getString("route"))).findFirst().orElseThrow();
        assertEquals("aborted", cut.getString("outcome"));
        assertEquals(200, cut.getInt("status"), "the head that went out said 200");
        assertEquals(7, cut.getLong("bytesOut"));
        assertEquals(IllegalStateException.class.getName(), cut.getString("exception"));
        RecordedEvent boom = events.stream().filter(e -> "/boom".equals(e.getString("route"))).findFirst().orElseThrow();
        assertEquals("complete", boom.getString("outcome"));
        assertEquals(500, boom.getInt("status"));
        assertEquals(IllegalArgumentException.class.getName(), boom.getString("exception"));
    }

    @Test
    void connectionsSayHowManyRequestsTheyServedAndWhyTheyEnded() throws Exception {
        Recording r = recording();
        String eofPeer;
        String closePeer;
        String rejectedPeer;
        String abortedPeer;
        try (HttpServer server = server()
                .get("/", (req, res) -> res.send("ok"))
                .get("/cut", (req, res) -> {
                    res.outputStream().flush();
                    throw new IllegalStateException("after the head");
                })
                .start()) {
            try (Raw raw = new Raw(server.port())) {
                raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
                assertEquals(200, raw.read().status());
                raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
                assertEquals(200, raw.read().status());
                eofPeer = peer(raw);
            }
            try (Raw raw = new Raw(server.port())) {
                raw.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
                assertEquals(200, raw.read().status());
                closePeer = peer(raw);
            }
            try (Raw raw = new Raw(server.port())) {
                assertEquals(400, raw.send("GET / HTTP/1.1\nHost: t\n\n").read().status());
                rejectedPeer = peer(raw);
            }
            try (Raw raw = new Raw(server.port())) {
                raw.send("GET /cut HTTP/1.1\r\nHost: t\r\n\r\n");
                abortedPeer = peer(raw);
                assertTrue(raw.readToEnd().reset(), "the server reset the connection");
            }
        } // shutdown waits for every connection thread: all events are committed
        List<RecordedEvent> events = stop(r, "dev.weft.Connection");
        assertEnd(events, eofPeer, "eof", 2);
        assertEnd(events, closePeer, "close", 1);
        assertEnd(events, rejectedPeer, "rejected", 1);
        assertEnd(events, abortedPeer, "aborted", 1);
    }

    @Test
    void timeoutsSayWhichOneEndedTheConnection() throws Exception {
        Recording r = recording();
        String silentPeer;
        String idlePeer;
        try (HttpServer server = server()
                .headerTimeout(Duration.ofMillis(300))
                .idleTimeout(Duration.ofMillis(300))
                .get("/", (req, res) -> res.send("ok"))
                .start();
             Raw silent = new Raw(server.port());
             Raw idle = new Raw(server.port())) {
            silentPeer = peer(silent); // sends nothing at all: bounded by headerTimeout from accept
            idlePeer = peer(idle);
            idle.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(200, idle.read().status());
            // then quiet: bounded by idleTimeout; both ends are the server's, read as EOF here
            assertEquals(0, idle.readToEnd().bytes().length);
            silent.readToEnd();
        }
        List<RecordedEvent> events = stop(r, "dev.weft.Connection");
        assertEnd(events, silentPeer, "header-timeout", 0);
        assertEnd(events, idlePeer, "idle-timeout", 1);
    }

    @Test
    void idleConnectionsClosedByShutdownAndTheShutdownItself() throws Exception {
        Recording r = recording();
        String idlePeer;
        ShutdownReport report;
        HttpServer server = server().get("/", (req, res) -> res.send("ok")).start();
        try (Raw raw = new Raw(server.port())) {
            raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(200, raw.read().status());
            idlePeer = peer(raw);
            report = server.shutdown(Duration.ofSeconds(5));
        }
        List<RecordedEvent> connections = stop(r, "dev.weft.Connection");
        assertEnd(connections, idlePeer, "shutdown", 1);
        Path file = dir.resolve("rec.jfr");
        List<RecordedEvent> shutdowns = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.weft.Shutdown")).toList();
        assertEquals(1, shutdowns.size());
        RecordedEvent s = shutdowns.get(0);
        assertEquals(server.port(), s.getInt("port"));
        assertEquals(Duration.ofSeconds(5), s.getDuration("grace"));
        assertEquals(report.closedIdle(), s.getLong("closedIdle"));
        assertEquals(1, s.getLong("closedIdle"));
        assertEquals(0, s.getLong("forced"));
        assertEquals(report.completed(), s.getLong("completed"));
        assertFalse(s.getDuration("drain").isNegative());
        assertTrue(s.getDuration("stopAccepting").compareTo(s.getDuration("drain")) <= 0);
    }

    /**
     * What "zero cost when not recorded" rests on: with no recording, or with one that turns
     * these events off, the gate every event object is created behind says no. (That the code
     * creates nothing before asking it is what the request path's code shows; this test does
     * not count allocations.)
     */
    @Test
    void theGateIsClosedUnlessARecordingEnablesTheEvent() {
        assertFalse(Jfr.requests());
        assertFalse(Jfr.connections());
        // A recording enables every event it has no setting for (events are on by default): these say off.
        try (Recording other = new Recording()) {
            other.enable("jdk.ThreadSleep");
            other.disable("dev.weft.HttpRequest");
            other.disable("dev.weft.Connection");
            other.start();
            assertFalse(Jfr.requests(), "a recording that leaves it off does not open it");
            try (Recording ours = new Recording()) {
                ours.enable("dev.weft.HttpRequest");
                ours.disable("dev.weft.Connection");
                ours.start();
                assertTrue(Jfr.requests());
                assertFalse(Jfr.connections(), "per event type");
            }
            assertFalse(Jfr.requests(), "closed again when the recording ends");
        }
    }

    private static RecordedEvent byPath(List<RecordedEvent> events, String path) {
        return events.stream().filter(e -> path.equals(e.getString("path"))).findFirst()
                .orElseThrow(() -> new AssertionError("no event for " + path + " in " + events));
    }

    private static String peer(Raw raw) {
        return raw.socket.getLocalAddress().getHostAddress() + ":" + raw.socket.getLocalPort();
    }

    private static void assertEnd(List<RecordedEvent> events, String peer, String end, long requests) {
        RecordedEvent e = events.stream().filter(x -> peer.equals(x.getString("remoteAddress"))).findFirst()
                .orElseThrow(() -> new AssertionError("no event for " + peer + " in " + events));
        assertEquals(end, e.getString("end"), e.toString());
        assertEquals(requests, e.getLong("requests"), e.toString());
        assertTrue(e.getLong("connectionId") > 0);
    }
}
