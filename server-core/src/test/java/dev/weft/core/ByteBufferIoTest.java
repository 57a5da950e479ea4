package dev.weft.core;

import static dev.weft.core.Net.ascii;
import static dev.weft.core.Net.failureOf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ConnectionTimeoutException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@link SocketInput#read(ByteBuffer)} and {@link SocketOutput#write(ByteBuffer)}: the bulk path
 * straight between a direct buffer and the socket, and every other kind of buffer through the
 * connection's own; the bytes, their order, the counts and the bounds as with arrays.
 */
class ByteBufferIoTest {

    private static final int EIGHT_MIB = 8 * 1024 * 1024;

    /** Echoes through one buffer of {@code size} bytes ({@code direct} or heap) until the peer's FIN. */
    static ConnectionHandler echoThrough(int size, boolean direct, CompletableFuture<long[]> counts) {
        return conn -> {
            ByteBuffer b = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
            while (true) {
                if (conn.in().buffered() == 0) {
                    conn.out().flush(); // what came is echoed before we wait for more
                }
                int n = conn.in().read(b.clear());
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    throw new AssertionError("read(ByteBuffer) returned 0 with " + b.remaining() + " bytes of room");
                }
                conn.out().write(b.flip());
                if (b.hasRemaining()) {
                    throw new AssertionError("write(ByteBuffer) left " + b.remaining() + " bytes");
                }
            }
            conn.out().flush();
            counts.complete(new long[] {conn.in().bytesRead(), conn.out().bytesWritten()});
        };
    }

    /** Sends {@code total} random bytes and a FIN from one thread while this one reads the echo; returns both digests equal. */
    static void assertEchoed(Socket s, int total) throws Exception {
        s.setSoTimeout(20_000);
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = s.getOutputStream();
                Random random = new Random(7);
                byte[] chunk = new byte[50_000]; // not a multiple of any buffer size: partial reads at odd places
                for (int written = 0; written < total; ) {
                    int n = Math.min(chunk.length, total - written);
                    random.nextBytes(chunk);
                    sent.update(chunk, 0, n);
                    out.write(chunk, 0, n);
                    written += n;
                }
                s.shutdownOutput();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        InputStream in = s.getInputStream();
        byte[] b = new byte[32 * 1024];
        long got = 0;
        for (int n; (n = in.read(b)) != -1; ) {
            received.update(b, 0, n);
            got += n;
        }
        writer.get(20, TimeUnit.SECONDS);
        assertEquals(total, got);
        assertArrayEquals(sent.digest(), received.digest(), "the echo is the bytes sent, in order");
    }

    @ParameterizedTest(name = "direct buffer of {0} bytes")
    @ValueSource(ints = {64 * 1024, 1024 * 1024, 100, 1})
    void aDirectBufferEchoesEveryByteInOrder(int size) throws Exception {
        CompletableFuture<long[]> counts = new CompletableFuture<>();
        int total = size == 1 ? 64 * 1024 : EIGHT_MIB;
        try (TcpServer server = Net.builder().handler(echoThrough(size, true, counts)).start(); Socket s = Net.connect(server)) {
            assertEchoed(s, total);
            assertArrayEquals(new long[] {total, total}, counts.get(10, TimeUnit.SECONDS), "bytesRead, bytesWritten");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().bytesIn() == total && server.stats().bytesOut() == total);
        }
    }

    @Test
    void aHeapBufferEchoesEveryByteInOrder() throws Exception {
        CompletableFuture<long[]> counts = new CompletableFuture<>();
        try (TcpServer server = Net.builder().handler(echoThrough(64 * 1024, false, counts)).start();
             Socket s = Net.connect(server)) {
            assertEchoed(s, EIGHT_MIB);
            assertArrayEquals(new long[] {EIGHT_MIB, EIGHT_MIB}, counts.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aPumpOfPeekAndTransferBufferedEchoesEveryByteInOrder() throws Exception {
        CompletableFuture<long[]> counts = new CompletableFuture<>();
        try (TcpServer server = Net.builder().handler(conn -> {
            while (true) {
                if (conn.in().buffered() == 0) {
                    conn.out().flush();
                    if (conn.in().peek() < 0) {
                        break;
                    }
                }
                int n = conn.in().transferBuffered(conn.out(), 3000); // not a divisor of the buffer: odd places
                if (n <= 0 || n > 3000) {
                    throw new AssertionError("transferBuffered returned " + n);
                }
            }
            conn.out().flush();
            counts.complete(new long[] {conn.in().bytesRead(), conn.out().bytesWritten()});
        }).start(); Socket s = Net.connect(server)) {
            assertEchoed(s, EIGHT_MIB);
            assertArrayEquals(new long[] {EIGHT_MIB, EIGHT_MIB}, counts.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void transferBufferedNeverReadsAndConsumesNothingWhenItsTargetThrows() throws Exception {
        CompletableFuture<List<Object>> results = new CompletableFuture<>();
        CompletableFuture<Void> asked = new CompletableFuture<>();
        try (TcpServer server = Net.builder().handler(conn -> {
            List<Object> r = new ArrayList<>();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            r.add(conn.in().transferBuffered(got, 100)); // nothing buffered yet: 0, and no read
            asked.complete(null);
            r.add(conn.in().readLine(100)); // "a", and "bcdef" stays buffered
            r.add(conn.in().transferBuffered(got, 0));
            try {
                conn.in().transferBuffered(new OutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        throw new IOException("full");
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        throw new IOException("full");
                    }
                }, 100);
            } catch (IOException e) {
                r.add(e.getMessage());
            }
            r.add(conn.in().buffered());
            r.add(conn.in().transferBuffered(got, 2));
            r.add(conn.in().transferBuffered(got, 100));
            r.add(got.toString(StandardCharsets.US_ASCII));
            try {
                conn.in().transferBuffered(got, -1);
            } catch (IllegalArgumentException e) {
                r.add("IAE");
            }
            results.complete(r);
        }).start(); Socket s = Net.connect(server)) {
            asked.get(10, TimeUnit.SECONDS);
            s.getOutputStream().write(ascii("a\nbcdef"));
            assertEquals(List.of(0, "a", 0, "full", 5, 2, 3, "bcdef", "IAE"), results.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void bufferedBytesComeFirstAndBufferedOutputGoesBeforeADirectWrite() throws Exception {
        CompletableFuture<String> read = new CompletableFuture<>();
        try (TcpServer server = Net.builder().handler(conn -> {
            String line = conn.in().readLine(100); // buffers whatever followed the line
            ByteBuffer b = ByteBuffer.allocateDirect(256 * 1024);
            while (b.position() < 6) {
                if (conn.in().read(b) < 0) {
                    break;
                }
            }
            read.complete(line + "|" + StandardCharsets.US_ASCII.decode(b.flip()));
            conn.out().write(ascii("head:")); // stays in the connection's buffer ...
            ByteBuffer big = ByteBuffer.allocateDirect(128 * 1024);
            while (big.hasRemaining()) {
                big.put((byte) 'x');
            }
            conn.out().write(big.flip()); // ... and goes out before these
            conn.out().write(ByteBuffer.wrap(ascii(":tail"), 1, 3).slice()); // a heap buffer's remaining bytes only
        }).start(); Socket s = Net.connect(server)) {
            s.getOutputStream().write(ascii("hello\nworld!"));
            assertEquals("hello|world!", read.get(10, TimeUnit.SECONDS));
            byte[] got = s.getInputStream().readAllBytes();
            assertEquals(5 + 128 * 1024 + 3, got.length);
            assertEquals("head:", new String(got, 0, 5, StandardCharsets.US_ASCII));
            for (int i = 5; i < 5 + 128 * 1024; i++) {
                if (got[i] != 'x') {
                    throw new AssertionError("byte " + i + " is " + got[i]);
                }
            }
            assertEquals("tai", new String(got, 5 + 128 * 1024, 3, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void endOfStreamIsMinusOneAndAFullBufferReadsNothing() throws Exception {
        CompletableFuture<List<Integer>> results = new CompletableFuture<>();
        try (TcpServer server = Net.builder().handler(conn -> {
            List<Integer> r = new ArrayList<>();
            r.add(conn.in().read(ByteBuffer.allocateDirect(64 * 1024).position(64 * 1024))); // no room: 0, no read
            ByteBuffer b = ByteBuffer.allocateDirect(64 * 1024);
            int n;
            while ((n = conn.in().read(b)) > 0) {
                r.add(n);
            }
            r.add(n);
            r.add(conn.in().read(ByteBuffer.allocate(10))); // still at the end
            results.complete(r);
        }).start(); Socket s = Net.connect(server)) {
            s.getOutputStream().write(ascii("abc"));
            s.shutdownOutput();
            List<Integer> r = results.get(10, TimeUnit.SECONDS);
            assertEquals(0, r.getFirst());
            assertEquals(3, r.subList(1, r.size() - 2).stream().mapToInt(Integer::intValue).sum());
            assertEquals(List.of(-1, -1), r.subList(r.size() - 2, r.size()));
        }
    }

    @Test
    void readTimeoutBoundsADirectRead() throws Exception {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        try (TcpServer server = Net.builder().readTimeout(Duration.ofMillis(200)).handler(conn -> {
            try {
                result.complete(conn.in().read(ByteBuffer.allocateDirect(64 * 1024)));
            } catch (IOException e) {
                result.completeExceptionally(e);
                throw e;
            }
        }).start(); Socket s = Net.connect(server)) {
            ConnectionTimeoutException e = assertInstanceOf(ConnectionTimeoutException.class, failureOf(result));
            assertEquals(Kind.READ, e.kind());
            assertTrue(e.getMessage().contains("readTimeout=200 ms"), e.getMessage());
            assertTrue(Net.closedByPeer(s.getInputStream()), "server closed the socket");
            assertEquals(1, server.stats().timeouts(Kind.READ));
        }
    }

    @Test
    void writeTimeoutCutsADirectWriteToAPeerThatStopsReading() throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        try (TcpServer server = Net.builder().writeTimeout(Duration.ofMillis(300)).handler(conn -> {
            ByteBuffer chunk = ByteBuffer.allocateDirect(1024 * 1024);
            try {
                for (int i = 0; i < 64; i++) { // bounded: 64 MiB, far beyond any socket buffer
                    conn.out().write(chunk.clear());
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
            assertTrue(e.getMessage().contains("writeTimeout=300 ms"), e.getMessage());
            assertEquals(1, server.stats().timeouts(Kind.WRITE));
        }
    }
}
