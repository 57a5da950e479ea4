package dev.weft.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ShutdownReport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Graceful drain: idle closed at once, in-flight finishes with Connection: close, new connections refused. */
class ShutdownTest {

    @Test
    void drainFinishesInFlightClosesIdleRefusesNew() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<HttpServer> self = new AtomicReference<>();
        HttpServer server = HttpServer.builder()
                .get("/plain", (req, res) -> res.send("ok"))
                .get("/work", (req, res) -> {
                    started.countDown();
                    release.await(5, TimeUnit.SECONDS);
                    res.send("done draining=" + self.get().isDraining());
                })
                .start();
        self.set(server);
        try (Raw idle = new Raw(server.port()); Raw busy = new Raw(server.port())) {
            assertEquals("ok", idle.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
            busy.send("GET /work HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(started.await(5, TimeUnit.SECONDS));

            CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(5)));
            await().atMost(Duration.ofSeconds(3)).until(server::isDraining);
            assertTrue(idle.closedByServer(), "idle keep-alive connection closed at once");
            assertThrows(ConnectException.class, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 1000);
                }
            });

            release.countDown();
            Raw.Reply r = busy.read();
            assertEquals(200, r.status());
            assertEquals("done draining=true", r.text());
            assertEquals("close", r.header("Connection"));
            assertTrue(busy.closedByServer());

            ShutdownReport rep = report.get(5, TimeUnit.SECONDS);
            assertEquals(1, rep.completed());
            assertEquals(1, rep.closedIdle());
            assertEquals(0, rep.forced());
        }
    }

    @Test
    void graceEndsAStuckRequest() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        HttpServer server = HttpServer.builder()
                .get("/stuck", (req, res) -> {
                    started.countDown();
                    new CountDownLatch(1).await(10, TimeUnit.SECONDS);
                    res.send("late");
                })
                .start();
        try (Raw c = new Raw(server.port())) {
            c.send("GET /stuck HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(started.await(5, TimeUnit.SECONDS));
            ShutdownReport rep = server.shutdown(Duration.ofMillis(200));
            assertEquals(1, rep.forced());
            assertTrue(c.closedByServer());
        } catch (IOException e) {
            throw e;
        }
    }
}
