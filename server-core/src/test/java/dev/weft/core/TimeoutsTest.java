package dev.weft.core;

import static dev.weft.core.Net.ascii;
import static dev.weft.core.Net.failureOf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ConnectionTimeoutException.Kind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** readTimeout, idleTimeout, deadlines and the write watchdog, each ending only its own connection. */
class TimeoutsTest {

    @Test
    void readTimeoutEndsTheConnectionAndFreesThreadAndDescriptor() throws Exception {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        CompletableFuture<Thread> handlerThread = new CompletableFuture<>();
        try (TcpServer server = Net.builder().readTimeout(Duration.ofMillis(200)).handler(conn -> {
            handlerThread.complete(Thread.currentThread());
            try {
                result.complete(conn.in().read());
            } catch (IOException e) {
                result.completeExceptionally(e);
                throw e;
            }
        }).start()) {
            long fdsBefore = Net.openDescriptors();
            try (Socket s = Net.connect(server)) {
                ConnectionTimeoutException e = assertInstanceOf(ConnectionTimeoutException.class, failureOf(result));
                assertEquals(Kind.READ, e.kind());
                assertTrue(e.getMessage().contains("readTimeout=200 ms"), e.getMessage());
                assertTrue(e.getMessage().contains("conn 1 (/127.0.0.1:" + s.getLocalPort() + ")"), e.getMessage());
                assertTrue(Net.closedByPeer(s.getInputStream()), "server closed the socket");
                await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
                Thread t = handlerThread.get(1, TimeUnit.SECONDS);
                assertEquals("weft-conn-1", t.getName());
                await().atMost(Duration.ofSeconds(5)).until(() -> !t.isAlive());
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> Net.openDescriptors() <= fdsBefore);
            assertEquals(1, server.stats().timeouts(Kind.READ));
            assertEquals(1, server.stats().completed());
        }
    }

    @Test
    void idleTimeoutEndsAnIdleConnection() throws Exception {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        try (TcpServer server = Net.builder().readTimeout(Duration.ofSeconds(10)).idleTimeout(Duration.ofMillis(200))
                .handler(conn -> {
                    conn.markIdle();
                    try {
                        result.complete(conn.in().read());
                    } catch (IOException e) {
                        result.completeExceptionally(e);
                        throw e;
                    }
                }).start();
             Socket s = Net.connect(server)) {
            ConnectionTimeoutException e = assertInstanceOf(ConnectionTimeoutException.class, failureOf(result));
            assertEquals(Kind.IDLE, e.kind());
            assertTrue(e.getMessage().contains("idleTimeout=200 ms"), e.getMessage());
            assertTrue(Net.closedByPeer(s.getInputStream()));
            assertEquals(1, server.stats().timeouts(Kind.IDLE));
            assertEquals(0, server.stats().timeouts(Kind.READ));
        }
    }

    @Test
    void aDeadlineDefeatsAPeerSendingOneBytePerInterval() throws Exception {
        CompletableFuture<String> result = new CompletableFuture<>();
        try (TcpServer server = Net.builder().readTimeout(Duration.ofMillis(300)).handler(conn -> {
            conn.in().deadline(Instant.now().plusMillis(500));
            try {
                result.complete(conn.in().readLine(10_000));
            } catch (IOException e) {
                result.completeExceptionally(e);
                throw e;
            }
        }).start();
             Socket s = Net.connect(server)) {
            OutputStream out = s.getOutputStream();
            // Each byte comes well within readTimeout; only the deadline can stop this peer.
            for (int i = 0; i < 100 && !result.isDone(); i++) {
                try {
                    out.write('x');
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                Thread.sleep(50); // a slow peer: one byte per 50 ms
            }
            ConnectionTimeoutException e = assertInstanceOf(ConnectionTimeoutException.class, failureOf(result));
            assertEquals(Kind.DEADLINE, e.kind());
            assertTrue(e.getMessage().contains("deadline"), e.getMessage());
            assertEquals(1, server.stats().timeouts(Kind.DEADLINE));
            assertEquals(0, server.stats().timeouts(Kind.READ));
        }
    }

    @Test
    void writeTimeoutBoundsAStallNotALongResponseToAReadingPeer() throws Exception {
        int size = 1024 * 1024;
        CompletableFuture<Long> done = new CompletableFuture<>();
        try (TcpServer server = Net.builder().writeTimeout(Duration.ofMillis(500)).sendBufferSize(16 * 1024)
                .handler(conn -> {
                    try {
                        conn.out().write(new byte[size]); // one call, far longer in total than writeTimeout
                        conn.out().flush();
                        done.complete(conn.out().bytesWritten());
                    } catch (IOException e) {
                        done.completeExceptionally(e);
                        throw e;
                    }
                }).start();
             Socket s = new Socket()) {
            s.setReceiveBufferSize(16 * 1024);
            s.connect(new InetSocketAddress(Net.LOOPBACK, server.port()), 5_000);
            s.setSoTimeout(10_000);
            byte[] b = new byte[16 * 1024];
            long total = 0;
            long start = System.nanoTime();
            for (int n; (n = s.getInputStream().read(b)) != -1; ) {
                total += n;
                Thread.sleep(20); // ~800 KB/s: slow, but always reading
            }
            assertEquals(size, total);
            assertEquals(size, done.get(5, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - start > Duration.ofMillis(500).toNanos(), "took longer than writeTimeout");
            assertEquals(0, server.stats().timeouts(Kind.WRITE));
        }
    }

    @Test
    void writeTimeoutCutsAPeerThatNeverReadsWhileOthersKeepWorking() throws Exception {
        CompletableFuture<Long> flooder = new CompletableFuture<>();
        try (TcpServer server = Net.builder().writeTimeout(Duration.ofMillis(200)).sendBufferSize(8192)
                .handler(conn -> {
                    String first = conn.in().readLine(100);
                    if ("flood".equals(first)) {
                        byte[] chunk = new byte[16 * 1024];
                        try {
                            for (int i = 0; i < 4096; i++) { // bounded: 64 MiB, far beyond any socket buffer
                                conn.out().write(chunk);
                            }
                            flooder.complete(conn.out().bytesWritten());
                        } catch (IOException e) {
                            flooder.completeExceptionally(e);
                            throw e;
                        }
                        return;
                    }
                    for (String line = first; line != null; line = conn.in().readLine(100)) {
                        conn.out().write(ascii(line + "\n"));
                        conn.out().flush();
                    }
                }).start()) {
            try (Socket stuck = new Socket()) {
                stuck.setReceiveBufferSize(4096);
                stuck.connect(new InetSocketAddress(Net.LOOPBACK, server.port()), 5_000);
                stuck.getOutputStream().write(ascii("flood\n"));
                try (Socket other = Net.connect(server)) {
                    BufferedReader r = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.US_ASCII));
                    for (int i = 0; !flooder.isDone() && i < 2000; i++) {
                        other.getOutputStream().write(ascii("ping " + i + "\n"));
                        assertEquals("ping " + i, r.readLine());
                    }
                    ConnectionTimeoutException e = assertInstanceOf(ConnectionTimeoutException.class, failureOf(flooder));
                    assertEquals(Kind.WRITE, e.kind());
                    assertTrue(e.getMessage().contains("writeTimeout=200 ms"), e.getMessage());
                    other.getOutputStream().write(ascii("still here\n"));
                    assertEquals("still here", r.readLine());
                }
            }
            assertEquals(1, server.stats().timeouts(Kind.WRITE));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
        }
    }

    /** A chat's broadcaster writes from another thread while the connection's own thread waits reading. */
    @Test
    void writesFromAnotherThreadDoNotLiftTheReadTimeout() throws Exception {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        try (TcpServer server = Net.builder().readTimeout(Duration.ofMillis(300)).handler(conn -> {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    while (!result.isDone()) {
                        conn.out().write('.');
                        conn.out().flush();
                        Thread.sleep(5); // a steady writer: each write starts and ends its own guard
                    }
                } catch (IOException | InterruptedException e) {
                    // the connection closed under it: done
                }
            });
            try {
                result.complete(conn.in().read());
            } catch (IOException e) {
                result.completeExceptionally(e);
                throw e;
            } finally {
                writer.join();
            }
        }).start();
             Socket s = Net.connect(server)) {
            Thread.ofVirtual().start(() -> { // keep reading, so the writer never blocks
                try {
                    s.getInputStream().transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // closed at the end of the test
                }
            });
            ConnectionTimeoutException e = assertInstanceOf(ConnectionTimeoutException.class, failureOf(result));
            assertEquals(Kind.READ, e.kind());
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
        }
    }

    /** The reader's guard must not replace the bound of a write blocked on a peer that never reads. */
    @Test
    void aReadOnTheConnectionThreadDoesNotLiftTheWriteTimeoutOfAnotherThread() throws Exception {
        CompletableFuture<Throwable> writeFailure = new CompletableFuture<>();
        try (TcpServer server = Net.builder().readTimeout(Duration.ofSeconds(30)).writeTimeout(Duration.ofMillis(300))
                .sendBufferSize(64 * 1024).handler(conn -> {
                    Thread writer = Thread.ofVirtual().start(() -> {
                        byte[] chunk = new byte[64 * 1024];
                        try {
                            while (true) {
                                conn.out().write(chunk);
                            }
                        } catch (IOException e) {
                            writeFailure.complete(e);
                        }
                    });
                    try {
                        conn.in().read(); // blocks: the peer sends nothing
                    } finally {
                        writer.join();
                    }
                }).start();
             Socket s = Net.connect(server)) {
            s.setReceiveBufferSize(4096);
            Throwable t = writeFailure.get(10, TimeUnit.SECONDS);
            assertTrue(t instanceof IOException, String.valueOf(t));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().timeouts(Kind.WRITE) == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
        }
    }

    /**
     * A server streaming to a slow but steady reader with the kernel's default send buffer (which
     * Linux autotunes to megabytes on loopback: one blocked write then waits for a large part of it
     * to drain). writeTimeout bounds a stall, so this reader is never cut. The reader reads 16 KiB
     * every 50 ms for 50 reads (about 2.5 s, past writeTimeout), then the rest at full speed.
     */
    @Test
    void writeTimeoutNeverCutsASlowButSteadyReader() throws Exception {
        int size = 6 * 1024 * 1024;
        CompletableFuture<Long> done = new CompletableFuture<>();
        try (TcpServer server = Net.builder().writeTimeout(Duration.ofSeconds(1)).handler(conn -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                for (int sent = 0; sent < size; sent += chunk.length) {
                    conn.out().write(chunk);
                }
                conn.out().flush();
                done.complete(conn.out().bytesWritten());
            } catch (IOException e) {
                done.completeExceptionally(e);
                throw e;
            }
        }).start(); Socket s = Net.connect(server)) {
            byte[] b = new byte[16 * 1024];
            long total = 0;
            int reads = 0;
            for (int n; (n = s.getInputStream().read(b)) != -1; ) {
                total += n;
                if (++reads <= 50) {
                    Thread.sleep(50); // a slow peer: about 320 KB/s, never pausing
                }
            }
            assertEquals(size, total, "every byte arrived: the server did not cut the reader");
            assertEquals(size, done.get(5, TimeUnit.SECONDS));
            assertEquals(0, server.stats().timeouts(Kind.WRITE));
        }
    }

    /** The other half of the contract: a reader that stops is cut, though it read before. */
    @Test
    void writeTimeoutCutsAReaderThatStopsReading() throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        try (TcpServer server = Net.builder().writeTimeout(Duration.ofMillis(500)).handler(conn -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                for (int i = 0; i < 1024; i++) { // bounded: 64 MiB, far beyond any socket buffer
                    conn.out().write(chunk);
                }
                done.complete(conn.out().bytesWritten());
            } catch (IOException e) {
                done.completeExceptionally(e);
                throw e;
            }
        }).start(); Socket s = Net.connect(server)) {
            s.getInputStream().readNBytes(256 * 1024); // reads a while, then stops
            ConnectionTimeoutException e = assertInstanceOf(ConnectionTimeoutException.class, failureOf(done));
            assertEquals(Kind.WRITE, e.kind());
            assertTrue(e.getMessage().contains("writeTimeout=500 ms"), e.getMessage());
            assertEquals(1, server.stats().timeouts(Kind.WRITE));
        }
    }

    /** SocketOutput.deadline bounds a whole response, even to a peer that keeps reading. */
    @Test
    void aWriteDeadlineBoundsAWholeResponseEvenToAReadingPeer() throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        CompletableFuture<Instant> seen = new CompletableFuture<>();
        try (TcpServer server = Net.builder().writeTimeout(Duration.ofSeconds(30)).handler(conn -> {
            Instant deadline = Instant.now().plusMillis(400);
            conn.out().deadline(Instant.now().plusSeconds(60));
            conn.out().deadline(null);
            if (conn.out().deadline() != null) {
                throw new AssertionError("deadline(null) clears it");
            }
            conn.out().deadline(deadline);
            seen.complete(conn.out().deadline());
            byte[] chunk = new byte[64 * 1024];
            try {
                for (int i = 0; i < 1024; i++) {
                    conn.out().write(chunk);
                }
                done.complete(conn.out().bytesWritten());
            } catch (IOException e) {
                done.completeExceptionally(e);
                throw e;
            }
        }).start(); Socket s = Net.connect(server)) {
            Thread.ofVirtual().start(() -> { // a steady reader: writeTimeout alone would never cut it
                byte[] b = new byte[16 * 1024];
                try {
                    while (s.getInputStream().read(b) != -1) {
                        Thread.sleep(50); // a slow but steady reader
                    }
                } catch (IOException | InterruptedException ignored) {
                    // cut by the server: expected
                }
            });
            ConnectionTimeoutException e = assertInstanceOf(ConnectionTimeoutException.class, failureOf(done));
            assertEquals(Kind.WRITE, e.kind());
            assertTrue(e.getMessage().contains("deadline " + seen.get(1, TimeUnit.SECONDS)), e.getMessage());
            assertEquals(1, server.stats().timeouts(Kind.WRITE));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
        }
    }
}
