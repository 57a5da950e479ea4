package dev.weft.http2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.Connection;
import dev.weft.http.HttpDispatcher;
import dev.weft.http.HttpProtocol;
import dev.weft.http.HttpServer;
import dev.weft.http.Request;
import dev.weft.http2.Http2;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each HTTP/2 stream is a {@code dev.weft.HttpRequest} event, with the fields HTTP/1.1's have
 * (server-http's FlightRecorderTest): recorded with a {@link Recording}, read back from the dump.
 */
class FlightRecorderTest {

    @TempDir
    Path dir;

    private final List<Recording> recordings = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    /** A failed test must not leave its recording on: the gate test expects none. */
    @AfterEach
    void closeRecordings() {
        release.countDown();
        recordings.forEach(Recording::close);
    }

    private Recording recording() {
        Recording r = new Recording();
        recordings.add(r);
        r.enable("dev.weft.HttpRequest").withoutThreshold();
        r.start();
        return r;
    }

    private List<RecordedEvent> stop(Recording r) throws IOException {
        r.stop();
        Path file = dir.resolve("rec.jfr");
        r.dump(file);
        r.close();
        return RecordingFile.readAllEvents(file).stream().filter(e -> e.getEventType().getName().equals("dev.weft.HttpRequest"))
                .toList();
    }

    /** Http2's protocol, which also hands the test the server's dispatcher. */
    private static final class Capturing implements HttpProtocol {
        final HttpProtocol h2 = Http2.protocol();
        final AtomicReference<HttpDispatcher> dispatcher = new AtomicReference<>();

        @Override
        public String alpnId() {
            return h2.alpnId();
        }

        @Override
        public byte[] preface() {
            return h2.preface();
        }

        @Override
        public String upgradeToken() {
            return h2.upgradeToken();
        }

        @Override
        public boolean acceptsUpgrade(Request request) {
            return h2.acceptsUpgrade(request);
        }

        @Override
        public void serve(Connection connection, Handoff handoff) throws Exception {
            dispatcher.set(handoff.dispatcher());
            h2.serve(connection, handoff);
        }
    }

    private HttpServer start(HttpProtocol protocol) {
        return HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false).protocol(protocol)
                .get("/hello/{name}", (req, res) -> res.send("hi " + req.pathParam("name")))
                .post("/echo", (req, res) -> res.send(req.bodyBytes()))
                .get("/boom", (req, res) -> {
                    throw new IllegalArgumentException("before any byte");
                })
                .get("/cut", (req, res) -> {
                    OutputStream out = res.outputStream();
                    out.write("partial".getBytes(StandardCharsets.UTF_8));
                    out.flush(); // the head and 7 bytes are out: the failure can only reset
                    throw new IllegalStateException("failed mid-body");
                })
                .get("/wait", (req, res) -> {
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                    res.send("too late");
                })
                .start();
    }

    @Test
    void eachStreamIsAnEventWithRouteStatusBytesOutcomeAndConnection() throws Exception {
        Recording r = recording();
        long connectionId;
        try (HttpServer server = start(Http2.protocol()); H2Raw c = H2Raw.open(server.port())) {
            c.get(1, "/hello/ann?token=secret");
            assertEquals("200 hi ann", c.response(1));
            c.get(3, "/nope");
            assertEquals("404 not found\n", c.response(3));
            c.headers(5, false, ":method", "POST", ":scheme", "http", ":path", "/echo", ":authority", "127.0.0.1");
            c.frame(H2Connection.DATA, H2Connection.END_STREAM, 5, "12345".getBytes(StandardCharsets.UTF_8));
            assertEquals("200 12345", c.response(5));
            c.get(7, "/boom");
            assertEquals("500 internal server error\n", c.response(7));
            c.get(9, "/cut");
            assertEquals("RST INTERNAL_ERROR", c.response(9));
            c.get(11, "/wait");
            c.frame(H2Connection.RST_STREAM, 0, 11, H2Raw.int32(0x8)); // CANCEL, before the handler answers
            c.sync();
            release.countDown();
            c.get(13, "/hello/last");
            assertEquals("200 hi last", c.response(13));
            c.drain(server); // every stream's thread has ended: every event is committed
        }
        List<RecordedEvent> events = stop(r);
        assertEquals(7, events.size(), events.toString());
        connectionId = byPath(events, "/hello/ann").getLong("connectionId");
        assertTrue(connectionId > 0);
        for (RecordedEvent e : events) {
            assertEquals(connectionId, e.getLong("connectionId"), "every stream of the one connection");
            assertFalse(e.getDuration().isNegative());
        }
        RecordedEvent hello = byPath(events, "/hello/ann");
        assertEquals("GET", hello.getString("method"));
        assertEquals("/hello/{name}", hello.getString("route"));
        assertEquals(200, hello.getInt("status"));
        assertEquals("complete", hello.getString("outcome"));
        assertEquals(6, hello.getLong("bytesOut"));
        assertEquals(0, hello.getLong("bytesIn"));
        assertNull(hello.getString("exception"));
        RecordedEvent notFound = byPath(events, "/nope");
        assertNull(notFound.getString("route"), "the raw path is not a route");
        assertEquals(404, notFound.getInt("status"));
        assertNull(notFound.getString("exception"), "a 4xx names no failure");
        RecordedEvent echo = byPath(events, "/echo");
        assertEquals("POST", echo.getString("method"));
        assertEquals("/echo", echo.getString("route"));
        assertEquals(5, echo.getLong("bytesIn"));
        assertEquals(5, echo.getLong("bytesOut"));
        RecordedEvent boom = byPath(events, "/boom");
        assertEquals("complete", boom.getString("outcome"));
        assertEquals(500, boom.getInt("status"));
        assertEquals(IllegalArgumentException.class.getName(), boom.getString("exception"));
        RecordedEvent cut = byPath(events, "/cut");
        assertEquals("aborted", cut.getString("outcome"));
        assertEquals(200, cut.getInt("status"), "the head that went out said 200");
        assertEquals(7, cut.getLong("bytesOut"));
        assertEquals(IllegalStateException.class.getName(), cut.getString("exception"));
        RecordedEvent cancelled = byPath(events, "/wait");
        assertEquals("aborted", cancelled.getString("outcome"));
        assertEquals(0, cancelled.getInt("status"), "no head went out");
        assertEquals(0, cancelled.getLong("bytesOut"));
        assertEquals(IOException.class.getName(), cancelled.getString("exception"), "the reset the write met");
    }

    /** Zero cost when not recorded: without a recording that takes the event, no event object exists. */
    @Test
    void noEventUnlessARecordingTakesIt() throws Exception {
        Capturing protocol = new Capturing();
        try (HttpServer server = start(protocol); H2Raw c = H2Raw.open(server.port())) {
            c.get(1, "/hello/ann");
            assertEquals("200 hi ann", c.response(1));
            HttpDispatcher dispatcher = protocol.dispatcher.get();
            assertNull(dispatcher.beginRequestEvent(), "no recording");
            // A recording enables every event it has no setting for (events are on by default): this one says off.
            Recording other = new Recording();
            recordings.add(other);
            other.enable("jdk.ThreadSleep");
            other.disable("dev.weft.HttpRequest");
            other.start();
            assertNull(dispatcher.beginRequestEvent(), "a recording that leaves it off");
            recording();
            assertNotNull(dispatcher.beginRequestEvent(), "a recording that takes it");
        }
    }

    private static RecordedEvent byPath(List<RecordedEvent> events, String path) {
        return events.stream().filter(e -> path.equals(e.getString("path"))).findFirst()
                .orElseThrow(() -> new AssertionError("no event for " + path + " in " + events));
    }
}
