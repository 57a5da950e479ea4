package dev.weft.core;

import static dev.weft.core.Net.ascii;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.internal.ConnectionImpl;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The Connection contract: half-close both ways, idle/busy, buffers given back while idle. */
class ConnectionTest {

    @Test
    void clientHalfCloseLetsTheServerFinishTheEchoAndClose() throws Exception {
        try (TcpServer server = Net.builder().handler(conn -> conn.in().transferTo(conn.out())).start();
             Socket s = Net.connect(server)) {
            byte[] data = new byte[100_000];
            new java.util.Random(5).nextBytes(data);
            s.getOutputStream().write(data);
            s.shutdownOutput();
            byte[] back = s.getInputStream().readAllBytes(); // ends: the server closed after the echo
            assertTrue(java.util.Arrays.equals(data, back));
        }
    }

    @Test
    void serverShutdownOutputSendsFinAndKeepsReading() throws Exception {
        CompletableFuture<String> after = new CompletableFuture<>();
        try (TcpServer server = Net.builder().handler(conn -> {
            conn.out().write(ascii("bye\n")); // buffered: shutdownOutput must flush it first
            conn.shutdownOutput();
            after.complete(conn.in().readLine(100));
        }).start(); Socket s = Net.connect(server)) {
            assertEquals("bye\n", Net.readAll(s));
            s.getOutputStream().write(ascii("still reading\n"));
            assertEquals("still reading", after.get(10, TimeUnit.SECONDS));
        }
    }

    /** A line protocol that goes idle between lines (each answered by {@code reply}), its connection kept in {@code ref}. */
    private static ConnectionHandler lines(AtomicReference<ConnectionImpl> ref, java.util.function.UnaryOperator<String> reply) {
        return conn -> {
            ref.set((ConnectionImpl) conn);
            while (true) {
                conn.markIdle();
                if (conn.in().peek() < 0 || !conn.markBusy()) {
                    return;
                }
                String line = conn.in().readLine(100_000);
                conn.out().write(ascii(reply.apply(line) + "\n"));
                conn.out().flush();
            }
        };
    }

    @Test
    void idleConnectionsGiveTheirBuffersBackAndTakeThemOnTheNextByte() throws Exception {
        AtomicReference<ConnectionImpl> ref = new AtomicReference<>();
        try (TcpServer server = Net.builder().idleTimeout(Duration.ZERO).handler(lines(ref, String::toUpperCase)).start();
             Socket s = Net.connect(server)) {
            BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            for (int i = 0; i < 3; i++) {
                s.getOutputStream().write(ascii("req" + i + "\n"));
                assertEquals("REQ" + i, r.readLine());
                ConnectionImpl c = await().atMost(Duration.ofSeconds(5)).until(ref::get, x -> x != null);
                // Between requests: idle, both buffers back in the pool.
                await().atMost(Duration.ofSeconds(5)).until(() -> c.isIdle()
                        && !c.inputImpl().holdsBuffer() && !c.outputImpl().holdsBuffer());
                assertTrue(c.pool().pooled() >= 1);
            }
            // Nobody needs them for a while: the watchdog's trim lets the pooled buffers go.
            ConnectionImpl c = ref.get();
            await().atMost(Duration.ofSeconds(5)).until(() -> c.pool().pooled() == 0);
        }
    }

    /**
     * Messages over the idle array's 256 bytes: the next idle wait begins with a whole buffer,
     * which goes back to the pool when no message comes within a moment. Every size around the
     * array's (255, 256, 257 bytes) and a slow client in between are served whole.
     */
    @Test
    void largeMessagesWaitBrieflyWithAWholeBufferAndGiveItBackWhenTheClientIsSlow() throws Exception {
        AtomicReference<ConnectionImpl> ref = new AtomicReference<>();
        try (TcpServer server = Net.builder().idleTimeout(Duration.ZERO)
                .handler(lines(ref, line -> String.valueOf(line.length()))).start(); Socket s = Net.connect(server)) {
            BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            for (int len : new int[] {1000, 255, 256, 257, 4000, 8191, 20_000, 10, 1000}) {
                // len bytes with the LF: 256 fills the idle array exactly, 257 is one byte over
                s.getOutputStream().write(ascii("x".repeat(len - 1) + "\n"));
                assertEquals(String.valueOf(len - 1), r.readLine());
                ConnectionImpl c = await().atMost(Duration.ofSeconds(5)).until(ref::get, x -> x != null);
                // The client is slow now (it waits for this): the whole buffer goes back all the same.
                await().atMost(Duration.ofSeconds(5)).until(() -> c.isIdle()
                        && !c.inputImpl().holdsBuffer() && !c.outputImpl().holdsBuffer());
            }
            // The client ends right after a large message (in such a wait, or just after it): closed as usual.
            s.getOutputStream().write(ascii("y".repeat(999) + "\n"));
            assertEquals("999", r.readLine());
            s.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
        }
    }

    @Test
    void aLargeReadWhileIdleWaitsInTheCallersArrayHoldingNoPoolBuffer() throws Exception {
        AtomicReference<ConnectionImpl> ref = new AtomicReference<>();
        try (TcpServer server = Net.builder().idleTimeout(Duration.ZERO).handler(conn -> {
            ref.set((ConnectionImpl) conn);
            byte[] big = new byte[64 * 1024];
            while (true) {
                conn.out().flush();
                conn.markIdle();
                int n = conn.in().read(big);
                if (n < 0 || !conn.markBusy()) {
                    return;
                }
                conn.out().write(big, 0, n); // under the buffer size: buffered, then flushed above
            }
        }).start(); Socket s = Net.connect(server)) {
            for (int i = 0; i < 3; i++) {
                s.getOutputStream().write(ascii("ping" + i));
                assertEquals("ping" + i, new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
                ConnectionImpl c = await().atMost(Duration.ofSeconds(5)).until(ref::get, x -> x != null);
                // Blocked in read(big) while idle: neither pool buffer is held.
                await().atMost(Duration.ofSeconds(5)).until(() -> c.isIdle()
                        && !c.inputImpl().holdsBuffer() && !c.outputImpl().holdsBuffer());
            }
        }
    }

    /**
     * A protocol that reads on a thread of its own (a WebSocket endpoint's): its idle waits give
     * the input buffer back, and the output buffer too when the output is shared and its writes
     * go between acquireWriter and releaseWriter.
     */
    @Test
    void aReaderOnAThreadOfItsOwnGivesTheIdleBuffersBack() throws Exception {
        for (boolean shared : new boolean[] {true, false}) {
            AtomicReference<ConnectionImpl> ref = new AtomicReference<>();
            try (TcpServer server = Net.builder().idleTimeout(Duration.ZERO).handler(conn -> {
                if (shared) {
                    conn.shareOutput();
                }
                Thread reader = Thread.ofVirtual().start(() -> {
                    try {
                        while (true) {
                            conn.markIdle();
                            ref.set((ConnectionImpl) conn);
                            String line = conn.in().readLine(1000);
                            if (line == null || !conn.markBusy()) {
                                return;
                            }
                            if (shared && conn.acquireWriter()) {
                                try {
                                    conn.out().write(ascii(line.toUpperCase() + "\n"));
                                    conn.out().flush();
                                } finally {
                                    conn.releaseWriter();
                                }
                            }
                        }
                    } catch (IOException e) {
                        // the client went away
                    }
                });
                reader.join();
            }).start(); Socket s = Net.connect(server)) {
                BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                for (int i = 0; i < 3; i++) {
                    s.getOutputStream().write(ascii("req" + i + "\n"));
                    if (shared) {
                        assertEquals("REQ" + i, r.readLine());
                    }
                    ConnectionImpl c = await().atMost(Duration.ofSeconds(5)).until(ref::get, x -> x != null);
                    long read = 5L * (i + 1);
                    await().atMost(Duration.ofSeconds(5)).until(() -> c.isIdle() && c.inputImpl().bytesRead() >= read
                            && !c.inputImpl().holdsBuffer() && !c.outputImpl().holdsBuffer());
                }
            }
        }
    }

    @Test
    void markBusyFailsOnceDrainClosedTheIdleConnection() throws Exception {
        CountDownLatch idle = new CountDownLatch(1);
        CompletableFuture<Boolean> busyAfterDrain = new CompletableFuture<>();
        TcpServer server = Net.builder().handler(conn -> {
            assertTrue(conn.markBusy(), "busy from the start");
            conn.markIdle();
            assertTrue(conn.isIdle());
            idle.countDown();
            await().atMost(Duration.ofSeconds(5)).until(conn::isClosed);
            busyAfterDrain.complete(conn.markBusy());
        }).start();
        try (Socket s = Net.connect(server)) {
            assertTrue(idle.await(5, TimeUnit.SECONDS));
            ShutdownReport report = server.shutdown(Duration.ofSeconds(5));
            assertFalse(busyAfterDrain.get(5, TimeUnit.SECONDS));
            assertEquals(1, report.closedIdle());
            assertEquals(0, report.forced());
        }
    }

    @Test
    void closeFromTheHandlerFlushesAndLaterCallsAreHarmless() throws Exception {
        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        try (TcpServer server = Net.builder().handler(conn -> {
            conn.out().write(ascii("last words\n"));
            conn.close();
            conn.close();
            closed.complete(conn.isClosed());
        }).start(); Socket s = Net.connect(server)) {
            assertEquals("last words\n", Net.readAll(s));
            assertTrue(closed.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aDeadlineCanBeClearedAndReadsThenWaitForReadTimeoutOnly() throws Exception {
        CompletableFuture<String> got = new CompletableFuture<>();
        try (TcpServer server = Net.builder().readTimeout(Duration.ofSeconds(5)).handler(conn -> {
            conn.in().deadline(java.time.Instant.now().plusMillis(100));
            conn.in().deadline(null);
            ((ConnectionImpl) conn).inputImpl().deadlineAfter(Duration.ofSeconds(5));
            ((ConnectionImpl) conn).inputImpl().deadlineAfter(null);
            got.complete(conn.in().deadline() + " " + conn.in().readLine(100));
        }).start(); Socket s = Net.connect(server)) {
            Thread.sleep(300); // a slow peer: past the cleared 100 ms deadline
            s.getOutputStream().write(ascii("late but fine\n"));
            assertEquals("null late but fine", got.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void addressesAndIdsAreReported() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        try (TcpServer server = Net.builder().handler(conn -> seen.complete(conn.id() + " " + conn.remoteAddress().getPort()
                + " " + conn.localAddress().getPort() + " " + conn.isSecure() + " " + Thread.currentThread().getName()
                + " " + Thread.currentThread().isVirtual())).start();
             Socket s = Net.connect(server)) {
            assertEquals("1 " + s.getLocalPort() + " " + server.port() + " false weft-conn-1 true", seen.get(5, TimeUnit.SECONDS));
            assertEquals(server.port(), server.localAddress().getPort());
        }
    }

    @Test
    void localAddressIsTheConnectionsOwnOnAWildcardBind() throws Exception {
        CompletableFuture<java.net.InetSocketAddress> seen = new CompletableFuture<>();
        try (TcpServer server = TcpServer.builder().shutdownGrace(java.time.Duration.ofSeconds(2))
                .handler(conn -> seen.complete(conn.localAddress())).start();
             Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), server.port())) {
            java.net.InetSocketAddress local = seen.get(5, TimeUnit.SECONDS);
            assertTrue(server.localAddress().getAddress().isAnyLocalAddress(), "the listener is bound to the wildcard");
            assertEquals(s.getInetAddress(), local.getAddress(), "the address the client reached, not the wildcard");
            assertEquals(server.port(), local.getPort());
        }
    }

    /** The look-ahead HTTP uses to judge an unread chunked body: it sees buffered bytes and consumes none. Public API only. */
    @Test
    void bufferedByteLooksAheadWithoutConsuming() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        try (TcpServer server = Net.builder().handler(conn -> {
            int first = conn.in().read(); // one fill: "abcd" arrived in one segment
            SocketInput in = conn.in();
            String looked = "" + (char) first + (char) in.bufferedByte(0) + (char) in.bufferedByte(2)
                    + in.bufferedByte(3) + in.bufferedByte(-1);
            seen.complete(looked + "|" + new String(conn.in().readExactly(3), StandardCharsets.US_ASCII));
        }).start(); Socket s = Net.connect(server)) {
            s.getOutputStream().write(ascii("abcd"));
            s.getOutputStream().flush();
            // past the end and before the start are -1; what was looked at is still there to read
            assertEquals("abd-1-1|bcd", seen.get(5, TimeUnit.SECONDS));
        }
    }

    /** The rest of the protocol seam: leased scratch buffers and a relative deadline, through the public API. */
    @Test
    void buffersAreLeasedFromThePoolAndDeadlineAfterBoundsReads() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        try (TcpServer server = Net.builder().bufferSize(4096).handler(conn -> {
            Buffers buffers = conn.buffers();
            byte[] a = buffers.acquire();
            buffers.release(a);
            byte[] b = buffers.acquire(); // the one just given back
            buffers.release(new byte[7]); // not a pool buffer: ignored
            conn.in().deadlineAfter(java.time.Duration.ofMillis(200));
            String kind;
            try {
                conn.in().read();
                kind = "read returned";
            } catch (ConnectionTimeoutException e) {
                kind = e.kind().name();
            }
            seen.complete(buffers.bufferSize() + " " + a.length + " " + (a == b) + " " + kind);
        }).start(); Socket s = Net.connect(server)) {
            assertEquals("4096 4096 true DEADLINE", seen.get(5, TimeUnit.SECONDS));
        }
    }

    /** Reads until EOF or a failure; returns what arrived and how it ended. */
    private static String readToEnd(Socket s, java.io.ByteArrayOutputStream got) {
        byte[] b = new byte[64 * 1024];
        try {
            for (int n; (n = s.getInputStream().read(b)) > 0; ) {
                got.write(b, 0, n);
            }
            return "EOF";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    /** A client that keeps sending, as an upload the server has stopped reading does. */
    private static Thread keepSending(Socket s, java.util.concurrent.atomic.AtomicBoolean stop) {
        return Thread.ofVirtual().start(() -> {
            byte[] chunk = new byte[1024];
            try {
                while (!stop.get()) {
                    s.getOutputStream().write(chunk);
                    Thread.sleep(5); // a slow uploader, not a wait for something
                }
                s.shutdownOutput();
            } catch (Exception e) {
                // the server reset or closed: the reader reports what it saw
            }
        });
    }

    /**
     * The HTTP 408 case: the read timed out, the answer is written, and the client is still
     * sending. closeGracefully sends the answer and then FIN, so the client reads all of it and
     * then EOF, not a reset that may destroy it.
     */
    @Test
    void closeGracefullyAfterAReadTimeoutDeliversTheWholeAnswerThenEof() throws Exception {
        // Far larger than the socket buffers: much of it is still queued when the close begins.
        int body = 8 << 20;
        byte[] answer = ascii("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: " + body
                + "\r\n\r\n" + "t".repeat(body));
        CompletableFuture<Throwable> timedOut = new CompletableFuture<>();
        CountDownLatch clientSentMore = new CountDownLatch(1);
        try (TcpServer server = Net.builder().readTimeout(Duration.ofMillis(200)).handler(conn -> {
            try {
                conn.in().readLine(100_000);
            } catch (ConnectionTimeoutException e) {
                timedOut.complete(e);
                // Unread input at close time is what makes a plain close send RST instead of FIN.
                assertTrue(clientSentMore.await(5, TimeUnit.SECONDS));
                conn.out().write(answer);
                conn.closeGracefully(Duration.ofSeconds(1), 1 << 20);
                assertTrue(conn.isClosed());
            }
        }).start(); Socket s = Net.connect(server)) {
            s.getOutputStream().write(ascii("GET /a-request-line-that-never-ends"));
            assertTrue(timedOut.get(5, TimeUnit.SECONDS) instanceof ConnectionTimeoutException);
            s.getOutputStream().write(new byte[4096]); // the client goes on sending its request
            clientSentMore.countDown();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread sender = keepSending(s, stop);
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            String end = readToEnd(s, got);
            stop.set(true);
            sender.join();
            assertEquals(answer.length, got.size(), end);
            assertTrue(java.util.Arrays.equals(answer, got.toByteArray()));
            assertEquals("EOF", end);
        }
    }

    /**
     * A client that goes on sending past maxBytes and reads late (a busy HTTP client streaming an
     * upload the server refused): the server stops reading but keeps the socket open for the rest
     * of maxWait, so the answer is still there when the client reads, not reset away with the
     * client's unread bytes the moment the budget ran out.
     */
    @Test
    void closeGracefullyPastMaxBytesHoldsTheAnswerForALateReader() throws Exception {
        byte[] answer = ascii("HTTP/1.1 413 Content Too Large\r\n\r\n");
        CompletableFuture<Long> closedAfter = new CompletableFuture<>();
        try (TcpServer server = Net.builder().handler(conn -> {
            conn.in().readLine(100);
            conn.out().write(answer);
            long start = System.nanoTime();
            conn.closeGracefully(Duration.ofSeconds(2), 4096);
            closedAfter.complete((System.nanoTime() - start) / 1_000_000);
        }).start(); Socket s = Net.connect(server)) {
            s.getOutputStream().write(ascii("upload follows\n"));
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread sender = keepSending(s, stop);
            Thread.sleep(300); // plays a client busy sending: it reads only now, long past the 4 KiB budget
            byte[] got = s.getInputStream().readNBytes(answer.length);
            stop.set(true);
            sender.join();
            assertArrayEquals(answer, got);
            long ms = closedAfter.get(10, TimeUnit.SECONDS);
            assertTrue(ms >= 1500 && ms < 5000, "held open for the rest of maxWait, then closed: " + ms + " ms");
        }
    }

    /**
     * Without a timeout the linger reads and discards what the client still sends: a response
     * far larger than the socket buffers, still being sent when the close begins, arrives whole
     * (a plain close with unread input would reset it midway).
     */
    @Test
    void closeGracefullyDrainsTheClientSoALargeAnswerIsNotReset() throws Exception {
        byte[] answer = new byte[8 << 20];
        new java.util.Random(7).nextBytes(answer);
        try (TcpServer server = Net.builder().handler(conn -> {
            conn.in().readLine(100);
            conn.out().write(answer);
            conn.closeGracefully(Duration.ofSeconds(5), 64 << 20);
        }).start(); Socket s = Net.connect(server)) {
            s.getOutputStream().write(ascii("upload follows\n"));
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread sender = keepSending(s, stop);
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            String end = readToEnd(s, got);
            stop.set(true);
            sender.join();
            assertEquals(answer.length, got.size(), end);
            assertTrue(java.util.Arrays.equals(answer, got.toByteArray()));
            assertEquals("EOF", end);
        }
    }
}
