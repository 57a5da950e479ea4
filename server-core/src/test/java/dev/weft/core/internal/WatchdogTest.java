package dev.weft.core.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ConnectionHandler;
import dev.weft.core.ConnectionTimeoutException;
import dev.weft.core.TcpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The watchdog is every plain-TCP timeout: one failing check must not end it. */
class WatchdogTest {

    private static Socket connect(Engine engine) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), engine.port()), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    @Test
    void aFailingCheckIsLoggedRateLimitedAndTimeoutsStillFire() throws Exception {
        PrintStream saved = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        ConcurrentHashMap<Long, CompletableFuture<Throwable>> reads = new ConcurrentHashMap<>();
        ConnectionHandler handler = conn -> {
            CompletableFuture<Throwable> f = reads.computeIfAbsent(conn.id(), id -> new CompletableFuture<>());
            try {
                conn.in().read();
                f.complete(null);
            } catch (IOException e) {
                f.complete(e);
                throw e;
            }
        };
        AtomicInteger injected = new AtomicInteger();
        Engine engine = Engine.start(TcpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .readTimeout(Duration.ofMillis(200)).handler(handler).build(), handler, ServerSocketChannel.open());
        String text;
        try {
            // Connection 1's check fails on every tick, as a bug (or a failing log call) would make it.
            engine.watchdog().beforeCheck = c -> {
                if (c.id() == 1) {
                    injected.incrementAndGet();
                    throw new Error("injected into the check of conn 1"); // not an Exception: any Throwable
                }
            };
            try (Socket first = connect(engine)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> injected.get() >= 3);
                assertTrue(engine.stats().watchdogAlive(), "still ticking after the failures");
                // A connection made after the failures still gets its read timeout.
                try (Socket second = connect(engine)) {
                    await().atMost(Duration.ofSeconds(5)).until(() -> reads.containsKey(2L));
                    Throwable t = reads.get(2L).get(5, TimeUnit.SECONDS);
                    ConnectionTimeoutException e = assertInstanceOf(ConnectionTimeoutException.class, t);
                    assertEquals(ConnectionTimeoutException.Kind.READ, e.kind());
                }
                assertTrue(engine.stats().watchdogAlive());
                // Once the fault is gone, the faulty connection's own timeout fires too.
                int before = injected.get();
                engine.watchdog().beforeCheck = null;
                Throwable t = reads.get(1L).get(5, TimeUnit.SECONDS);
                assertInstanceOf(ConnectionTimeoutException.class, t);
                assertTrue(before >= 3);
            }
        } finally {
            engine.shutdown(Duration.ofSeconds(1));
            System.setErr(saved);
            text = log.toString(StandardCharsets.UTF_8);
            saved.print(text);
        }
        long errors = text.lines().filter(l -> l.contains("ERROR") && l.contains("watchdog")).count();
        // Several ticks failed; a permanent fault is one line (two if the test ran past the interval), not one a tick.
        assertTrue(errors >= 1 && errors <= 2, errors + " ERROR lines:\n" + text);
        assertTrue(text.contains("injected into the check of conn 1"), text);
        assertTrue(!engine.stats().watchdogAlive(), "stopped with the server");
    }

    @Test
    void aFailingTickDoesNotEndTheWatchdog() throws Exception {
        ConcurrentHashMap<Long, CompletableFuture<Throwable>> reads = new ConcurrentHashMap<>();
        ConnectionHandler handler = conn -> {
            CompletableFuture<Throwable> f = reads.computeIfAbsent(conn.id(), id -> new CompletableFuture<>());
            try {
                conn.in().read();
                f.complete(null);
            } catch (IOException e) {
                f.complete(e);
                throw e;
            }
        };
        Engine engine = Engine.start(TcpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .readTimeout(Duration.ofMillis(200)).handler(handler).build(), handler, ServerSocketChannel.open());
        try {
            AtomicInteger left = new AtomicInteger(3);
            // A fault outside any one connection's check: the next three ticks fail as a whole.
            engine.watchdog().onTick = () -> {
                if (left.getAndDecrement() > 0) {
                    throw new IllegalStateException("injected tick failure");
                }
            };
            try (Socket s = connect(engine)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> reads.containsKey(1L));
                Throwable t = reads.get(1L).get(5, TimeUnit.SECONDS);
                assertInstanceOf(ConnectionTimeoutException.class, t);
                assertTrue(left.get() < 0);
                assertTrue(engine.stats().watchdogAlive());
            }
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        } finally {
            engine.shutdown(Duration.ofSeconds(1));
        }
    }
}
