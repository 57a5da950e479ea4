package dev.weft.core;

import static dev.weft.core.Net.ascii;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * SO_REUSEPORT: two servers on one port both serve, and when one drains the other takes the new
 * connections (the hand-over {@code deploy/reuseport-handover.sh} runs under load).
 */
class ReusePortTest {

    private static boolean supported() throws IOException {
        try (ServerSocketChannel ssc = ServerSocketChannel.open()) {
            return ssc.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        }
    }

    /** A server that answers every connection with its name and closes. */
    private static TcpServer named(String name, int port, Duration drainDelay) {
        return Net.builder().port(port).reusePort(true).drainDelay(drainDelay).handler(conn -> {
            conn.out().write(ascii(name + (conn.isDraining() ? " draining" : "") + "\n"));
        }).start();
    }

    private static String ask(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(Net.LOOPBACK, port), 5_000);
            s.setSoTimeout(10_000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        }
    }

    @Test
    void twoServersShareAPortAndWhenOneDrainsTheOtherTakesTheNewConnections() throws Exception {
        if (!supported()) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> named("a", 0, Duration.ZERO));
            assertTrue(e.getMessage().contains("SO_REUSEPORT is not supported"), e.getMessage());
            return;
        }
        TcpServer a = named("a", 0, Duration.ofSeconds(2));
        TcpServer b = named("b", a.port(), Duration.ZERO);
        try {
            assertEquals(a.port(), b.port());
            // The kernel spreads new connections over both listeners (by a hash of the 4-tuple):
            // keep connecting until each has answered.
            Set<String> seen = new HashSet<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                seen.add(ask(a.port()));
                return seen.equals(Set.of("a", "b"));
            });

            CompletableFuture<ShutdownReport> drained = CompletableFuture.supplyAsync(a::shutdown);
            await().atMost(Duration.ofSeconds(2)).until(a::isDraining);
            // During a's drain delay both still answer; a says it is draining.
            Set<String> during = new HashSet<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                during.add(ask(a.port()));
                return during.contains("a draining") || drained.isDone();
            });
            assertTrue(during.contains("a draining"), "a served during its drain delay: " + during);
            ShutdownReport report = drained.join();
            assertTrue(report.drainDelay().compareTo(Duration.ofSeconds(2)) >= 0, report.toString());
            // a's listener is closed: every new connection is b's, none is refused.
            long before = b.stats().accepted();
            for (int i = 0; i < 50; i++) {
                assertEquals("b", ask(a.port()), "connection " + i);
            }
            assertEquals(before + 50, b.stats().accepted());
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void withoutReusePortTheSecondBindFailsAndSaysWhere() {
        TcpServer a = Net.builder().handler(conn -> { }).start();
        try {
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> Net.builder().port(a.port()).handler(conn -> { }).start());
            assertTrue(e.getMessage().contains(":" + a.port()), e.getMessage());
        } finally {
            a.close();
        }
    }
}
