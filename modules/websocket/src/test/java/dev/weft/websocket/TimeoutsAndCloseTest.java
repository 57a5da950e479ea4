package dev.weft.websocket;

import static dev.weft.websocket.WsRaw.frame;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Keep-alive pings, the idle timeout, who bounds a wait between frames, and the close handshake's bounds. */
class TimeoutsAndCloseTest {

    @Test
    void aSilentClientIsPingedThenClosedWithGoingAway() throws Exception {
        WebSocketOptions o = WebSocketOptions.defaults().withPingInterval(Duration.ofMillis(200)).withIdleTimeout(Duration.ofMillis(800));
        try (HttpServer server = Servers.echoServer(o); WsRaw c = WsRaw.open(server.port(), "/echo", "")) {
            WsRaw.Frame ping = c.read();
            assertEquals(9, ping.opcode(), "a keep-alive ping after pingInterval of silence");
            WsRaw.Frame close;
            int pings = 1;
            while ((close = c.read()).opcode() == 9) { // one each pingInterval of silence; none is answered
                pings++;
            }
            assertEquals(8, close.opcode());
            assertEquals(1001, close.closeCode());
            assertEquals("idle timeout", new String(close.payload(), 2, close.payload().length - 2));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aClientThatAnswersPingsStaysPastTheIdleTimeout() throws Exception {
        WebSocketOptions o = WebSocketOptions.defaults().withPingInterval(Duration.ofMillis(100)).withIdleTimeout(Duration.ofMillis(400));
        try (HttpServer server = Servers.echoServer(o); WsRaw c = WsRaw.open(server.port(), "/echo", "")) {
            long end = System.nanoTime() + Duration.ofMillis(1200).toNanos();
            int pings = 0;
            while (System.nanoTime() < end) {
                WsRaw.Frame f = c.read();
                assertEquals(9, f.opcode());
                pings++;
                c.send(frame(0x8A, f.payload())); // the pong
            }
            assertTrue(pings >= 3, "pinged " + pings + " times");
            c.send(frame(0x81, "still here"));
            WsRaw.Frame f;
            do {
                f = c.read();
            } while (f.opcode() == 9);
            assertEquals("still here", f.text());
        }
    }

    @Test
    void betweenFramesTheConnectionIsIdleSoTheServersReadTimeoutDoesNotCutAQuietSession() throws Exception {
        // readTimeout bounds reads of a busy connection; between frames the session is idle (idleTimeout).
        try (HttpServer server = Servers.builder().readTimeout(Duration.ofMillis(200)).idleTimeout(Duration.ofSeconds(10))
                .get("/echo", WebSocket.endpoint(WebSocketOptions.defaults().withPingInterval(Duration.ZERO), Servers::echo)).start();
             WsRaw c = WsRaw.open(server.port(), "/echo", "")) {
            Thread.sleep(800); // a quiet client, four read timeouts long
            c.send(frame(0x81, "late"));
            assertEquals("late", c.read().text());
        }
    }

    @Test
    void theServersIdleTimeoutBoundsAWaitForAFrame() throws Exception {
        try (HttpServer server = Servers.builder().idleTimeout(Duration.ofMillis(300))
                .get("/echo", WebSocket.endpoint(WebSocketOptions.defaults().withPingInterval(Duration.ZERO), Servers::echo)).start();
             WsRaw c = WsRaw.open(server.port(), "/echo", "")) {
            WsRaw.Frame close = c.read();
            assertEquals(1001, close.closeCode());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void closeFromAnotherThreadWhileTheEndpointReceivesCompletesTheHandshake() throws Exception {
        AtomicReference<WebSocketSession> session = new AtomicReference<>();
        AtomicReference<CloseStatus> status = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        try (HttpServer server = Servers.builder().get("/ws", WebSocket.endpoint(s -> {
            session.set(s);
            while (s.receive() != null) {
                // until closed
            }
            status.set(s.closeStatus());
            done.countDown();
        })).start(); WsRaw c = WsRaw.open(server.port(), "/ws", "")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> session.get() != null);
            Thread closer = Thread.ofVirtual().start(() -> session.get().close(4000, "from elsewhere"));
            WsRaw.Frame f = c.read();
            assertEquals(4000, f.closeCode());
            c.send(WsRaw.close(4000, ""));
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertEquals(new CloseStatus(4000, "from elsewhere"), status.get(), "we closed first: our code");
            assertTrue(closer.join(Duration.ofSeconds(5)), "close() returned once the client answered");
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void afterItsCloseTheServerWaitsAtMostCloseTimeoutForTheClients() throws Exception {
        WebSocketOptions o = WebSocketOptions.defaults().withCloseTimeout(Duration.ofMillis(300));
        try (HttpServer server = Servers.builder().get("/ws", WebSocket.endpoint(o, s -> s.close(1000, "bye"))).start();
             WsRaw c = WsRaw.open(server.port(), "/ws", "")) {
            assertEquals(1000, c.read().closeCode());
            c.send(frame(0x81, "data after the close is dropped"));
            assertTrue(c.closedByServer(), "no close from the client: TCP closed after closeTimeout");
        }
    }

    @Test
    void sendsFromManyThreadsNeverInterleaveFrames() throws Exception {
        int threads = 8;
        int each = 200;
        try (HttpServer server = Servers.builder().get("/ws", WebSocket.endpoint(
                WebSocketOptions.defaults().withCompression(false).withFragmentBytes(700), s -> {
                    Thread[] ts = new Thread[threads];
                    for (int t = 0; t < threads; t++) {
                        int id = t;
                        ts[t] = Thread.ofVirtual().start(() -> {
                            try {
                                for (int i = 0; i < each; i++) {
                                    if (i % 10 == 0) {
                                        try (java.io.Writer w = s.sendTextStream()) { // fragments of one message stay together
                                            w.write((id + ":" + i + ":").repeat(300));
                                        }
                                    } else {
                                        s.send(id + ":" + i);
                                    }
                                    if (i % 50 == 0) {
                                        s.ping(new byte[] {(byte) id});
                                    }
                                }
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                    }
                    for (Thread t : ts) {
                        t.join();
                    }
                    s.receive();
                })).start(); WsRaw c = WsRaw.open(server.port(), "/ws", "")) {
            Set<String> got = new HashSet<>();
            StringBuilder fragments = new StringBuilder();
            while (got.size() < threads * each) {
                WsRaw.Frame f = c.read();
                if (f.opcode() == 9) {
                    continue;
                }
                if (f.opcode() == 1 && f.fin()) {
                    got.add(f.text());
                } else {
                    assertTrue(f.opcode() == (fragments.length() == 0 ? 1 : 0), "a fragment sequence is never interrupted by another message");
                    fragments.append(f.text());
                    if (f.fin()) {
                        String m = fragments.toString();
                        String unit = m.substring(0, m.indexOf(':', m.indexOf(':') + 1) + 1);
                        assertEquals(unit.repeat(300), m);
                        got.add(m);
                        fragments.setLength(0);
                    }
                }
            }
            assertEquals(threads * each, got.size());
        }
    }
    @Test
    void sendingOnAClosedSessionIsAnIOExceptionAlsoWithCompressionAndFromOtherThreads() throws Exception {
        AtomicReference<Throwable> after = new AtomicReference<>();
        AtomicReference<Throwable> streamAfter = new AtomicReference<>();
        AtomicReference<WebSocketSession> session = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        try (HttpServer server = Servers.builder().get("/ws", WebSocket.endpoint(s -> {
            session.set(s);
            while (s.receive() != null) {
                // until the client closes
            }
            try {
                s.send("too late");
            } catch (Throwable e) {
                after.set(e);
            }
            try {
                s.sendStream();
            } catch (Throwable e) {
                streamAfter.set(e);
            }
            done.countDown();
        })).start(); WsRaw c = WsRaw.open(server.port(), "/ws", "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            assertEquals("permessage-deflate", c.header("Sec-WebSocket-Extensions"));
            c.send(WsRaw.close(1000, ""));
            assertEquals(1000, c.read().closeCode());
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertTrue(after.get() instanceof java.io.IOException, String.valueOf(after.get()));
            assertTrue(streamAfter.get() instanceof java.io.IOException, String.valueOf(streamAfter.get()));
            // Once the connection is gone entirely (its compressor released), another thread's send.
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
            assertThrows(java.io.IOException.class, () -> session.get().send("much too late"));
            assertThrows(java.io.IOException.class, () -> session.get().send(new byte[10]));
        }
    }

    @Test
    void aStreamedReceiveThatMeetsAViolationFailsTheReadAndClosesWithTheCode() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<CloseStatus> status = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        try (HttpServer server = Servers.builder().get("/ws", WebSocket.endpoint(s -> {
            IncomingMessage m = s.receiveStream();
            try {
                m.reader().read(new char[100]);
                m.reader().read(new char[100]);
            } catch (java.io.IOException e) {
                failure.set(e);
            }
            status.set(s.closeStatus());
            done.countDown();
        })).start(); WsRaw c = WsRaw.open(server.port(), "/ws", "")) {
            c.send(WsRaw.concat(frame(0x01, "valid start, "), frame(0x80, WsRaw.hex("41c0"))));
            assertEquals(1007, c.read().closeCode());
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertTrue(failure.get() instanceof java.io.IOException);
            assertEquals(1007, status.get().code());
        }
    }
    @Test
    void aStreamedSendNeverClosedDoesNotBlockOtherSendersForeverOnceTheSessionEnded() throws Exception {
        AtomicReference<WebSocketSession> session = new AtomicReference<>();
        CountDownLatch streaming = new CountDownLatch(1);
        try (HttpServer server = Servers.builder().get("/ws", WebSocket.endpoint(s -> {
            session.set(s);
            s.sendStream().write(new byte[] {1}); // never closed: the endpoint's bug
            streaming.countDown();
            s.receive();
        })).start(); WsRaw c = WsRaw.open(server.port(), "/ws", "")) {
            assertTrue(streaming.await(5, TimeUnit.SECONDS));
            Thread other = Thread.ofVirtual().start(() -> {
                try {
                    session.get().send("waits for the stream");
                } catch (java.io.IOException expected) {
                    // the session ended
                }
            });
            c.send(WsRaw.close(1000, ""));
            assertTrue(other.join(Duration.ofSeconds(5)), "the waiting sender gave up when the session ended");
        }
    }
}
