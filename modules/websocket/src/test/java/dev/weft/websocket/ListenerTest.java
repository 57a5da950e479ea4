package dev.weft.websocket;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ShutdownReport;
import dev.weft.http.HttpServer;
import dev.weft.testing.TestTls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listener sessions (WebSocket.listener): callbacks on the connection's thread, no thread held
 * between messages, so idle sessions hibernate with the server's hibernateIdleAfter. Against the
 * JDK's java.net.http.WebSocket client.
 */
class ListenerTest {

    /** Echoes on the connection's thread and records what it saw. */
    static final class Echo implements WebSocketListener {
        final AtomicReference<WebSocketSession> session = new AtomicReference<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final List<CloseStatus> closes = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> receiveFailure = new AtomicReference<>();

        @Override
        public void onOpen(WebSocketSession s) {
            session.set(s);
            try {
                s.receive();
            } catch (Throwable e) {
                receiveFailure.set(e);
            }
        }

        @Override
        public void onMessage(WebSocketSession s, Message m) throws Exception {
            threads.add(Thread.currentThread().toString());
            if (m.isText() && m.text().equals("fail")) {
                throw new IllegalStateException("listener bug (expected by the test)");
            }
            if (m.isText()) {
                s.send(m.text());
            } else {
                s.send(m.bytes());
            }
        }

        @Override
        public void onClose(WebSocketSession s, CloseStatus status) {
            closes.add(status);
        }
    }

    /** Counts the pings a JDK client gets (it answers each with a pong by itself). */
    static final class PingCounter extends JdkClientTest.Collector {
        final AtomicInteger pings = new AtomicInteger();

        @Override
        public CompletionStage<?> onPing(java.net.http.WebSocket ws, ByteBuffer message) {
            pings.incrementAndGet();
            ws.request(1);
            return null;
        }
    }

    private static HttpServer server(Echo echo, WebSocketOptions options, Duration hibernateAfter, Duration serverIdle) {
        return Servers.builder().hibernateIdleAfter(hibernateAfter).idleTimeout(serverIdle)
                .get("/l", WebSocket.listener(options, echo)).start();
    }

    @Test
    void echoesOnTheConnectionsThreadAndHibernatesBetweenMessages() throws Exception {
        Echo echo = new Echo();
        try (HttpServer server = server(echo, WebSocketOptions.defaults(), Duration.ofMillis(50), Duration.ofSeconds(30))) {
            JdkClientTest.Collector c = new JdkClientTest.Collector();
            java.net.http.WebSocket ws = JdkClientTest.connect(server, "/l", c);
            ws.sendText("one", true).get(5, TimeUnit.SECONDS);
            assertEquals("one", c.next());
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().hibernated() == 1);
            ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(5, TimeUnit.SECONDS);
            assertEquals(3, ((byte[]) c.next()).length, "woken by the client's message");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().hibernated() == 1);
            String big = "y".repeat(100_000);
            ws.sendText(big, true).get(5, TimeUnit.SECONDS);
            assertEquals(big, c.next());
            assertTrue(echo.threads.size() >= 2, "fresh threads after hibernations: " + echo.threads);
            assertTrue(echo.receiveFailure.get() instanceof IllegalStateException, "receive() is for endpoints");
            ws.sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
            assertEquals("1000 ", c.closed.get(5, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(5)).until(() -> echo.closes.size() == 1);
            assertEquals(new CloseStatus(1000, "bye"), echo.closes.get(0));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
        }
    }

    @Test
    void sendsFromOtherThreadsWakeAHibernatedSessionAndArriveInOrder() throws Exception {
        Echo echo = new Echo();
        try (HttpServer server = server(echo, WebSocketOptions.defaults(), Duration.ofMillis(5), Duration.ofSeconds(30))) {
            JdkClientTest.Collector c = new JdkClientTest.Collector();
            JdkClientTest.connect(server, "/l", c);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().hibernated() == 1);
            WebSocketSession s = echo.session.get();
            s.send("to a hibernated session");
            assertEquals("to a hibernated session", c.next());
            int threads = 3;
            int each = 100;
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                senders.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < each; i++) {
                        try {
                            s.send(id + ":" + i);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        if (i % 10 == 0) {
                            // Longer than hibernateIdleAfter: some sends find the session hibernated.
                            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
                        }
                    }
                }));
            }
            int[] next = new int[threads];
            for (int n = 0; n < threads * each; n++) {
                String[] m = ((String) c.next()).split(":");
                int id = Integer.parseInt(m[0]);
                assertEquals(next[id]++, Integer.parseInt(m[1]), "in order per sender");
            }
            for (Thread t : senders) {
                t.join(Duration.ofSeconds(5));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().hibernated() == 1);
            assertTrue(s.isOpen());
        }
    }

    @Test
    void keepAlivePingsReachAHibernatedSessionAndThePongsKeepItOpenPastIdleTimeout() throws Exception {
        Echo echo = new Echo();
        WebSocketOptions o = WebSocketOptions.defaults().withPingInterval(Duration.ofMillis(150))
                .withIdleTimeout(Duration.ofMillis(800));
        try (HttpServer server = server(echo, o, Duration.ofMillis(30), Duration.ofSeconds(30))) {
            PingCounter c = new PingCounter();
            java.net.http.WebSocket ws = JdkClientTest.connect(server, "/l", c);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().hibernated() == 1);
            // Eight pings are 1.2 s of silence from the client but for its pongs: past idleTimeout.
            await().atMost(Duration.ofSeconds(10)).until(() -> c.pings.get() >= 8);
            ws.sendText("still here", true).get(5, TimeUnit.SECONDS);
            assertEquals("still here", c.next());
            assertTrue(echo.closes.isEmpty(), "open: " + echo.closes);
        }
    }

    @Test
    void theIdleTimeoutClosesAHibernatedSessionAndTellsTheListener() throws Exception {
        Echo echo = new Echo();
        WebSocketOptions o = WebSocketOptions.defaults().withPingInterval(Duration.ZERO).withIdleTimeout(Duration.ofMillis(400));
        try (HttpServer server = server(echo, o, Duration.ofMillis(30), Duration.ofSeconds(30))) {
            JdkClientTest.Collector c = new JdkClientTest.Collector();
            JdkClientTest.connect(server, "/l", c);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().hibernated() == 1);
            assertEquals("1001 idle timeout", c.closed.get(5, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(5)).until(() -> echo.closes.size() == 1);
            assertEquals(new CloseStatus(CloseStatus.ABNORMAL, "idle timeout"), echo.closes.get(0));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
        }
    }

    @Test
    void theServersIdleTimeoutClosingAHibernatedSessionStillTellsTheListener() throws Exception {
        Echo echo = new Echo();
        WebSocketOptions o = WebSocketOptions.defaults().withPingInterval(Duration.ZERO).withIdleTimeout(Duration.ZERO);
        try (HttpServer server = server(echo, o, Duration.ofMillis(30), Duration.ofMillis(400))) {
            JdkClientTest.Collector c = new JdkClientTest.Collector();
            JdkClientTest.connect(server, "/l", c);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().hibernated() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
            // No thread saw the close: the keep-alive timer's next turn tells the listener.
            await().atMost(Duration.ofSeconds(10)).until(() -> echo.closes.size() == 1);
            assertEquals(CloseStatus.ABNORMAL, echo.closes.get(0).code());
        }
    }

    @Test
    void shutdownSaysGoingAwayToAHibernatedSessionAndWaitsForTheClientsClose() throws Exception {
        Echo echo = new Echo();
        HttpServer server = server(echo, WebSocketOptions.defaults(), Duration.ofMillis(30), Duration.ofSeconds(30));
        try {
            JdkClientTest.Collector c = new JdkClientTest.Collector();
            java.net.http.WebSocket ws = JdkClientTest.connect(server, "/l", c);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().hibernated() == 1);
            CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(10)));
            assertEquals("1001 server shutting down", c.closed.get(5, TimeUnit.SECONDS));
            ws.sendClose(1001, "");
            ShutdownReport r = report.get(10, TimeUnit.SECONDS);
            assertEquals(1, r.completed(), r.toString());
            assertEquals(0, r.forced(), r.toString());
            assertTrue(r.elapsed().compareTo(Duration.ofSeconds(9)) < 0, r.toString());
            await().atMost(Duration.ofSeconds(5)).until(() -> echo.closes.size() == 1);
            assertEquals(new CloseStatus(1001, "server shutting down"), echo.closes.get(0));
        } finally {
            server.close();
        }
    }

    @Test
    void aListenerThatThrowsClosesWith1011AndAnotherCloseWithItsCode() throws Exception {
        Echo echo = new Echo();
        WebSocketListener closer = (s, m) -> s.close(4002, "closed by the listener");
        try (HttpServer server = Servers.builder().hibernateIdleAfter(Duration.ofMillis(30))
                .get("/l", WebSocket.listener(echo)).get("/close", WebSocket.listener(closer)).start()) {
            JdkClientTest.Collector a = new JdkClientTest.Collector();
            java.net.http.WebSocket wa = JdkClientTest.connect(server, "/l", a);
            wa.sendText("fail", true).get(5, TimeUnit.SECONDS);
            assertEquals("1011 ", a.closed.get(5, TimeUnit.SECONDS));
            wa.sendClose(1000, "");
            await().atMost(Duration.ofSeconds(5)).until(() -> echo.closes.size() == 1);
            assertEquals(CloseStatus.INTERNAL_ERROR, echo.closes.get(0).code());

            JdkClientTest.Collector b = new JdkClientTest.Collector();
            java.net.http.WebSocket wb = JdkClientTest.connect(server, "/close", b);
            wb.sendText("go", true).get(5, TimeUnit.SECONDS);
            assertEquals("4002 closed by the listener", b.closed.get(5, TimeUnit.SECONDS));
            wb.sendClose(1000, "");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
        }
    }

    @Test
    void overTlsAListenerSessionKeepsItsThreadAndStillTakesSendsFromOtherThreads(@TempDir java.nio.file.Path dir)
            throws Exception {
        TestTls tls = TestTls.in(dir);
        Echo echo = new Echo();
        try (HttpServer server = Servers.builder().tls(tls.server()).hibernateIdleAfter(Duration.ofMillis(20))
                .get("/l", WebSocket.listener(echo)).start()) {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(tls.client()).build();
            JdkClientTest.Collector c = new JdkClientTest.Collector();
            java.net.http.WebSocket ws = client.newWebSocketBuilder()
                    .buildAsync(java.net.URI.create("wss://127.0.0.1:" + server.port() + "/l"), c).get(5, TimeUnit.SECONDS);
            ws.sendText("secret", true).get(5, TimeUnit.SECONDS);
            assertEquals("secret", c.next());
            // Many times hibernateIdleAfter: a TLS connection never hibernates (see docs/hibernation.md).
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> server.stats().hibernated() == 0);
            echo.session.get().send("pushed over TLS");
            assertEquals("pushed over TLS", c.next());
            ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
            assertEquals("1000 ", c.closed.get(5, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(5)).until(() -> echo.closes.size() == 1);
        }
    }

    @Test
    void aListenerSessionWithoutHibernationServesAsWell() throws Exception {
        Echo echo = new Echo();
        try (HttpServer server = server(echo, WebSocketOptions.defaults(), Duration.ZERO, Duration.ofSeconds(30))) {
            JdkClientTest.Collector c = new JdkClientTest.Collector();
            java.net.http.WebSocket ws = JdkClientTest.connect(server, "/l", c);
            for (int i = 0; i < 20; i++) {
                ws.sendText("m" + i, true).get(5, TimeUnit.SECONDS);
                assertEquals("m" + i, c.next());
            }
            echo.session.get().send("pushed");
            assertEquals("pushed", c.next());
            assertEquals(0, server.stats().hibernated());
            assertThrows(IllegalStateException.class, () -> echo.session.get().receiveStream());
            ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
            c.closed.get(5, TimeUnit.SECONDS);
        }
    }
}
