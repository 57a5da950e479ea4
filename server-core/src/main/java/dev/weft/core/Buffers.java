package dev.weft.core;

/**
 * Scratch buffers a protocol leases from its connection's server, from the same pool as the
 * connection's own input and output buffers: a protocol that needs room for a line or a head
 * takes one while it works and gives it back before it waits idle, so an idle connection holds
 * (almost) nothing. Only the connection's own thread uses them.
 */
public interface Buffers {

    /** The size of every buffer {@link #acquire()} hands out (the server's {@code bufferSize}). */
    int bufferSize();

    /** A buffer of {@link #bufferSize()} bytes, from the pool when one is there; contents undefined. */
    byte[] acquire();

    /**
     * Gives a buffer back; the caller must not touch it any more. Buffers that did not come
     * from {@link #acquire()} (another size) are ignored, so a protocol can hand back whatever
     * scratch it holds.
     */
    void release(byte[] buffer);
}
