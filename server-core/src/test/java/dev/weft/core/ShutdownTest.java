package dev.weft.core;

import static dev.weft.core.Net.ascii;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: idle closed at once, busy allowed to finish, overrunning ones forced; one report. */
class ShutdownTest {

    @Test
    void anOnDrainingActionRunsOnTheShutdownThreadAndItsIdleConnectionGetsTheGrace() throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Thread> ranOn = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<Thread> lateRanOn = new java.util.concurrent.atomic.AtomicReference<>();
        TcpServer server = Net.builder().handler(conn -> {
            conn.onDraining(() -> {
                ranOn.set(Thread.currentThread());
                try {
                    conn.out().write(ascii("going away\n")); // a protocol's goodbye, from the shutdown thread
                    conn.out().flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            conn.markIdle();
            ready.countDown();
            conn.in().readLine(100);      // the client answers the goodbye
            conn.markIdle();              // idle during the drain: still not closed, it has an action
            conn.onDraining(() -> lateRanOn.set(Thread.currentThread())); // already draining: runs at once
            conn.out().write(ascii("bye\n"));
        }).start();
        try (Socket c = Net.connect(server)) {
            assertTrue(ready.await(10, TimeUnit.SECONDS));
            Thread[] shutdownThread = new Thread[1];
            CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> {
                shutdownThread[0] = Thread.currentThread();
                return server.shutdown(Duration.ofSeconds(10));
            });
            BufferedReader r = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals("going away", r.readLine(), "the action ran, and the idle connection was not closed");
            c.getOutputStream().write(ascii("ok\n"));
            assertEquals("bye", r.readLine(), "marking idle while draining did not close it either");
            ShutdownReport done = report.get(10, TimeUnit.SECONDS);
            assertSame(shutdownThread[0], ranOn.get());
            assertNotNull(lateRanOn.get());
            assertTrue(lateRanOn.get().isVirtual(), "registered while draining: ran at once on the connection's thread");
            assertEquals(1, done.completed(), done.toString());
            assertEquals(0, done.closedIdle(), done.toString());
        }
    }

    @Test
    void drainsIdleAtOnceLetsBusyFinishForcesTheRestAndReports() throws Exception {
        CountDownLatch ready = new CountDownLatch(4);
        CountDownLatch finishWork = new CountDownLatch(1);
        long platformThreadsBefore = Net.weftPlatformThreads();
        java.util.Queue<Thread> handlerThreads = new java.util.concurrent.ConcurrentLinkedQueue<>();
        TcpServer server = Net.builder().readTimeout(Duration.ZERO).handler(conn -> {
            handlerThreads.add(Thread.currentThread());
            String cmd = conn.in().readLine(100);
            switch (cmd) {
                case "idle" -> {
                    conn.markIdle();
                    ready.countDown();
                    conn.in().read(); // fails once shutdown closes the idle connection
                }
                case "work" -> {   // busy, finishes within the grace and closes
                    ready.countDown();
                    finishWork.await(10, TimeUnit.SECONDS);
                    conn.out().write(ascii("done\n"));
                }
                case "work-then-idle" -> {  // busy, then goes idle during the drain: closed as idle
                    ready.countDown();
                    finishWork.await(10, TimeUnit.SECONDS);
                    conn.out().write(ascii("done\n"));
                    conn.out().flush();
                    conn.markIdle();
                    conn.in().read();
                }
                case "forever" -> {  // busy past the grace: forced
                    ready.countDown();
                    conn.in().read();
                }
                default -> throw new IllegalArgumentException(cmd);
            }
        }).start();
        assertEquals(platformThreadsBefore + 2, Net.weftPlatformThreads(), "the acceptor and the write watchdog");
        try (Net.LogCapture log = new Net.LogCapture();
             Socket idle = Net.connect(server); Socket work = Net.connect(server);
             Socket workThenIdle = Net.connect(server); Socket forever = Net.connect(server)) {
            idle.getOutputStream().write(ascii("idle\n"));
            work.getOutputStream().write(ascii("work\n"));
            workThenIdle.getOutputStream().write(ascii("work-then-idle\n"));
            forever.getOutputStream().write(ascii("forever\n"));
            assertTrue(ready.await(10, TimeUnit.SECONDS));

            CompletableFuture<ShutdownReport> first = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofMillis(1500)));
            // The idle one is closed at once, while the busy ones are still held by the latch.
            assertTrue(Net.closedByPeer(idle.getInputStream()));
            assertFalse(first.isDone());
            assertTrue(server.isDraining());
            assertThrows(ConnectException.class, () -> new Socket(Net.LOOPBACK, server.port()).close(), "listener closed");

            CompletableFuture<ShutdownReport> second = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ZERO));
            finishWork.countDown();
            BufferedReader w = new BufferedReader(new InputStreamReader(work.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals("done", w.readLine());
            assertEquals(null, w.readLine());
            BufferedReader wi = new BufferedReader(new InputStreamReader(workThenIdle.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals("done", wi.readLine());
            assertEquals(null, wi.readLine());

            ShutdownReport report = first.get(10, TimeUnit.SECONDS);
            assertEquals(4, handlerThreads.size());
            assertTrue(handlerThreads.stream().noneMatch(Thread::isAlive), "shutdown returns after every connection thread ended");
            assertEquals(1, report.completed(), report.toString());
            assertEquals(2, report.closedIdle(), report.toString());
            assertEquals(1, report.forced(), report.toString());
            assertTrue(report.elapsed().compareTo(Duration.ofMillis(1400)) >= 0, report.toString());
            assertTrue(Net.closedByPeer(forever.getInputStream()));

            assertSame(report, second.get(10, TimeUnit.SECONDS));
            assertSame(report, server.shutdown());
            server.awaitTermination();
            assertEquals(0, server.stats().active());
            assertEquals(platformThreadsBefore, Net.weftPlatformThreads(), "no acceptor or watchdog left");
            assertTrue(!log.text().contains("WARN") && !log.text().contains("ERROR"), "closing is not an error: " + log.text());
        }
    }

    /** What a multiplexing protocol (HTTP/2) counts with Connection.streamEnded: only during the drain, summed in the report. */
    @Test
    void theReportSumsTheStreamsProtocolsCountedDuringTheDrain() throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch drained = new CountDownLatch(1);
        TcpServer server = Net.builder().handler(conn -> {
            conn.streamEnded(true); // before any shutdown: not counted
            conn.onDraining(() -> {
                conn.streamEnded(true); // one that ended as the drain began
                drained.countDown();
            });
            ready.countDown();
            try {
                if (!drained.await(10, TimeUnit.SECONDS)) {
                    throw new IOException("the drain never began");
                }
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            conn.streamEnded(true); // ended during the drain, before the connection's thread
            conn.streamEnded(false);
        }).start();
        try (Socket c = Net.connect(server)) {
            assertTrue(ready.await(10, TimeUnit.SECONDS));
            ShutdownReport r = server.shutdown(Duration.ofSeconds(10));
            assertEquals(2, r.streamsCompleted(), r.toString());
            assertEquals(1, r.streamsReset(), r.toString());
            assertEquals(1, r.completed(), r.toString());
        }
    }

    @Test
    void shutdownWithNothingOpenIsQuickAndLeavesNoThread() throws Exception {
        long before = Net.weftPlatformThreads();
        TcpServer server = Net.builder().writeTimeout(Duration.ofMillis(100)).registerShutdownHook(true)
                .handler(conn -> conn.in().transferTo(conn.out())).start();
        assertEquals(before + 2, Net.weftPlatformThreads(), "acceptor and watchdog");
        CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
            try {
                server.awaitTermination();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        ShutdownReport report = server.shutdown(Duration.ofSeconds(5));
        waiter.get(5, TimeUnit.SECONDS);
        assertEquals(new ShutdownReport(0, 0, 0, report.elapsed()), report);
        assertTrue(report.elapsed().compareTo(Duration.ofSeconds(1)) < 0, report.toString());
        assertEquals(before, Net.weftPlatformThreads());
        assertThrows(IllegalArgumentException.class, () -> server.shutdown(Duration.ofSeconds(-1)));
    }

    @Test
    void shutdownReleasesAnAcceptorWaitingAtMaxConnections() throws Exception {
        long before = Net.weftPlatformThreads();
        TcpServer server = Net.builder().maxConnections(1).handler(conn -> conn.in().transferTo(conn.out())).start();
        try (Socket a = Net.connect(server); Socket b = new Socket()) {
            a.getOutputStream().write('x');
            assertEquals('x', a.getInputStream().read());
            b.connect(new InetSocketAddress(Net.LOOPBACK, server.port()), 5_000); // waits in the backlog
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().waitedAtLimit() >= 1);
            ShutdownReport report = server.shutdown(Duration.ofMillis(200));
            assertEquals(1, report.forced(), report.toString());
            assertEquals(before, Net.weftPlatformThreads());
            assertTrue(Net.closedByPeer(a.getInputStream()));
        }
    }

    @Test
    void aHandlerThatKeepsWorkingAfterDrainStartsSeesIsDraining() throws Exception {
        CompletableFuture<Boolean> sawDraining = new CompletableFuture<>();
        CountDownLatch started = new CountDownLatch(1);
        TcpServer server = Net.builder().handler(conn -> {
            started.countDown();
            await().atMost(Duration.ofSeconds(5)).until(conn::isDraining);
            sawDraining.complete(true);
            conn.out().write(ascii("bye\n"));
        }).start();
        try (Socket s = Net.connect(server)) {
            assertTrue(started.await(5, TimeUnit.SECONDS));
            ShutdownReport report = server.shutdown(Duration.ofSeconds(5));
            assertTrue(sawDraining.get(1, TimeUnit.SECONDS));
            assertEquals(1, report.completed());
            assertEquals("bye\n", Net.readAll(s));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Shutdown says what it does at INFO: where it listened, what the drain found, and how it ended, by id. */
    @Test
    void shutdownLogsWhatItDoesInReadableTerms() throws Exception {
        CountDownLatch ready = new CountDownLatch(2);
        java.util.concurrent.atomic.AtomicLong stuckId = new java.util.concurrent.atomic.AtomicLong();
        try (Net.LogCapture log = new Net.LogCapture()) {
            TcpServer server = Net.builder().readTimeout(Duration.ZERO).handler(conn -> {
                String cmd = conn.in().readLine(100);
                if ("idle".equals(cmd)) {
                    conn.markIdle();
                } else {
                    stuckId.set(conn.id());
                }
                ready.countDown();
                conn.in().read(); // the idle one is closed at once, the other is forced
            }).start();
            try (Socket idle = Net.connect(server); Socket stuck = Net.connect(server)) {
                idle.getOutputStream().write(ascii("idle\n"));
                stuck.getOutputStream().write(ascii("stuck\n"));
                assertTrue(ready.await(5, TimeUnit.SECONDS));
                ShutdownReport report = server.shutdown(Duration.ofMillis(300));
                assertEquals(java.util.List.of(stuckId.get()), report.forcedIds());
                assertEquals(1, report.forced());
            }
            String text = log.text();
            assertTrue(text.contains("INFO dev.weft.core.TcpServer - listening on 127.0.0.1 port " + server.port()
                    + " (plain TCP"), text);
            assertTrue(text.contains("port " + server.port() + " draining: 1 idle closed, 1 busy given up to 300 ms to finish"),
                    text);
            assertTrue(java.util.regex.Pattern.compile("port " + server.port()
                    + " shut down in \\d+(\\.\\d)? m?s: 0 completed, 1 closed idle, 1 forced \\(conn " + stuckId.get() + "\\)")
                    .matcher(text).find(), text);
            assertFalse(text.contains("PT"), "durations for people, not ISO-8601: " + text);
        }
    }
}
