package dev.weft.core.internal;

import dev.weft.core.ConnectionTimeoutException;
import dev.weft.core.SocketOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The writen loop over a socket, with our own buffer (a {@code BufferedOutputStream} subclass pins
 * a virtual thread on JDK 21), and the write guard the {@link Watchdog} reads.
 *
 * <p>The guard bounds progress, not duration: it is armed when a socket write begins and renewed
 * every time the kernel takes more bytes, so writeTimeout is "the peer took no byte for that
 * long". On plain TCP the writes go through {@link SocketChannel#write}, which on a virtual thread
 * returns as soon as the kernel took any bytes (the socket adaptor's stream would loop inside the
 * JDK until a whole slice is in, hiding the progress); on TLS each slice is one record. Writes
 * go out in slices of at most {@value #CHUNK} bytes (the JDK copies a heap buffer into a temporary
 * direct buffer of the slice's size). The write deadline, if set, caps each bound.
 */
public final class SocketOutputImpl extends SocketOutput {

    static final int CHUNK = 64 * 1024;
    /**
     * The most one {@link FileChannel#transferTo} step asks of {@code sendfile}. Each step costs
     * the JDK an {@code fstat} and a {@code copy_file_range} that fails on a socket before the
     * {@code sendfile} itself; the kernel sends only what fits the send buffer anyway, so a step
     * larger than the buffer costs nothing but those two calls fewer (docs/performance-history.md).
     */
    static final int FILE_STEP = 1 << 20;
    /** One TLS record's plaintext (RFC 8446 section 5.1): the most an SSLSocket write hides as one step. */
    static final int TLS_SLICE = 16 * 1024;

    private static final java.lang.invoke.VarHandle BUF;

    static {
        try {
            BUF = java.lang.invoke.MethodHandles.lookup().findVarHandle(SocketOutputImpl.class, "buf", byte[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConnectionImpl conn;
    private final OutputStream raw;
    /** The plain socket's channel, for gathering writes and sendfile; null on TLS. */
    private final SocketChannel channel;
    private final Engine engine;

    /** Plain reads and writes by the writing thread; given back only through a compare-and-set (releaseBuffer). */
    private byte[] buf;
    /** The thread that last wrote through or took the buffer (see {@link BufferPool#mayPool}). */
    private volatile Thread user;
    private int count;
    private long bytesWritten;
    /** The write deadline as given, or null. */
    private Instant deadline;
    private boolean hasDeadline;
    private long deadlineNanos;
    /** The word of the guard armed by the current write (its kind tells which bound fired). */
    private long guardWord;

    SocketOutputImpl(ConnectionImpl conn, OutputStream raw, SocketChannel channel, long bytesWritten) {
        this.conn = conn;
        this.raw = raw;
        this.channel = channel;
        this.engine = conn.engine();
        this.bytesWritten = bytesWritten;
    }

    @Override
    public void write(int b) throws IOException {
        if (buf == null) {
            buf = takeBuffer();
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
            buf = takeBuffer();
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
            claim();
            int n = count;
            // A failed write leaves the stream unusable; never try the same bytes again on close.
            count = 0;
            writeRaw(buf, 0, n);
        }
    }

    /** The writen loop: every byte handed to the kernel, slice by slice, under the write guard. */
    private void writeRaw(byte[] b, int off, int len) throws IOException {
        if (channel != null) {
            writeChannel(ByteBuffer.wrap(b, off, len));
            return;
        }
        long w = armWrite();
        try {
            while (len > 0) {
                int n = Math.min(len, TLS_SLICE);
                raw.write(b, off, n);
                wrote(n);
                off += n;
                len -= n;
                if ((w = progress(w)) == Guard.FIRED) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            throw failed(w, e);
        }
        endWrite(w);
    }

    /**
     * The writen loop on the plain channel. A heap buffer goes in slices of {@value #CHUNK} bytes
     * (the JDK copies each into a temporary direct buffer of its size); a direct one whole.
     */
    private void writeChannel(ByteBuffer src) throws IOException {
        int end = src.limit();
        boolean slice = !src.isDirect();
        long w = armWrite();
        try {
            while (src.position() < end) {
                if (slice) {
                    src.limit(Math.min(end, src.position() + CHUNK));
                }
                int n = channel.write(src);
                if (n > 0) {
                    wrote(n);
                    if ((w = progress(w)) == Guard.FIRED) {
                        break;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            throw failed(w, e);
        } finally {
            src.limit(end);
        }
        endWrite(w);
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        int len = src.remaining();
        if (len == 0) {
            return;
        }
        if (src.hasArray()) {
            super.write(src);
            return;
        }
        if (channel != null && len >= engine.pool().bufferSize()) {
            flushBuffer();
            writeChannel(src);
            return;
        }
        while (src.hasRemaining()) { // small, or TLS: through our buffer, as write(byte[]) would
            if (buf == null) {
                buf = takeBuffer();
            } else if (count == buf.length) {
                flushBuffer();
            }
            int n = Math.min(buf.length - count, src.remaining());
            src.get(buf, count, n);
            count += n;
        }
        if (len >= engine.pool().bufferSize()) {
            flushBuffer(); // as a large array's write, a large buffer's is on its way when this returns
        }
    }

    /** One byte of {@code file} at {@code at}, written through the blocking channel write; 0 past the file's end. */
    private int writeOneByte(FileChannel file, long at) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        if (file.read(one, at) <= 0) {
            return 0;
        }
        one.flip();
        while (one.hasRemaining()) {
            channel.write(one);
        }
        return 1;
    }

    private void writeGathering(byte[] b, int off, int len) throws IOException {
        ByteBuffer[] bufs = {ByteBuffer.wrap(buf, 0, count), ByteBuffer.wrap(b, off, len)};
        long total = (long) count + len;
        count = 0;
        long w = armWrite();
        long done = 0;
        try {
            while (done < total) {
                long n = channel.write(bufs);
                if (n > 0) {
                    wrote(n);
                    done += n;
                    if ((w = progress(w)) == Guard.FIRED) {
                        break;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            throw failed(w, e);
        }
        endWrite(w);
    }

    /**
     * Arms the write guard for a socket write starting now: due writeTimeout from now, or at the
     * deadline if that is first. Returns the guard word, {@link Guard#NONE} when nothing bounds
     * writes. A deadline already past fails the write at once.
     */
    private long armWrite() throws IOException {
        long timeout = engine.writeTimeoutNanos();
        if (timeout <= 0 && !hasDeadline) {
            return Guard.NONE;
        }
        long now = System.nanoTime();
        if (hasDeadline && deadlineNanos - now <= 0) {
            engine.counters().timeout(ConnectionTimeoutException.Kind.WRITE);
            conn.closeFromOutside();
            throw writeTimeout(ConnectionImpl.GUARD_WRITE_DEADLINE, null);
        }
        long due = now + timeout;
        int kind = ConnectionImpl.GUARD_WRITE;
        if (hasDeadline && (timeout <= 0 || deadlineNanos - due < 0)) {
            due = deadlineNanos;
            kind = ConnectionImpl.GUARD_WRITE_DEADLINE;
        }
        return guardWord = Guard.arm(ConnectionImpl.WRITE_GUARD, conn, kind, due);
    }

    /** The kernel took bytes: the no-progress bound starts again. {@link Guard#FIRED} if the watchdog cut us first. */
    private long progress(long w) {
        if (w == Guard.NONE || Guard.kind(w) == ConnectionImpl.GUARD_WRITE_DEADLINE) {
            return w; // unbounded, or the deadline is first and progress does not move it
        }
        long due = System.nanoTime() + engine.writeTimeoutNanos();
        int kind = ConnectionImpl.GUARD_WRITE;
        if (hasDeadline && deadlineNanos - due < 0) {
            due = deadlineNanos;
            kind = ConnectionImpl.GUARD_WRITE_DEADLINE;
        }
        long next = Guard.renew(ConnectionImpl.WRITE_GUARD, conn, w, kind, due);
        if (next != Guard.FIRED) {
            guardWord = next;
        }
        return next;
    }

    /** The write is done: disarm; if the watchdog fired meanwhile, the socket is closed and this throws. */
    private void endWrite(long w) throws IOException {
        if (w != Guard.NONE && conn.guardEnd()) {
            throw writeTimeout(Guard.kind(guardWord), null);
        }
    }

    /** A write failed: if the watchdog cut it, say so with our timeout type. */
    private IOException failed(long w, Exception e) {
        conn.socketFailed(e); // every socket write and sendfile fails through here: the peer's doing, not the handler's
        if (w != Guard.NONE && conn.guardEnd()) {
            return writeTimeout(Guard.kind(guardWord), e);
        }
        if (e instanceof IOException io) {
            return io;
        }
        throw (RuntimeException) e;
    }

    private ConnectionTimeoutException writeTimeout(int kind, Throwable cause) {
        String why = kind == ConnectionImpl.GUARD_WRITE_DEADLINE
                ? "write deadline " + deadline() + " passed"
                : "the peer took no byte within writeTimeout=" + Engine.human(engine.config().writeTimeout())
                        + " (not reading)";
        ConnectionTimeoutException e = new ConnectionTimeoutException(ConnectionTimeoutException.Kind.WRITE,
                conn.describe() + ": " + why + "; connection closed");
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
            long w = armWrite();
            try {
                while (sent < count) {
                    long n = file.transferTo(position + sent, Math.min(count - sent, FILE_STEP), channel);
                    if (n <= 0) {
                        // transferTo does not wait for room: on a full send buffer sendfile's
                        // EAGAIN comes back as 0 (and a loop on it would spin). The next byte goes
                        // through the channel's write, which parks until there is room, then
                        // sendfile goes on. 0 there too: the file ended early (it shrank).
                        n = writeOneByte(file, position + sent);
                        if (n <= 0) {
                            break;
                        }
                    }
                    wrote(n);
                    sent += n;
                    if ((w = progress(w)) == Guard.FIRED) {
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw failed(w, e);
            }
            endWrite(w);
            if (sent >= count || position + sent >= file.size()) {
                return sent;
            }
        }
        // TLS (or a file the kernel would not send): read and write through our buffer.
        if (buf == null) {
            buf = takeBuffer();
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
    public void deadline(Instant deadline) {
        this.deadline = deadline;
        this.hasDeadline = deadline != null;
        if (deadline != null) {
            deadlineNanos = Guard.dueAt(deadline);
        }
    }

    /** Sets the write deadline {@code timeout} from now without the wall clock (for protocol modules); null clears. */
    @Override
    public void deadlineAfter(Duration timeout) {
        deadline = null;
        hasDeadline = timeout != null;
        if (hasDeadline) {
            deadlineNanos = Guard.dueAfter(timeout);
        }
    }

    @Override
    public Instant deadline() {
        if (hasDeadline && deadline == null) {
            deadline = Instant.now().plusNanos(deadlineNanos - System.nanoTime());
        }
        return hasDeadline ? deadline : null;
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

    /** A buffer from the pool, this thread recorded as its user (before the buffer is published). */
    private byte[] takeBuffer() {
        claim();
        byte[] b = engine.pool().acquire(conn.id());
        BUF.setRelease(this, b);
        return b;
    }

    /** This thread writes the stream now (a writer thread may take over from the connection's). */
    private void claim() {
        Thread me = Thread.currentThread();
        if (user != me) {
            user = me;
        }
    }

    /**
     * Gives the buffer back if empty. Exactly once: a writer thread flushing while idle and the
     * connection's thread ending (or two threads closing) may get here at the same moment; the
     * compare-and-set lets only one have the array. See {@link BufferPool#mayPool}.
     */
    void releaseBuffer() {
        byte[] b = buf;
        if (b != null && count == 0 && BUF.compareAndSet(this, b, null)
                && BufferPool.mayPool(user, Thread.currentThread())) {
            engine.pool().release(b, conn.id());
        }
    }

    /** The connection hibernates: the (empty) buffer goes back and the ending thread is forgotten. */
    void hibernate() {
        releaseBuffer();
        user = null;
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
