package dev.weft.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ShutdownReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The drain delay: a shutdown first goes on accepting and serving (readiness 503, every response
 * {@code Connection: close}, idle connections left open), then drains as without one.
 */
class DrainDelayTest {

    /** Long enough for the steps below on a loaded machine; the test waits for its end, not a sleep. */
    private static final Duration DELAY = Duration.ofSeconds(3);

    @Test
    void duringTheDelayNewConnectionsAreServedWithConnectionCloseThenTheListenerClosesAndInFlightWorkFinishes() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.builder()
                .bindAddress(java.net.InetAddress.getLoopbackAddress())
                .drainDelay(DELAY)
                .shutdownGrace(Duration.ofSeconds(5))
                .get("/plain", (req, res) -> res.send("ok"))
                .get("/health", (req, res) -> {
                    if (req.serverDraining()) {
                        res.status(503).send("draining");
                    } else {
                        res.send("ready");
                    }
                })
                .get("/work", (req, res) -> {
                    started.countDown();
                    release.await(20, TimeUnit.SECONDS);
                    res.send("done");
                })
                .start();
        try (Raw before = new Raw(server.port()); Raw busy = new Raw(server.port())) {
            Raw.Reply r = before.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals("ready", r.text());
            assertNull(r.header("Connection"), "keep-alive before the shutdown");
            busy.send("GET /work HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(started.await(5, TimeUnit.SECONDS));

            long begun = System.nanoTime();
            CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> server.shutdown());
            await().atMost(Duration.ofSeconds(2)).until(server::isDraining);

            // During the delay: readiness says 503 at once, on a connection accepted now.
            try (Raw probe = new Raw(server.port()); Raw fresh = new Raw(server.port()); Raw quiet = new Raw(server.port())) {
                Raw.Reply health = probe.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n").read();
                assertEquals(503, health.status());
                assertEquals("draining", health.text());
                assertEquals("close", health.header("Connection"));
                assertTrue(probe.closedByServer());

                Raw.Reply plain = fresh.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n").read();
                assertEquals(200, plain.status(), "a connection accepted during the delay is served");
                assertEquals("ok", plain.text());
                assertEquals("close", plain.header("Connection"), "and asked to move");
                assertTrue(fresh.closedByServer());

                // The keep-alive connection that was idle when the shutdown began is still open:
                // its next request is served, with Connection: close.
                Raw.Reply again = before.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n").read();
                assertEquals(200, again.status());
                assertEquals("close", again.header("Connection"));
                assertTrue(before.closedByServer());
                assertTrue(System.nanoTime() - begun < DELAY.toNanos(), "the steps above ran within the delay");
                assertFalse(report.isDone());

                // After the delay: the listener closes, and the request in flight is still answered.
                // So is the first request of a connection accepted during the delay that had not
                // sent it yet: its client connected to send one (closing it as idle would reset it).
                await().atMost(DELAY.plusSeconds(5)).until(() -> refused(server.port()));
                assertTrue(System.nanoTime() - begun >= DELAY.toNanos());
                Raw.Reply late = quiet.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n").read();
                assertEquals(200, late.status());
                assertEquals("close", late.header("Connection"));
                assertTrue(quiet.closedByServer());
                assertFalse(report.isDone(), "the busy request holds the drain");
                release.countDown();
                Raw.Reply done = busy.read();
                assertEquals(200, done.status());
                assertEquals("done", done.text());
                assertEquals("close", done.header("Connection"));
                assertTrue(busy.closedByServer());
            }

            ShutdownReport rep = report.get(10, TimeUnit.SECONDS);
            // busy and quiet; a refused() attempt that got in just before the close may count too.
            assertTrue(rep.completed() >= 2, rep.toString());
            assertEquals(0, rep.forced(), rep.toString());
            assertTrue(rep.drainDelay().compareTo(DELAY) >= 0, rep.toString());
            assertTrue(rep.elapsed().compareTo(rep.drainDelay()) > 0, rep.toString());
            // probe, fresh and quiet; a refused() attempt that got in before the close counts too.
            assertTrue(rep.acceptedDuringDelay() >= 3, rep.toString());
        }
    }

    @Test
    void withoutADelayTheListenerClosesAtOnceAndTheReportSaysNoDelay() throws Exception {
        HttpServer server = HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress())
                .get("/plain", (req, res) -> res.send("ok")).start();
        try (Raw idle = new Raw(server.port())) {
            assertEquals("ok", idle.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
            ShutdownReport rep = server.shutdown(Duration.ofSeconds(2));
            assertTrue(idle.closedByServer());
            assertTrue(refused(server.port()));
            assertEquals(Duration.ZERO, rep.drainDelay());
            assertEquals(0, rep.acceptedDuringDelay());
            assertEquals(1, rep.closedIdle(), rep.toString());
        }
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
