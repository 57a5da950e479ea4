package dev.weft.core;

import static dev.weft.core.Net.ascii;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** maxConnections, descriptor and thread hygiene, and many connections at once. */
class LimitsAndLeaksTest {

    private static TcpServer lineEcho(TcpServer.Builder b) {
        return b.handler(conn -> {
            for (String line; (line = conn.in().readLine(1000)) != null; ) {
                conn.out().write(ascii(line + "\n"));
                conn.out().flush();
            }
        }).start();
    }

    private static String roundTrip(Socket s, BufferedReader r, String line) throws Exception {
        s.getOutputStream().write(ascii(line + "\n"));
        return r.readLine();
    }

    private static BufferedReader reader(Socket s) throws Exception {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    }

    @Test
    void maxConnectionsHoldsTheNextConnectionUntilOneCloses() throws Exception {
        try (TcpServer server = lineEcho(Net.builder().maxConnections(2));
             Socket a = Net.connect(server); Socket b = Net.connect(server); Socket c = Net.connect(server)) {
            assertEquals("a", roundTrip(a, reader(a), "a"));
            assertEquals("b", roundTrip(b, reader(b), "b"));
            BufferedReader rc = reader(c);
            c.getOutputStream().write(ascii("c\n"));
            c.setSoTimeout(300);
            // Connected in the kernel backlog, but not accepted: no thread serves it yet.
            assertThrows(SocketTimeoutException.class, rc::readLine);
            assertEquals(2, server.stats().accepted());
            assertEquals(2, server.stats().active());
            assertTrue(server.stats().waitedAtLimit() >= 1);
            a.close();
            c.setSoTimeout(10_000);
            assertEquals("c", rc.readLine());
            assertEquals(3, server.stats().accepted());
            assertEquals(0, server.stats().idleEvicted(), "busy connections are never closed to make room");
        }
    }

    /** At the limit, a newcomer does not wait behind idle keep-alive connections: the longest-idle one makes room. */
    @Test
    void atTheLimitTheLongestIdleConnectionMakesRoomForANewcomer() throws Exception {
        java.util.concurrent.BlockingQueue<Long> wentIdle = new java.util.concurrent.LinkedBlockingQueue<>();
        try (TcpServer server = Net.builder().maxConnections(2).handler(conn -> {
            while (true) {
                conn.markIdle();
                wentIdle.add(conn.id());
                if (conn.in().peek() < 0 || !conn.markBusy()) {
                    return;
                }
                conn.out().write(ascii(conn.in().readLine(100) + "\n"));
                conn.out().flush();
            }
        }).start(); Socket a = Net.connect(server)) {
            assertEquals(1L, wentIdle.poll(5, TimeUnit.SECONDS));
            assertEquals("a", roundTrip(a, reader(a), "a"));
            assertEquals(1L, wentIdle.poll(5, TimeUnit.SECONDS)); // a idle again, before b is there
            Socket b = Net.connect(server);
            assertEquals(2L, wentIdle.poll(5, TimeUnit.SECONDS));
            BufferedReader rb = reader(b);
            assertEquals("b", roundTrip(b, rb, "b"));
            assertEquals(2L, wentIdle.poll(5, TimeUnit.SECONDS));
            try (Socket c = Net.connect(server)) {
                c.setSoTimeout(5_000);
                assertEquals("c", roundTrip(c, reader(c), "c"), "served at once, not after idleTimeout");
                assertTrue(Net.closedByPeer(a.getInputStream()), "the longest-idle one was closed");
                assertEquals("b again", roundTrip(b, rb, "b again"), "the other idle one stays");
                assertEquals(1, server.stats().idleEvicted());
                assertEquals(3, server.stats().accepted());
            } finally {
                b.close();
            }
        }
    }

    /** An exception whose toString() throws: logging it fails inside the connection's cleanup. */
    static final class UnprintableException extends RuntimeException {
        UnprintableException() {
            super("unprintable");
        }

        @Override
        public String toString() {
            throw new IllegalStateException("toString() fails on purpose");
        }
    }

    @Test
    void aCleanupStepThatThrowsStillFreesThePermitAndTheRegistryEntry() throws Exception {
        try (Net.LogCapture log = new Net.LogCapture();
             TcpServer server = Net.builder().maxConnections(1).handler(conn -> {
                 if ("fail".equals(conn.in().readLine(100))) {
                     throw new UnprintableException(); // logging it at the end throws
                 }
                 conn.out().write(ascii("served\n"));
             }).start()) {
            try (Socket s = Net.connect(server)) {
                s.getOutputStream().write(ascii("fail\n"));
                assertTrue(Net.closedByPeer(s.getInputStream()));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().completed() == 1);
            assertEquals(0, server.stats().active(), "the registry entry is gone");
            // maxConnections(1): only a released permit lets the next connection in.
            try (Socket s = Net.connect(server)) {
                s.getOutputStream().write(ascii("ok\n"));
                assertEquals("served\n", Net.readAll(s));
            }
            assertTrue(log.text().contains("UnprintableException"), log.text());
        }
    }

    @Test
    void aThousandConnectCloseCyclesLeakNoDescriptorOrThread() throws Exception {
        try (TcpServer server = Net.builder().handler(conn -> conn.in().transferTo(conn.out())).start()) {
            // Warm up once so lazily opened JDK descriptors are counted in the baseline.
            try (Socket s = Net.connect(server)) {
                s.getOutputStream().write(1);
                assertEquals(1, s.getInputStream().read());
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
            long fds = Net.openDescriptors();
            long threads = Net.weftPlatformThreads();
            for (int i = 0; i < 1000; i++) {
                try (Socket s = Net.connect(server)) {
                    if (i % 2 == 0) {
                        s.getOutputStream().write(i & 0x7f);
                        assertEquals(i & 0x7f, s.getInputStream().read());
                    }
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().active() == 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> Net.openDescriptors() <= fds);
            assertEquals(threads, Net.weftPlatformThreads());
            assertEquals(1001, server.stats().accepted());
            assertEquals(1001, server.stats().completed());
        }
    }

    @Test
    void twoThousandConcurrentConnectionsDoRoundTrips() throws Exception {
        int n = 2000;
        int trips = 5;
        CountDownLatch connected = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        try (TcpServer server = lineEcho(Net.builder().backlog(4096));
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                results.add(clients.submit(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(Net.LOOPBACK, server.port()), 10_000);
                        s.setSoTimeout(20_000);
                        BufferedReader r = reader(s);
                        int ok = roundTrip(s, r, "hello " + id).equals("hello " + id) ? 1 : 0;
                        connected.countDown();
                        if (!go.await(30, TimeUnit.SECONDS)) {
                            throw new AssertionError("never released");
                        }
                        for (int t = 1; t < trips; t++) {
                            String msg = id + "/" + t;
                            ok += roundTrip(s, r, msg).equals(msg) ? 1 : 0;
                        }
                        return ok;
                    }
                }));
            }
            assertTrue(connected.await(30, TimeUnit.SECONDS), "all connected");
            assertEquals(n, server.stats().active(), "all open at once");
            go.countDown();
            int ok = 0;
            for (Future<Integer> f : results) {
                ok += f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(n * trips, ok);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().active() == 0);
            assertEquals(n, server.stats().accepted());
        }
    }

    @Test
    void statsCountBytesAndConnections() throws Exception {
        try (TcpServer server = lineEcho(Net.builder())) {
            try (Socket s = Net.connect(server)) {
                BufferedReader r = reader(s);
                assertEquals("12345", roundTrip(s, r, "12345"));
                assertEquals("6789", roundTrip(s, r, "6789"));
                // The reply can reach us a moment before the server thread counts it.
                await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().bytesOut() == 11);
                ServerStats open = server.stats();
                assertEquals(1, open.accepted());
                assertEquals(1, open.active());
                assertEquals(0, open.completed());
                assertEquals(11, open.bytesIn());
                assertEquals(11, open.bytesOut());
                assertEquals(ConnectionTimeoutException.Kind.values().length, open.timeouts().size());
                assertTrue(open.timeouts().values().stream().allMatch(v -> v == 0));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().completed() == 1);
            assertEquals(0, server.stats().active());
            assertEquals(0, server.stats().waitedAtLimit());
        }
    }

    @Test
    void reusePortLetsTwoServersShareAPortOrSaysItIsUnsupported() throws Exception {
        TcpServer.Builder b = Net.builder().reusePort(true).handler(conn -> conn.out().write(ascii("hi\n")));
        TcpServer first;
        try {
            first = b.start();
        } catch (UnsupportedOperationException e) {
            assertTrue(e.getMessage().contains("SO_REUSEPORT"), e.getMessage());
            return;
        }
        try (first; TcpServer second = Net.builder().reusePort(true).port(first.port())
                .handler(conn -> conn.out().write(ascii("hi\n"))).start()) {
            assertEquals(first.port(), second.port());
            for (int i = 0; i < 4; i++) {
                try (Socket s = Net.connect(first)) {
                    assertEquals("hi\n", Net.readAll(s));
                }
            }
            assertEquals(4, first.stats().accepted() + second.stats().accepted());
        }
    }

    @Test
    void aTakenPortFailsWithAMessageNamingIt() {
        try (TcpServer first = Net.builder().handler(conn -> { }).start()) {
            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                    () -> Net.builder().reuseAddress(false).port(first.port()).handler(conn -> { }).start());
            assertTrue(e.getMessage().contains(":" + first.port()), e.getMessage());
        }
    }

    @Test
    void largeWritesFromManySmallPiecesArriveInOrder() throws Exception {
        try (TcpServer server = Net.builder().bufferSize(256).handler(conn -> {
            OutputStream out = conn.out();
            for (int i = 0; i < 10_000; i++) {
                out.write(ascii(i + ","));
                if (i % 1000 == 0) {
                    out.write(new byte[300]); // larger than the buffer: goes straight through
                }
            }
        }).start(); Socket s = Net.connect(server)) {
            byte[] all = s.getInputStream().readAllBytes();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 10_000; i++) {
                expected.append(i).append(',');
                if (i % 1000 == 0) {
                    expected.append("\0".repeat(300));
                }
            }
            assertEquals(expected.toString(), new String(all, StandardCharsets.ISO_8859_1));
        }
    }
}
