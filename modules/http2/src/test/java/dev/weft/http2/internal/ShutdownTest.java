package dev.weft.http2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ShutdownReport;
import dev.weft.http.HttpServer;
import dev.weft.http2.Http2;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Graceful shutdown (RFC 9113 §6.8): GOAWAY with the last stream, in-flight streams finish, then the close. */
class ShutdownTest {

    @Test
    void goAwayThenInFlightStreamsFinishThenClose() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .protocol(Http2.protocol())
                .get("/wait", (req, res) -> {
                    inHandler.countDown();
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                    res.send("finished while draining: " + req.serverDraining());
                })
                .get("/hello", (req, res) -> res.send("hello"))
                .start();
        try (H2Raw c = H2Raw.open(server.port())) {
            c.get(1, "/hello");
            assertEquals("200 hello", c.response(1));
            c.get(3, "/wait");
            assertTrue(inHandler.await(5, TimeUnit.SECONDS));
            CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(10)));
            H2Raw.Frame goAway = c.until(H2Connection.GOAWAY, 0);
            assertEquals(3, H2Connection.int31(goAway.payload(), 0), "the last stream id");
            assertEquals("NO_ERROR", H2Error.name(goAway.code()));
            // A stream opened after the GOAWAY is not served.
            c.get(5, "/hello");
            H2Raw.Frame refused = c.until(H2Connection.RST_STREAM, 5);
            assertEquals("REFUSED_STREAM", H2Error.name(refused.code()));
            release.countDown();
            assertEquals("200 finished while draining: true", c.response(3));
            H2Raw.Frame last = c.until(H2Connection.GOAWAY, 0);
            assertEquals("NO_ERROR", H2Error.name(last.code()));
            c.socket.shutdownOutput(); // the client closes its side, as clients do after the final GOAWAY
            assertTrue(c.closed());
            ShutdownReport r = report.get(10, TimeUnit.SECONDS);
            assertEquals(0, r.forced(), r.toString());
            assertEquals(1, r.completed(), r.toString());
            assertEquals(1, r.streamsCompleted(), "stream 3 was in flight and finished: " + r);
            assertEquals(0, r.streamsReset(), "stream 5 was refused, never in flight: " + r);
        } finally {
            release.countDown();
            server.close();
        }
    }

    /** The report counts the streams in flight when the drain began: finished, reset by the client, cut by the forced close. */
    @Test
    void theReportCountsStreamsCompletedAndReset() throws Exception {
        CountDownLatch inHandlers = new CountDownLatch(3);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        HttpServer server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .protocol(Http2.protocol())
                .get("/wait", (req, res) -> {
                    inHandlers.countDown();
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                    res.send("done");
                })
                .get("/stuck", (req, res) -> {
                    inHandlers.countDown();
                    never.await(); // plays a handler that ignores the shutdown: only the forced close ends its stream
                })
                .start();
        try (H2Raw c = H2Raw.open(server.port());
                H2Raw stuck = H2Raw.open(server.port())) {
            c.get(1, "/wait");
            c.get(3, "/wait");
            stuck.get(1, "/stuck");
            assertTrue(inHandlers.await(5, TimeUnit.SECONDS));
            CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofMillis(1500)));
            assertEquals("NO_ERROR", H2Error.name(c.until(H2Connection.GOAWAY, 0).code()));
            c.frame(H2Connection.RST_STREAM, 0, 3, H2Raw.int32(0x8)); // the client gives up on stream 3 during the drain
            c.sync();
            release.countDown();
            assertEquals("200 done", c.response(1));
            assertEquals("NO_ERROR", H2Error.name(c.until(H2Connection.GOAWAY, 0).code()), "the final GOAWAY");
            c.socket.shutdownOutput();
            assertTrue(c.closed());
            ShutdownReport r = report.get(10, TimeUnit.SECONDS);
            assertEquals(1, r.completed(), r.toString());
            assertEquals(1, r.forced(), "the connection of the stuck stream: " + r);
            assertEquals(1, r.streamsCompleted(), "stream 1: " + r);
            assertEquals(2, r.streamsReset(), "stream 3 reset by its client, the stuck one cut by the forced close: " + r);
        } finally {
            release.countDown();
            never.countDown();
            server.close();
        }
    }

    @Test
    void anIdleConnectionGetsGoAwayAndCloses() throws Exception {
        HttpServer server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .protocol(Http2.protocol()).get("/hello", (req, res) -> res.send("hello")).start();
        try (H2Raw c = H2Raw.open(server.port())) {
            c.get(1, "/hello");
            assertEquals("200 hello", c.response(1));
            CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(10)));
            assertEquals("NO_ERROR", H2Error.name(c.goAway()));
            c.socket.shutdownOutput();
            assertTrue(c.closed());
            assertEquals(0, report.get(10, TimeUnit.SECONDS).forced());
        } finally {
            server.close();
        }
    }

    /** As over HTTP/1.1: a graceful shutdown ends an event stream cleanly, and the handler's next send fails quietly. */
    @Test
    void anEventStreamEndsCleanlyOnShutdown() throws Exception {
        CountDownLatch streaming = new CountDownLatch(1);
        HttpServer server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .protocol(Http2.protocol())
                .get("/events", (req, res) -> {
                    dev.weft.http.EventStream events = res.sse();
                    events.send("first");
                    streaming.countDown();
                    while (events.isOpen()) {
                        events.comment("still here");
                        Thread.sleep(20); // plays a source of events that produces one now and then
                    }
                })
                .start();
        try (H2Raw c = H2Raw.open(server.port())) {
            c.get(1, "/events");
            assertTrue(streaming.await(5, TimeUnit.SECONDS));
            CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(10)));
            String response = c.response(1);
            assertTrue(response.startsWith("200 data: first\n\n"), response);
            assertEquals("NO_ERROR", H2Error.name(c.goAway()));
            c.socket.shutdownOutput();
            assertTrue(c.closed());
            assertEquals(0, report.get(10, TimeUnit.SECONDS).forced());
        } finally {
            server.close();
        }
    }
}
