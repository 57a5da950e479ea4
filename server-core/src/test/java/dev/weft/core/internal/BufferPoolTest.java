package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.TcpServer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The shared buffer pool: bounded, reuses, never hands one buffer to two takers. */
class BufferPoolTest {

    @Test
    void reusesWhatWasGivenBackAndStaysBounded() {
        BufferPool pool = new BufferPool(256, 16);
        byte[] a = pool.acquire(1);
        assertEquals(256, a.length);
        pool.release(a, 1);
        assertSame(a, pool.acquire(1));
        for (int i = 0; i < 100; i++) {
            pool.release(new byte[256], i);
        }
        assertTrue(pool.pooled() <= 16, "bounded: " + pool.pooled());
        pool.release(new byte[100], 0); // a stranger's buffer is ignored
        assertTrue(pool.pooled() <= 16);
        assertNotSame(pool.acquire(0), pool.acquire(0));
    }

    @Test
    void trimDropsOnlyBuffersNobodyUsedSinceTheLastTrim() {
        BufferPool pool = new BufferPool(256, 16);
        for (int i = 0; i < 8; i++) {
            pool.release(new byte[256], i);
        }
        assertEquals(8, pool.pooled());
        assertEquals(0, pool.trim(), "just given back: kept for a period");
        byte[] inUse = pool.acquire(3);
        pool.release(inUse, 3); // slot 3 used during this period
        assertEquals(7, pool.trim(), "the seven untouched slots go");
        assertEquals(1, pool.pooled());
        assertSame(inUse, pool.acquire(3), "the used one stayed");
        pool.release(inUse, 3);
        assertEquals(0, pool.trim());
        assertEquals(1, pool.trim(), "then it too goes once unused for a whole period");
        assertEquals(0, pool.pooled());
        assertEquals(256, pool.acquire(0).length, "an empty pool still hands out buffers");
    }

    @Test
    void concurrentTakersNeverShareABuffer() throws Exception {
        BufferPool pool = new BufferPool(256, 64);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long hint = t;
                results.add(ex.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        byte[] b = pool.acquire(hint);
                        b[0] = (byte) hint;
                        b[255] = (byte) hint;
                        Thread.onSpinWait();
                        if (b[0] != (byte) hint || b[255] != (byte) hint) {
                            return false;
                        }
                        pool.release(b, hint);
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        }
        IdentityHashMap<byte[], Boolean> seen = new IdentityHashMap<>();
        for (int i = 0; i < 64; i++) {
            assertTrue(seen.put(pool.acquire(i), true) == null);
        }
    }

    @Test
    void capacityIsBoundedByCountAndBytes() {
        assertEquals(1024, Engine.poolCapacity(TcpServer.builder().handler(c -> { }).build()));
        assertEquals(2, Engine.poolCapacity(TcpServer.builder().maxConnections(1).handler(c -> { }).build()));
        assertEquals(64, Engine.poolCapacity(TcpServer.builder().bufferSize(1 << 20).handler(c -> { }).build()));
    }

    private static void assertNoBufferTwice(BufferPool pool, int round) {
        IdentityHashMap<byte[], Boolean> seen = new IdentityHashMap<>();
        for (byte[] b : pool.contents()) {
            if (seen.put(b, true) != null) {
                throw new AssertionError("round " + round + ": one buffer is in the pool twice");
            }
        }
    }

    /**
     * Two threads giving a stream's buffer back at once (a reader thread going idle while the
     * connection's thread ends, two threads closing): the buffer goes back once, never into two
     * slots, where two later connections would share it.
     */
    @Test
    void concurrentReleasesOfOneStreamNeverPutABufferInThePoolTwice() throws Exception {
        int rounds = 20_000;
        java.util.concurrent.CompletableFuture<Throwable> result = new java.util.concurrent.CompletableFuture<>();
        dev.weft.core.ConnectionHandler handler = conn -> {
            ConnectionImpl c = (ConnectionImpl) conn;
            BufferPool pool = c.pool();
            // A spinning rendezvous, not a barrier: both releases must start within nanoseconds.
            java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<Runnable> task = new java.util.concurrent.atomic.AtomicReference<>();
            Thread other = Thread.ofPlatform().daemon().start(() -> {
                for (int round = 1; ; round++) {
                    while (started.get() < round) {
                        if (Thread.currentThread().isInterrupted()) {
                            return;
                        }
                        Thread.onSpinWait();
                    }
                    task.get().run();
                    finished.set(round);
                }
            });
            try {
                int round = 0;
                for (int i = 0; i < rounds; i++) {
                    SocketOutputImpl out = c.outputImpl();
                    out.write('x');
                    out.flush(); // busy: the buffer stays, empty
                    task.set(out::releaseBuffer);
                    started.set(++round);
                    out.releaseBuffer();
                    while (finished.get() < round) {
                        Thread.onSpinWait();
                    }
                    assertNoBufferTwice(pool, i);

                    SocketInputImpl in = c.inputImpl();
                    if (i % 10 == 0) {
                        if (in.read() < 0) {
                            throw new AssertionError("input ended early");
                        }
                        task.set(in::discard);
                        started.set(++round);
                        in.discard();
                        while (finished.get() < round) {
                            Thread.onSpinWait();
                        }
                        assertNoBufferTwice(pool, i);
                    }
                }
                if (pool.pooled() == 0) {
                    throw new AssertionError("the stream's own thread gives its buffers back to the pool");
                }
                result.complete(null);
            } catch (Throwable t) {
                result.complete(t);
            } finally {
                other.interrupt();
            }
        };
        Engine engine = Engine.start(TcpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress())
                .bufferSize(256).maxConnections(4).handler(handler).build(), handler);
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), engine.port())) {
            s.setSoTimeout(20_000);
            Thread drain = Thread.ofVirtual().start(() -> {
                try {
                    s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                } catch (java.io.IOException ignored) {
                    // closed at the end
                }
            });
            s.getOutputStream().write(new byte[rounds / 10 * 256]);
            Throwable t = result.get(30, java.util.concurrent.TimeUnit.SECONDS);
            if (t != null) {
                throw new AssertionError(t);
            }
            s.close();
            drain.join();
        } finally {
            engine.shutdown(java.time.Duration.ofSeconds(1));
        }
    }
}
