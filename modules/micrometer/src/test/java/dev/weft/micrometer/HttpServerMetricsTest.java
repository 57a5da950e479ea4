package dev.weft.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ServerStats;
import dev.weft.http.HttpException;
import dev.weft.http.HttpServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real requests from the JDK's HttpClient, meters read back from a {@link SimpleMeterRegistry}. */
class HttpServerMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
    private HttpServer server;
    private HttpClient client;
    private URI base;

    @BeforeEach
    void start() {
        server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).accessLog(false)
                .filter(new HttpServerMetrics(registry))
                .get("/users/{id}", (req, res) -> res.send("user " + req.pathParam("id")))
                .get("/old", (req, res) -> res.status(301).header("Location", "/new").send())
                .get("/teapot", (req, res) -> {
                    throw new HttpException(418, "short and stout");
                })
                .get("/bug", (req, res) -> {
                    throw new IllegalStateException("a bug");
                })
                .get("/cut", (req, res) -> {
                    OutputStream out = res.outputStream();
                    out.write("partial".getBytes(StandardCharsets.UTF_8));
                    out.flush(); // the head is out: the failure can only reset the connection
                    throw new UnsupportedOperationException("failed mid-body");
                })
                .get("/short", (req, res) -> {
                    res.contentLength(10);
                    OutputStream out = res.outputStream();
                    out.write("12345".getBytes(StandardCharsets.UTF_8));
                    out.flush(); // committed with Content-Length: 10; the handler then returns 5 short
                })
                .post("/upload", (req, res) -> {
                    reading.countDown();
                    req.bodyBytes(); // the client resets while this waits for the rest of the body
                    res.send("never");
                })
                .start();
        new ServerStatsMetrics(server::stats).bindTo(registry);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        base = URI.create("http://127.0.0.1:" + server.port());
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private int get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    private Timer timer(String method, String uri, String status, String outcome, String exception) {
        return registry.find(HttpServerMetrics.METRIC).tag("method", method).tag("uri", uri).tag("status", status)
                .tag("outcome", outcome).tag("exception", exception).timer();
    }

    @Test
    void requestsAreTimedByRouteTemplateNeverByRawPath() throws Exception {
        assertEquals(200, get("/users/1"));
        assertEquals(200, get("/users/2"));
        assertEquals(200, get("/users/3?x=y"));
        Timer users = timer("GET", "/users/{id}", "200", "SUCCESS", "none");
        assertNotNull(users, registry.getMetersAsString());
        assertEquals(3, users.count());
        assertTrue(users.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0);
        assertNull(registry.find(HttpServerMetrics.METRIC).tag("uri", "/users/1").timer());
    }

    @Test
    void unmatchedErrorAndRedirectAnswersAreTaggedLikeSpring() throws Exception {
        assertEquals(404, get("/nowhere/42"));
        assertEquals(405, client.send(HttpRequest.newBuilder(base.resolve("/users/1"))
                .DELETE().build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(301, get("/old"));
        assertEquals(418, get("/teapot"));
        assertEquals(500, get("/bug"));
        assertEquals(1, timer("GET", "NOT_FOUND", "404", "CLIENT_ERROR", "none").count(), registry.getMetersAsString());
        assertEquals(1, timer("DELETE", "UNKNOWN", "405", "CLIENT_ERROR", "none").count());
        assertEquals(1, timer("GET", "/old", "301", "REDIRECTION", "none").count());
        assertEquals(1, timer("GET", "/teapot", "418", "CLIENT_ERROR", "none").count(), "an HttpException is an answer");
        assertEquals(1, timer("GET", "/bug", "500", "SERVER_ERROR", "IllegalStateException").count(),
                "the filter sees the final status of the mapped failure, and what failed");
    }

    @Test
    void aResetResponseIsRecordedAsSuchNotAsASuccess() throws Exception {
        assertThrows(IOException.class, () -> get("/cut"));
        // The filter runs on the server's thread; the client saw the reset, the meter may lag it a moment.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> timer("GET", "/cut", "200", "UNKNOWN", "UnsupportedOperationException") != null);
        assertNull(timer("GET", "/cut", "200", "SUCCESS", "none"), registry.getMetersAsString());
    }

    @Test
    void aResetAfterEveryFilterReturnedIsRecordedToo() throws Exception {
        // The handler returns normally; the server finds the body short when it ends the message.
        assertThrows(IOException.class, () -> get("/short"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> timer("GET", "/short", "200", "UNKNOWN", "IllegalStateException") != null);
        assertNull(timer("GET", "/short", "200", "SUCCESS", "none"), registry.getMetersAsString());
    }

    @Test
    void aClientThatResetsBeforeAnyStatusWentOutIsUnknownNotTheDefault200() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write(("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12345")
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(reading.await(5, java.util.concurrent.TimeUnit.SECONDS));
            s.setSoLinger(true, 0); // close with RST
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.find(HttpServerMetrics.METRIC).tag("uri", "/upload").timer() != null);
        Timer t = registry.find(HttpServerMetrics.METRIC).tag("uri", "/upload").timer();
        assertEquals("UNKNOWN", t.getId().getTag("status"), registry.getMetersAsString());
        assertEquals("UNKNOWN", t.getId().getTag("outcome"));
        assertTrue(!"none".equals(t.getId().getTag("exception")), t.getId().toString());
    }

    @Test
    void theTransportCountersAreMeters() throws Exception {
        assertEquals(200, get("/users/1"));
        ServerStats stats = server.stats();
        assertEquals(stats.accepted(), registry.get("weft.connections.accepted").functionCounter().count());
        assertEquals(stats.active(), registry.get("weft.connections.active").gauge().value());
        assertTrue(stats.active() >= 1, "the client keeps its connection");
        // The watchdog reports alive once it completed a scan: the first one may still be due.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.get("weft.watchdog.alive").gauge().value() == 1.0);
        assertTrue(registry.get("weft.bytes.out").functionCounter().count() > 0);
        assertEquals("bytes", registry.get("weft.bytes.in").functionCounter().getId().getBaseUnit());
        for (String kind : new String[] {"read", "idle", "deadline", "write", "handshake"}) {
            FunctionCounter c = registry.get("weft.timeouts").tag("kind", kind).functionCounter();
            assertEquals(0.0, c.count(), kind);
        }
        assertNotNull(registry.get("weft.connections.idle.evicted").functionCounter());
        assertNotNull(registry.get("weft.connections.waited.at.limit").functionCounter());
        client.close();
        server.shutdown(Duration.ofSeconds(5));
        Gauge alive = registry.get("weft.watchdog.alive").gauge();
        assertEquals(0.0, alive.value(), "after shutdown");
        assertEquals(0.0, registry.get("weft.connections.active").gauge().value());
    }
}
