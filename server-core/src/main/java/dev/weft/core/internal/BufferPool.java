package dev.weft.core.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded, lock-free pool of equally sized {@code byte[]} buffers shared by the connections of
 * one server. Idle connections give their buffers back here, so 10k idle keep-alive connections
 * hold ~10k small objects instead of 10k x 16 KiB (the buffers, not the parked threads, are what
 * an idle connection costs).
 *
 * <p>Slots are claimed with a CAS, probing a few slots from a caller-supplied hint (the
 * connection id spreads callers out): no nodes are allocated, and a miss simply allocates a new
 * buffer (acquire) or drops one for the GC (release).
 *
 * <p>The pool follows demand down as well as up: {@link #trim()} (the watchdog calls it about once
 * a second) drops every buffer whose slot nobody took from or gave to since the last trim. A burst
 * of traffic fills the pool to its bound (8 MiB at the default 1,024 x 8 KiB); without trimming
 * a server would hold that for good, which at 10,000 idle connections was 0.8 KB of heap each.
 */
public final class BufferPool {

    private static final int PROBES = 8;

    private final int bufferSize;
    private final AtomicReferenceArray<byte[]> slots;
    /**
     * Set when a slot's buffer is taken or given back, cleared by {@link #trim}. Plain writes: a
     * lost or late mark only keeps a buffer one period longer or lets one go early, and a buffer
     * let go is just allocated again.
     */
    private final boolean[] touched;
    private final int mask;

    /**
     * @param bufferSize the size of every buffer
     * @param capacity   the most buffers kept, rounded up to a power of two
     */
    public BufferPool(int bufferSize, int capacity) {
        this.bufferSize = bufferSize;
        int cap = Integer.highestOneBit(Math.max(PROBES, capacity - 1) << 1);
        this.slots = new AtomicReferenceArray<>(cap);
        this.touched = new boolean[cap];
        this.mask = cap - 1;
    }

    /** The size of every buffer this pool hands out. */
    public int bufferSize() {
        return bufferSize;
    }

    /** A buffer of {@link #bufferSize()} bytes, from the pool when one is there. Contents are undefined. */
    public byte[] acquire(long hint) {
        int start = (int) hint & mask;
        for (int i = 0; i < PROBES; i++) {
            int idx = (start + i) & mask;
            byte[] b = slots.getPlain(idx);
            if (b != null && slots.compareAndSet(idx, b, null)) {
                touched[idx] = true;
                return b;
            }
        }
        return new byte[bufferSize];
    }

    /** Gives a buffer back; the caller must not touch it any more. Buffers of another size are ignored. */
    public void release(byte[] buffer, long hint) {
        if (buffer == null || buffer.length != bufferSize) {
            return;
        }
        int start = (int) hint & mask;
        for (int i = 0; i < PROBES; i++) {
            int idx = (start + i) & mask;
            if (slots.getPlain(idx) == null && slots.compareAndSet(idx, null, buffer)) {
                touched[idx] = true;
                return;
            }
        }
    }

    /**
     * Drops the buffers of slots untouched since the previous call, so buffers unused for one to
     * two periods go to the GC. @return how many were dropped
     */
    public int trim() {
        int dropped = 0;
        for (int i = 0; i < touched.length; i++) {
            if (touched[i]) {
                touched[i] = false;
            } else {
                byte[] b = slots.getPlain(i);
                if (b != null && slots.compareAndSet(i, b, null)) {
                    dropped++;
                }
            }
        }
        return dropped;
    }

    /** Buffers sitting in the pool now (a scan: for tests and diagnostics). */
    public int pooled() {
        int n = 0;
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) != null) {
                n++;
            }
        }
        return n;
    }
}
