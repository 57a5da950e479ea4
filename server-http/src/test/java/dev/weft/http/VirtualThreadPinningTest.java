package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testing.TestTls;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under load (200 concurrent keep-alive connections posting Content-Length and chunked bodies,
 * and TLS requests beside them) no virtual thread is pinned with a library frame on its stack,
 * as JFR's {@code jdk.VirtualThreadPinned} (threshold 0: every pinned park) records it.
 *
 * <p>Not vacuous: the same recording must show the connections' virtual threads starting
 * ({@code jdk.VirtualThreadStart}), and a pin planted on purpose (a virtual thread parking inside
 * a class initializer, which pins on every JDK) must show up with its frame, so a recording that
 * did not run, or that lost stacks, fails the test.
 */
class VirtualThreadPinningTest {

    private static final int CONNECTIONS = 200;
    private static final int REQUESTS_PER_CONNECTION = 4;
    private static final int TLS_REQUESTS = 20;

    @TempDir
    Path dir;

    @Test
    void noLibraryFramePinnedUnderLoad() throws Exception {
        Set<String> library = LibraryClasses.all().keySet();
        SSLContext[] tls = tlsContexts();
        Handler echo = (req, res) -> res.send(req.bodyBytes());
        HttpServer plain = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .maxConnections(CONNECTIONS + 10).accessLog(false).post("/echo", echo).start();
        HttpServer secure = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .tls(tls[0]).handshakeTimeout(Duration.ofSeconds(10)).accessLog(false).post("/echo", echo).start();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls[1]).build();
        Path jfr = dir.resolve("pinning.jfr");
        try {
            // Warm-up, before recording: the JDK initializes the TLS and HTTP classes on first use,
            // and a virtual thread waiting for another to finish a class initializer is pinned
            // (on every JDK). That is the JDK's one-time start-up, not the library holding a
            // monitor; it is what the first handshakes racing each other would otherwise record.
            try (Raw raw = new Raw(plain.port())) {
                raw.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi");
                assertEquals(200, raw.read().status());
            }
            assertEquals(200, tlsPost(client, secure, "warm-up").get(60, TimeUnit.SECONDS).statusCode());
            try (Recording recording = new Recording()) {
                recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
                recording.enable("jdk.VirtualThreadStart");
                recording.start();
                load(plain, secure, client);
                plantPin();
                recording.stop();
                recording.dump(jfr);
            }
            assertEquals(CONNECTIONS + 1, plain.stats().accepted(), "each connection was kept alive for its requests");
        } finally {
            plain.shutdown(Duration.ofSeconds(2));
            secure.shutdown(Duration.ofSeconds(2));
        }

        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        long started = events.stream().filter(e -> e.getEventType().getName().equals("jdk.VirtualThreadStart")).count();
        assertTrue(started >= CONNECTIONS, "the recording saw the connections' virtual threads start: " + started);
        List<RecordedEvent> pinned = events.stream()
                .filter(e -> e.getEventType().getName().equals("jdk.VirtualThreadPinned")).toList();
        assertTrue(pinned.stream().anyMatch(e -> hasFrame(e, PlantedPin.class.getName())),
                "the planted pin was recorded with its stack: " + pinned.size() + " pinned events");

        List<String> offending = new ArrayList<>();
        for (RecordedEvent e : pinned) {
            if (e.getStackTrace() != null && e.getStackTrace().getFrames().stream()
                    .anyMatch(f -> library.contains(f.getMethod().getType().getName()))) {
                offending.add(describe(e));
            }
        }
        assertEquals(List.of(), offending, "virtual threads pinned in library code");
    }

    /** Plain connections with bodies and keep-alive, and TLS requests beside them. */
    private static void load(HttpServer plain, HttpServer secure, HttpClient client) throws Exception {
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch allConnected = new CountDownLatch(CONNECTIONS);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                int id = c;
                done.add(clients.submit(() -> {
                    try (Raw raw = new Raw(plain.port())) {
                        allConnected.countDown();
                        // All 200 connections open at once before the bodies flow.
                        allConnected.await(20, TimeUnit.SECONDS);
                        for (int r = 0; r < REQUESTS_PER_CONNECTION; r++) {
                            byte[] body = ("conn " + id + " request " + r + " ").repeat(50 + id).getBytes(StandardCharsets.US_ASCII);
                            if (r % 2 == 0) {
                                raw.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length + "\r\n\r\n").send(body);
                            } else {
                                int half = body.length / 2;
                                raw.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                                        + Integer.toHexString(half) + "\r\n");
                                raw.send(java.util.Arrays.copyOfRange(body, 0, half));
                                raw.send("\r\n" + Integer.toHexString(body.length - half) + "\r\n");
                                raw.send(java.util.Arrays.copyOfRange(body, half, body.length));
                                raw.send("\r\n0\r\n\r\n");
                            }
                            Raw.Reply reply = raw.read();
                            assertEquals(200, reply.status());
                            assertArrayEquals(body, reply.body());
                        }
                    }
                    return null;
                }));
            }
            List<CompletableFuture<HttpResponse<String>>> secureReplies = new ArrayList<>();
            for (int i = 0; i < TLS_REQUESTS; i++) {
                secureReplies.add(tlsPost(client, secure, "secret " + i));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            for (int i = 0; i < TLS_REQUESTS; i++) {
                HttpResponse<String> r = secureReplies.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode());
                assertEquals("secret " + i, r.body());
            }
        }
    }

    private static CompletableFuture<HttpResponse<String>> tlsPost(HttpClient client, HttpServer secure, String body) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + secure.port() + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A virtual thread that parks in a class initializer: pinned on every JDK (JEP 491 keeps this case). */
    private static void plantPin() throws InterruptedException {
        Thread t = Thread.ofVirtual().start(PlantedPin::touch);
        assertTrue(t.join(Duration.ofSeconds(10)), "the planted pin finished");
    }

    static final class PlantedPin {
        static {
            // A pause that plays a slow initializer: the park inside <clinit> is the pin recorded.
            LockSupport.parkNanos(20_000_000L);
        }

        static void touch() {
        }
    }

    private static boolean hasFrame(RecordedEvent e, String className) {
        return e.getStackTrace() != null
                && e.getStackTrace().getFrames().stream().anyMatch(f -> f.getMethod().getType().getName().equals(className));
    }

    private static String describe(RecordedEvent e) {
        StringBuilder sb = new StringBuilder("pinned " + e.getDuration().toMillis() + " ms:");
        for (jdk.jfr.ValueDescriptor v : e.getFields()) {
            if (!v.getName().equals("stackTrace")) {
                sb.append(' ').append(v.getName()).append('=').append((Object) e.getValue(v.getName()));
            }
        }
        for (RecordedFrame f : e.getStackTrace().getFrames()) {
            sb.append("\n    at ").append(f.getMethod().getType().getName()).append('.').append(f.getMethod().getName())
                    .append(" line ").append(f.getLineNumber());
        }
        return sb.toString();
    }

    /** Server and client contexts for a fresh self-signed key. */
    private SSLContext[] tlsContexts() throws Exception {
        TestTls tls = TestTls.in(dir);
        return new SSLContext[] {tls.server(), tls.client()};
    }
}
