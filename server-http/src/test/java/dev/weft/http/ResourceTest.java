package dev.weft.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ConnectionTimeoutException;
import java.io.File;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** No descriptor or thread leaks; a client that never reads does not hold up the others. */
class ResourceTest {

    static long openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /**
     * The server's platform threads (acceptor, watchdog). Connection threads are virtual, which
     * {@code getAllStackTraces} does not list: {@code stats().active()} counts those, since a
     * connection leaves it only as the last step of its thread.
     */
    static long weftPlatformThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("weft-")).count();
    }

    @Test
    void noDescriptorThreadOrConnectionLeakAfterManyRequests() throws Exception {
        HttpServer server = HttpServer.builder().get("/", (req, res) -> res.send("ok")).start();
        try {
            // The JDK opens its virtual-thread I/O pollers (epoll descriptors) at the first socket
            // read that has to wait, in whichever test comes first: make it happen before the
            // baseline, not inside the count, by reading on a virtual thread before sending.
            try (Raw warm = new Raw(server.port())) {
                CompletableFuture<Raw.Reply> reply = new CompletableFuture<>();
                Thread reader = Thread.ofVirtual().start(() -> {
                    try {
                        reply.complete(warm.read());
                    } catch (Throwable t) {
                        reply.completeExceptionally(t);
                    }
                });
                await().atMost(Duration.ofSeconds(5)).until(() -> reader.getState() == Thread.State.TIMED_WAITING);
                warm.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
                assertEquals("ok", reply.get(5, TimeUnit.SECONDS).text());
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
            long before = openFds();
            long threads = weftPlatformThreads();
            assertTrue(threads >= 2, "acceptor and watchdog counted: " + threads);
            for (int i = 0; i < 300; i++) {
                try (Raw c = new Raw(server.port())) {
                    assertEquals("ok", c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
                    if (i % 3 == 0) {
                        c.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").read();
                    } else if (i % 3 == 1) {
                        c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\nGARBAGE\r\n\r\n").read();
                    }
                }
            }
            try (Raw c = new Raw(server.port())) {
                for (int i = 0; i < 1000; i++) {
                    assertEquals("ok", c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
            assertEquals(server.stats().accepted(), server.stats().completed(), "every connection's thread ended");
            // At most: a thread of a server from an earlier test may still be on its way out.
            await().atMost(Duration.ofSeconds(5)).until(() -> weftPlatformThreads() <= threads);
            if (before > 0) {
                await().atMost(Duration.ofSeconds(5)).until(() -> openFds() <= before + 2);
            }
            assertEquals(1 + 300 + 1, server.stats().accepted());
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }

    @Test
    void clientThatNeverReadsDoesNotHoldUpOthers() throws Exception {
        byte[] block = new byte[64 * 1024];
        HttpServer server = HttpServer.builder()
                .writeTimeout(Duration.ofMillis(500))
                .sendBufferSize(64 * 1024)
                .get("/big", (req, res) -> {
                    try (OutputStream out = res.outputStream()) {
                        for (int i = 0; i < 1024; i++) { // 64 MiB: far beyond what the kernel buffers
                            out.write(block);
                        }
                    }
                })
                .get("/", (req, res) -> res.send("ok"))
                .start();
        try (Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(16 * 1024);
            stuck.connect(new InetSocketAddress("127.0.0.1", server.port()));
            stuck.getOutputStream().write(Raw.bytes("GET /big HTTP/1.1\r\nHost: t\r\n\r\n"));
            try (Raw other = new Raw(server.port())) {
                for (int i = 0; i < 50; i++) {
                    assertEquals("ok", other.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
                }
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.stats().timeouts(ConnectionTimeoutException.Kind.WRITE) >= 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
            assertTrue(server.stats().completed() >= 2);
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }
}
