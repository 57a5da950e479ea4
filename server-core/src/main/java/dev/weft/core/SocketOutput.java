package dev.weft.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Instant;

/**
 * The buffered output of one connection. {@code write} returns once every byte is in the buffer
 * or handed to the kernel (the writen loop); writes larger than the buffer go straight to the
 * socket. {@link #close()} flushes and closes the whole connection, as a socket's stream does.
 * Not thread-safe: one thread writes at a time.
 *
 * <p><b>What {@code writeTimeout} bounds:</b> how long the peer may take <em>no byte</em> while a
 * write is blocked on it, not how long a write or a response takes. Every time the kernel accepts
 * more of a blocked write (because the peer acknowledged data and freed send-buffer space) the
 * bound starts again; a peer that stops reading is cut once {@code writeTimeout} passes without
 * such progress, within one watchdog tick (at most 100 ms, a quarter of the shortest timeout).
 * Progress is seen only when the kernel wakes the writer, which Linux does once about a third of
 * the socket's send buffer has drained, so the granularity is a step of roughly two thirds of
 * {@code sendBufferSize} plus a segment or two: a peer is never cut while it takes at least that
 * much per {@code writeTimeout}. When {@code sendBufferSize} is left at 0 the server sets
 * SO_SNDBUF from {@code writeTimeout} to keep that step small (see
 * {@link ServerBuilder#writeTimeout}). A cut write closes the socket and throws
 * {@link ConnectionTimeoutException} of kind {@code WRITE}.
 *
 * <p>{@link #deadline(Instant)} bounds a whole unit of work instead (a response), however fast
 * the peer reads, as Go's {@code ResponseController.SetWriteDeadline} does.
 */
public abstract class SocketOutput extends OutputStream {

    /** For implementations in this library only. */
    protected SocketOutput() {
    }

    /**
     * Sends {@code count} bytes of {@code file} from {@code position}, zero-copy where the
     * socket allows it (plain TCP), a copy loop otherwise (TLS). Flushes buffered bytes first.
     *
     * @return the bytes sent, {@code count} unless the file is shorter
     */
    public abstract long transferFrom(FileChannel file, long position, long count) throws IOException;

    /**
     * Writes all of {@code src}'s remaining bytes, as {@link #write(byte[], int, int)} does, and
     * advances its position to its limit. On plain TCP a direct buffer of at least the server's
     * buffer size goes to the socket straight, after what is buffered: no copy through a heap
     * array. For bulk streams; the same bounds apply as to every write.
     */
    public void write(ByteBuffer src) throws IOException {
        if (src.hasArray()) {
            write(src.array(), src.arrayOffset() + src.position(), src.remaining());
            src.position(src.limit());
            return;
        }
        byte[] b = new byte[Math.min(src.remaining(), 8192)];
        while (src.hasRemaining()) {
            int n = Math.min(b.length, src.remaining());
            src.get(b, 0, n);
            write(b, 0, n);
        }
    }

    /** Bytes waiting in the buffer. */
    public abstract int buffered();

    /** Bytes handed to the kernel since the connection began. */
    public abstract long bytesWritten();

    /**
     * Sets a deadline for the writes of the unit of work now starting (a response): every write,
     * flush and {@link #transferFrom} from here on must have handed its bytes to the kernel by
     * then, whatever progress the peer makes. Past it the server's watchdog closes the socket
     * (within a tick) and the write throws {@link ConnectionTimeoutException} of kind
     * {@code WRITE} whose message names the deadline; a write begun after it throws at once and
     * closes the connection. {@code writeTimeout} still applies alongside: whichever is first
     * fires. {@code null} clears it. Only the writing thread may call this.
     */
    public abstract void deadline(Instant deadline);

    /**
     * Sets the write deadline {@code timeout} from now, on the monotonic clock (see
     * {@link #deadline(Instant)}). {@code null} clears it.
     */
    public abstract void deadlineAfter(java.time.Duration timeout);

    /** The write deadline in force, or {@code null}. */
    public abstract Instant deadline();
}
