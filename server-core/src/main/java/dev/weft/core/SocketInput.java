package dev.weft.core;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * The buffered input of one connection: a plain blocking {@link InputStream} plus the loops a
 * protocol needs (readn, read a line, read to a delimiter), each bounded.
 *
 * <p>Every blocking read is bounded: by {@code readTimeout} while the connection is busy, by
 * {@code idleTimeout} while it is idle, and never past the
 * {@linkplain #deadline(Instant) deadline}. A timeout throws {@link ConnectionTimeoutException}
 * naming which bound fired, and ends the input side of the connection (later reads throw it
 * again); the output stays usable, to send an error reply. On plain TCP the server's watchdog
 * enforces the bounds (within a tick of at most 100 ms), on TLS SO_TIMEOUT does.
 * {@link #close()} closes the whole connection, as a socket's stream does. Not thread-safe:
 * only one thread reads.
 */
public abstract class SocketInput extends InputStream {

    /** For implementations in this library only. */
    protected SocketInput() {
    }

    /**
     * Reads exactly {@code n} bytes, however many partial reads that takes.
     *
     * @throws EOFException if the stream ends first; the message says how many of the {@code n} bytes arrived
     */
    public abstract byte[] readExactly(int n) throws IOException;

    /**
     * Reads up to {@code dst.remaining()} bytes into {@code dst}, as {@link #read(byte[], int, int)}
     * does, and advances its position by the count. Buffered bytes come first; with none buffered,
     * a direct buffer of at least the server's buffer size is read into straight from the socket
     * on plain TCP: no copy through a heap array (which the JDK makes through a direct buffer of
     * its own). For bulk streams; the same bounds apply as to every read.
     *
     * @return the bytes read, 0 only if {@code dst} has no room, or -1 at end of stream
     */
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (dst.hasArray()) {
            int n = read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        }
        byte[] b = new byte[Math.min(dst.remaining(), 8192)];
        int n = read(b, 0, b.length);
        if (n > 0) {
            dst.put(b, 0, n);
        }
        return n;
    }

    /** Reads exactly {@code len} bytes into {@code b} at {@code off}; see {@link #readExactly(int)}. */
    public abstract void readExactly(byte[] b, int off, int len) throws IOException;

    /**
     * Reads one line ending in LF (a CR before it is dropped too), decoded as UTF-8, without
     * its ending.
     *
     * @param maxBytes the most bytes the line may have, ending included
     * @return the line, or {@code null} at end of stream before any byte
     * @throws LimitExceededException past {@code maxBytes}
     * @throws EOFException if the stream ends inside a line
     */
    public abstract String readLine(int maxBytes) throws IOException;

    /**
     * Reads up to and including {@code delimiter}, returning the bytes before it.
     *
     * @param maxBytes the most bytes to read, delimiter included
     * @return the bytes before the delimiter, or {@code null} at end of stream before any byte
     * @throws LimitExceededException past {@code maxBytes}
     * @throws EOFException if the stream ends before the delimiter
     */
    public abstract byte[] readUntil(byte[] delimiter, int maxBytes) throws IOException;

    /** The next byte without consuming it (blocking if none is buffered), or -1 at end of stream. */
    public abstract int peek() throws IOException;

    /** Bytes that can be read now from the buffer, without touching the socket. */
    public abstract int buffered();

    /**
     * Writes up to {@code maxBytes} of the bytes already buffered to {@code out}, straight from
     * the buffer, and consumes them; never touches the socket. For a pump (a request body into a
     * response, a proxy): {@link #peek()} waits for bytes, this passes them on without a copy into
     * an array of the caller's. If {@code out} throws, nothing is consumed. {@code out} is handed
     * the connection's own array, as any {@code OutputStream.write(byte[], int, int)} may be: it
     * must not keep it past the call.
     *
     * @param out where the bytes go; not flushed
     * @param maxBytes the most to write, not negative
     * @return the bytes written: 0 if none are buffered
     * @throws IOException what {@code out} threw
     */
    public abstract int transferBuffered(OutputStream out, int maxBytes) throws IOException;

    /**
     * Bytes that can be read now without blocking: the buffered ones if there are any, else what
     * has arrived on the socket and waits to be read, which on plain TCP is one ioctl
     * ({@code FIONREAD}) and on TLS the decrypted bytes the TLS engine holds (what is still
     * encrypted is not counted). For a loop that takes everything that has arrived before it
     * writes, so that one write carries it (an echo, a proxy); {@link #buffered()} never touches
     * the socket. 0 once a timeout has ended the input.
     *
     * @throws IOException if the socket failed or was closed
     */
    @Override
    public abstract int available() throws IOException;

    /**
     * The byte {@code index} places past the read position (0 is the next one {@link #read()}
     * would return) if it is already buffered, else -1. Never reads and never consumes: a
     * protocol can look ahead (has a whole frame, a chunked body's end, a preface arrived?)
     * without taking bytes its caller may still read.
     */
    public abstract int bufferedByte(int index);

    /**
     * Sets a deadline for the unit of work now starting: each read from here on waits at most
     * until then. {@code null} clears it.
     */
    public abstract void deadline(Instant deadline);

    /**
     * Sets the deadline {@code timeout} from now, on the monotonic clock: the same as
     * {@code deadline(Instant.now().plus(timeout))} without reading the wall clock (a protocol
     * sets one per request). {@code null} clears it.
     */
    public abstract void deadlineAfter(java.time.Duration timeout);

    /** The deadline in force, or {@code null}. */
    public abstract Instant deadline();

    /** Bytes read from the socket since the connection began. */
    public abstract long bytesRead();
}
