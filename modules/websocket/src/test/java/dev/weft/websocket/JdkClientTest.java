package dev.weft.websocket;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ShutdownReport;
import dev.weft.http.HttpServer;
import java.io.OutputStream;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket.Listener;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Against a client that is not ours: the JDK's java.net.http.WebSocket. */
class JdkClientTest {

    /** Collects what a JDK client receives: whole messages (parts joined), pongs, the close. */
    static class Collector implements Listener {
        final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        final List<Boolean> binaryLastFlags = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private final java.io.ByteArrayOutputStream bin = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(java.net.http.WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            bin.writeBytes(b);
            binaryLastFlags.add(last);
            if (last) {
                messages.add(bin.toByteArray());
                bin.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(java.net.http.WebSocket ws, ByteBuffer message) {
            pongs.add(message);
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(java.net.http.WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(java.net.http.WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }

        Object next() throws InterruptedException {
            Object m = messages.poll(5, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message within 5 s");
            }
            return m;
        }
    }

    static final HttpClient CLIENT = HttpClient.newHttpClient();

    static java.net.http.WebSocket connect(HttpServer server, String path, Listener l) throws Exception {
        return CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + path), l).get(5, TimeUnit.SECONDS);
    }

    @Test
    void echoesTextAndBinaryAndFragmentsAndAnswersPings() throws Exception {
        try (HttpServer server = Servers.echoServer(WebSocketOptions.defaults())) {
            Collector c = new Collector();
            java.net.http.WebSocket ws = connect(server, "/echo", c);
            ws.sendText("hello, wörld", true).get(5, TimeUnit.SECONDS);
            assertEquals("hello, wörld", c.next());
            ws.sendBinary(ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 255}), true).get(5, TimeUnit.SECONDS);
            assertArrayEquals(new byte[] {0, 1, 2, (byte) 255}, (byte[]) c.next());
            ws.sendText("frag", false).get(5, TimeUnit.SECONDS);
            ws.sendPing(ByteBuffer.wrap("between".getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
            ws.sendText("ments", true).get(5, TimeUnit.SECONDS);
            ByteBuffer pong = c.pongs.poll(5, TimeUnit.SECONDS);
            assertEquals("between", StandardCharsets.UTF_8.decode(pong).toString(), "a ping between fragments is answered");
            assertEquals("fragments", c.next());
            String big = "x".repeat(200_000);
            ws.sendText(big, true).get(5, TimeUnit.SECONDS);
            assertEquals(big, c.next(), "a message over 64 KiB: the 64-bit length form both ways");
            ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            assertEquals("1000 ", c.closed.get(5, TimeUnit.SECONDS), "the close echoed with its code");
        }
    }

    @Test
    void closeCodesBothWays() throws Exception {
        AtomicReference<CloseStatus> seen = new AtomicReference<>();
        try (HttpServer server = Servers.builder()
                .get("/seen", WebSocket.endpoint(s -> {
                    while (s.receive() != null) {
                        // until the client closes
                    }
                    seen.set(s.closeStatus());
                }))
                .get("/close", WebSocket.endpoint(s -> {
                    s.receive();
                    s.close(4001, "done here");
                }))
                .get("/fail", WebSocket.endpoint(s -> {
                    s.receive();
                    throw new IllegalStateException("endpoint bug (expected by the test)");
                }))
                .get("/return", WebSocket.endpoint(s -> s.receive()))
                .start()) {
            Collector a = new Collector();
            connect(server, "/seen", a).sendClose(4321, "client says bye").get(5, TimeUnit.SECONDS);
            assertEquals("4321 ", a.closed.get(5, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.get() != null);
            assertEquals(new CloseStatus(4321, "client says bye"), seen.get());

            for (String[] row : new String[][] {{"/close", "4001 done here"}, {"/fail", "1011 "}, {"/return", "1000 "}}) {
                Collector c = new Collector();
                java.net.http.WebSocket ws = connect(server, row[0], c);
                ws.sendText("go", true).get(5, TimeUnit.SECONDS);
                assertEquals(row[1], c.closed.get(5, TimeUnit.SECONDS), row[0]);
                ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, ""); // completes the handshake from the client's side
            }
        }
    }

    @Test
    void streamedSendsArriveAsFragmentsAndStreamedReceivesPassTheMessageLimit() throws Exception {
        WebSocketOptions o = WebSocketOptions.defaults().withMaxMessageBytes(1000).withFragmentBytes(4096);
        try (HttpServer server = Servers.builder().get("/stream", WebSocket.endpoint(o, s -> {
            IncomingMessage m = s.receiveStream();
            long n = 0;
            byte[] buf = new byte[1000];
            for (int k; (k = m.inputStream().read(buf)) >= 0; ) {
                n += k;
            }
            try (OutputStream out = s.sendStream()) {
                for (int i = 0; i < 10; i++) {
                    out.write(new byte[1000]);
                }
            }
            try (Writer w = s.sendTextStream()) {
                w.write("received " + n);
            }
            s.receive();
        })).start()) {
            Collector c = new Collector();
            java.net.http.WebSocket ws = connect(server, "/stream", c);
            for (int i = 0; i < 30; i++) {
                ws.sendBinary(ByteBuffer.wrap(new byte[10_000]), i == 29).get(5, TimeUnit.SECONDS);
            }
            assertEquals(10_000, ((byte[]) c.next()).length);
            assertTrue(c.binaryLastFlags.size() >= 3, "sent in 4 KiB fragments: " + c.binaryLastFlags);
            assertEquals("received 300000", c.next(), "300 KB streamed although receive() stops at 1000");
            ws.sendClose(1000, "");
            c.closed.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aThousandConcurrentSessionsEachGetTheirOwnEcho() throws Exception {
        int n = 1000;
        try (HttpServer server = Servers.builder()
                .get("/echo", WebSocket.endpoint(Servers::echo)).start()) {
            List<CompletableFuture<java.net.http.WebSocket>> opening = new ArrayList<>();
            List<Collector> collectors = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Collector c = new Collector();
                collectors.add(c);
                opening.add(CLIENT.newWebSocketBuilder()
                        .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), c));
            }
            List<java.net.http.WebSocket> open = new ArrayList<>();
            for (CompletableFuture<java.net.http.WebSocket> f : opening) {
                open.add(f.get(20, TimeUnit.SECONDS));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().active() >= n);
            for (int i = 0; i < n; i++) {
                open.get(i).sendText("session " + i, true);
            }
            for (int i = 0; i < n; i++) {
                assertEquals("session " + i, collectors.get(i).next());
            }
            CountDownLatch closed = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                open.get(i).sendClose(1000, "");
                collectors.get(i).closed.whenComplete((r, e) -> closed.countDown());
            }
            assertTrue(closed.await(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void gracefulShutdownSendsGoingAwayAndWaitsForTheCloseWithinTheGrace() throws Exception {
        HttpServer server = Servers.echoServer(WebSocketOptions.defaults());
        Collector c = new Collector();
        java.net.http.WebSocket ws = connect(server, "/echo", c);
        ws.sendText("before", true).get(5, TimeUnit.SECONDS);
        assertEquals("before", c.next());
        CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(10)));
        assertEquals("1001 server shutting down", c.closed.get(5, TimeUnit.SECONDS));
        ws.sendClose(1001, ""); // the JDK client does not answer a close by itself: the application does
        ShutdownReport r = report.get(10, TimeUnit.SECONDS);
        assertEquals(0, r.forced(), r.toString());
        assertEquals(1, r.completed(), r.toString());
        assertTrue(r.elapsed().compareTo(Duration.ofSeconds(9)) < 0, r.toString());
    }
}
