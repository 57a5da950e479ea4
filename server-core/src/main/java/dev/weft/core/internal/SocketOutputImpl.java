package dev.weft.core.internal;

import dev.weft.core.ConnectionTimeoutException;
import dev.weft.core.SocketOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * The writen loop over a socket stream, with our own buffer (a {@code BufferedOutputStream}
 * subclass locks with {@code synchronized}, which pins a virtual thread on JDK 21), and the
 * write-timeout guard the {@link Watchdog} reads.
 *
 * <p>Socket writes (and sendfile calls) go out in chunks of at most {@value #CHUNK} bytes, each
 * guarded on its own: writeTimeout bounds how long the peer may leave one chunk unread, not how
 * long a large response to a slow but reading peer may take. A peer must take 64 KiB per
 * writeTimeout (2 KiB/s at the 30 s default) to keep a transfer alive.
 */
public final class SocketOutputImpl extends SocketOutput {

    static final int CHUNK = 64 * 1024;

    private final ConnectionImpl conn;
    private final OutputStream raw;
    /** The plain socket's channel, for gathering writes and sendfile; null on TLS. */
    private final SocketChannel channel;
    private final Engine engine;

    private byte[] buf;
    private int count;
    private long bytesWritten;

    SocketOutputImpl(ConnectionImpl conn, OutputStream raw, SocketChannel channel) {
        this.conn = conn;
        this.raw = raw;
        this.channel = channel;
        this.engine = conn.engine();
    }

    @Override
    public void write(int b) throws IOException {
        if (buf == null) {
            buf = engine.pool().acquire(conn.id());
        } else if (count == buf.length) {
            flushBuffer();
        }
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return;
        }
        int size = engine.pool().bufferSize();
        if (len >= size) {
            if (count > 0 && channel != null) {
                // Head and large body in one syscall instead of two.
                int first = Math.min(len, CHUNK);
                writeGathering(b, off, first);
                if (len > first) {
                    writeRaw(b, off + first, len - first);
                }
            } else {
                flushBuffer();
                writeRaw(b, off, len);
            }
            return;
        }
        if (buf == null) {
            buf = engine.pool().acquire(conn.id());
        }
        int space = buf.length - count;
        if (len <= space) {
            System.arraycopy(b, off, buf, count, len);
            count += len;
            return;
        }
        System.arraycopy(b, off, buf, count, space);
        count = buf.length;
        flushBuffer();
        System.arraycopy(b, off + space, buf, 0, len - space);
        count = len - space;
    }

    @Override
    public void flush() throws IOException {
        flushBuffer();
        if (conn.isIdle()) {
            releaseBuffer();
        }
    }

    private void flushBuffer() throws IOException {
        if (count > 0) {
            int n = count;
            // A failed write leaves the stream unusable; never try the same bytes again on close.
            count = 0;
            writeRaw(buf, 0, n);
        }
    }

    /** The writen loop: every byte handed to the kernel, chunk by chunk, each under the watchdog. */
    private void writeRaw(byte[] b, int off, int len) throws IOException {
        long timeout = engine.writeTimeoutNanos();
        while (len > 0) {
            int n = Math.min(len, CHUNK);
            if (timeout > 0) {
                conn.guardStart(ConnectionImpl.GUARD_WRITE, timeout);
            }
            try {
                raw.write(b, off, n);
            } catch (IOException | RuntimeException e) {
                throw failed(timeout, e);
            }
            if (timeout > 0 && conn.guardEnd()) {
                throw writeTimeout(null);
            }
            wrote(n);
            off += n;
            len -= n;
        }
    }

    private void writeGathering(byte[] b, int off, int len) throws IOException {
        ByteBuffer[] bufs = {ByteBuffer.wrap(buf, 0, count), ByteBuffer.wrap(b, off, len)};
        long total = (long) count + len;
        count = 0;
        long timeout = engine.writeTimeoutNanos();
        long done = 0;
        if (timeout > 0) {
            conn.guardStart(ConnectionImpl.GUARD_WRITE, timeout);
        }
        try {
            while (done < total) {
                done += channel.write(bufs);
            }
        } catch (IOException | RuntimeException e) {
            throw failed(timeout, e);
        }
        if (timeout > 0 && conn.guardEnd()) {
            throw writeTimeout(null);
        }
        wrote(total);
    }

    /** A write failed: if the watchdog cut it, say so with our timeout type. */
    private IOException failed(long timeout, Exception e) {
        if (timeout > 0 && conn.guardEnd()) {
            return writeTimeout(e);
        }
        if (e instanceof IOException io) {
            return io;
        }
        throw (RuntimeException) e;
    }

    private ConnectionTimeoutException writeTimeout(Throwable cause) {
        ConnectionTimeoutException e = new ConnectionTimeoutException(ConnectionTimeoutException.Kind.WRITE,
                conn.describe() + ": write blocked longer than writeTimeout="
                        + Engine.human(engine.config().writeTimeout()) + " (peer not reading); connection closed");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    private void wrote(long n) {
        bytesWritten += n;
        engine.counters().bytesOut.add(n);
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        Objects.requireNonNull(file, "file");
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("transferFrom: position = " + position + ", count = " + count
                    + ": must not be negative");
        }
        flushBuffer();
        long sent = 0;
        if (channel != null) {
            long timeout = engine.writeTimeoutNanos();
            while (sent < count) {
                long n;
                if (timeout > 0) {
                    conn.guardStart(ConnectionImpl.GUARD_WRITE, timeout);
                }
                try {
                    n = file.transferTo(position + sent, Math.min(count - sent, CHUNK), channel);
                } catch (IOException | RuntimeException e) {
                    throw failed(timeout, e);
                }
                if (timeout > 0 && conn.guardEnd()) {
                    throw writeTimeout(null);
                }
                if (n <= 0) {
                    if (position + sent >= file.size()) {
                        return sent;
                    }
                    break;
                }
                wrote(n);
                sent += n;
            }
            if (sent >= count) {
                return sent;
            }
        }
        // TLS (or a file the kernel would not send): read and write through our buffer.
        if (buf == null) {
            buf = engine.pool().acquire(conn.id());
        }
        ByteBuffer bb = ByteBuffer.wrap(buf);
        while (sent < count) {
            bb.clear().limit((int) Math.min(buf.length, count - sent));
            int r = file.read(bb, position + sent);
            if (r <= 0) {
                break;
            }
            writeRaw(buf, 0, r);
            sent += r;
        }
        return sent;
    }

    @Override
    public int buffered() {
        return count;
    }

    @Override
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Flushes, then closes the connection, as closing a socket's output stream does. */
    @Override
    public void close() throws IOException {
        flush();
        conn.close();
    }

    /** Gives the buffer back if empty; the connection's thread only. */
    void releaseBuffer() {
        if (buf != null && count == 0) {
            engine.pool().release(buf, conn.id());
            buf = null;
        }
    }

    /** The connection ended: the buffer goes back whatever it holds. */
    void discard() {
        count = 0;
        releaseBuffer();
    }

    /** True when this output holds a buffer now (for tests of the idle-memory path). */
    public boolean holdsBuffer() {
        return buf != null;
    }
}
