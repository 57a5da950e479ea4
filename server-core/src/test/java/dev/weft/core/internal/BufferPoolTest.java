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
}
