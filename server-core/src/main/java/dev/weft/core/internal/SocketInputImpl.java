package dev.weft.core.internal;

import dev.weft.core.ConnectionTimeoutException;
import dev.weft.core.LimitExceededException;
import dev.weft.core.SocketInput;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The readn loop and its bounded relatives over a socket stream, with our own buffer (a
 * {@code BufferedInputStream} subclass pins a virtual thread on JDK 21: its methods synchronize).
 *
 * <p>While the connection is idle and nothing is buffered, both buffers go back to the pool and
 * the thread waits reading into a 256-byte array; a buffer is taken only once bytes arrive,
 * and whatever else the kernel already holds is read with them. That is what keeps an idle
 * keep-alive connection at a few KB (a parked virtual thread is a few hundred bytes of stack); a
 * small message wakes it in one read.
 *
 * <p>Each socket read is bounded by readTimeout or idleTimeout, capped by the deadline: through
 * the watchdog on plain TCP, through SO_TIMEOUT on TLS (see {@link #readSocket}). A read timeout
 * ends the input side of the connection; the output stays usable, to send an error reply.
 */
public final class SocketInputImpl extends SocketInput {

    private static final byte[] LF = {'\n'};

    /**
     * What an idle connection reads into while its buffers are in the pool: big enough for a
     * typical keep-alive request or protocol message in one read (a 64-byte ping, wrk's 40-byte
     * GET), small enough to keep an idle connection at a few KB.
     */
    private static final int WAKE_BYTES = 256;

    /**
     * How long a connection whose messages do not fit {@link #WAKE_BYTES} waits for its next one
     * with a whole buffer before it falls back to the small array (see {@link #wholeBufferWait});
     * {@code -Ddev.weft.core.wholeBufferWaitMillis=0} turns it off, for the benchmark's before/after.
     */
    private static final long WHOLE_BUFFER_WAIT_NANOS =
            java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Long.getLong("dev.weft.core.wholeBufferWaitMillis", 1));

    /**
     * On unless {@code -Ddev.weft.core.yieldBeforeIdleRead=false}: kept switchable so the
     * benchmark's before/after can be rerun (see {@link #enterIdleWait}).
     */
    private static final boolean YIELD_BEFORE_IDLE_READ =
            !"false".equals(System.getProperty("dev.weft.core.yieldBeforeIdleRead"));


    private static final java.lang.invoke.VarHandle BUF;

    static {
        try {
            BUF = java.lang.invoke.MethodHandles.lookup().findVarHandle(SocketInputImpl.class, "buf", byte[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConnectionImpl conn;
    private final InputStream raw;
    /** The plain socket's channel, for reads straight into a direct buffer; null on TLS. */
    private final SocketChannel channel;
    private final Engine engine;

    /** Plain reads and writes by the reading thread; given back only through a compare-and-set (releaseBuffer). */
    private byte[] buf;
    /** The thread that last filled or took the buffer (see {@link BufferPool#mayPool}). */
    private volatile Thread user;
    private int pos;
    private int lim;
    private long bytesRead;
    /** The deadline as given, or null when it was set by {@link #deadlineAfter} (made on demand). */
    private Instant deadline;
    private boolean hasDeadline;
    private long deadlineNanos;
    private int soTimeout = -1;
    /** The idle wait's small array: all an idle connection holds instead of its buffers. */
    private byte[] wake;
    /** The 1-byte idle wait happened in this idle period: further fills read fully. */
    private boolean wokeInIdle;
    /** The last message did not fit the idle array: the next idle wait begins with a whole buffer. */
    private boolean largeMessages;
    /** Full idle-array wakes to let pass before {@link #largeMessages} is set again, after a whole-buffer wait ran out. */
    private byte wholeBufferSkips;
    /** Whole-buffer waits that ran out in a row (capped at 6: a skip of 64). */
    private byte wholeBufferMisses;
    /** Set once a read timeout shut the input down: every later read throws it again. */
    private ConnectionTimeoutException.Kind timedOut;

    SocketInputImpl(ConnectionImpl conn, InputStream raw, SocketChannel channel, long bytesRead) {
        this.conn = conn;
        this.raw = raw;
        this.channel = channel;
        this.engine = conn.engine();
        this.bytesRead = bytesRead;
    }

    // ---- the socket read ---------------------------------------------------------------------

    /**
     * One socket read under the bound in force (readTimeout while busy, idleTimeout while idle,
     * capped by the deadline); -1 at end of stream.
     *
     * <p>Plain TCP reads are bounded by the {@link Watchdog}, not by SO_TIMEOUT: a timed park of a
     * virtual thread costs a wake-up of the JDK's timer thread per read (on JDK 25 its
     * DelayScheduler is signalled on every schedule and cancel: one context switch per request,
     * measured as a third of the CPU of a keep-alive HTTP server on one core). The watchdog shuts
     * the input down when the bound passes, which wakes the read with EOF; we turn that into the
     * timeout. TLS reads keep SO_TIMEOUT, since an SSLSocket's input cannot be shut down alone.
     */
    private int readSocket(byte[] b, int off, int len) throws IOException {
        return readSocket(b, off, len, null);
    }

    /** {@link #readSocket(byte[], int, int)} into {@code direct} instead, when not null: the plain channel's own read. */
    private int readSocket(byte[] b, int off, int len, ByteBuffer direct) throws IOException {
        if (timedOut != null) {
            throw timeout(timedOut, null, false);
        }
        boolean idle = conn.isIdle();
        long timeoutNanos = idle ? engine.idleTimeoutNanos() : engine.readTimeoutNanos();
        ConnectionTimeoutException.Kind kind = idle ? ConnectionTimeoutException.Kind.IDLE
                : ConnectionTimeoutException.Kind.READ;
        long now = System.nanoTime();
        long due = timeoutNanos > 0 ? now + timeoutNanos : 0;
        if (hasDeadline) {
            if (deadlineNanos - now <= 0) {
                throw timeout(ConnectionTimeoutException.Kind.DEADLINE, null, true);
            }
            if (due == 0 || deadlineNanos - due < 0) {
                due = deadlineNanos;
                kind = ConnectionTimeoutException.Kind.DEADLINE;
            }
        }
        int n = conn.isSecure() ? readTls(b, off, len, due, now, kind) : readGuarded(b, off, len, direct, due, kind);
        if (n > 0) {
            bytesRead += n;
            engine.counters().bytesIn.add(n);
        }
        return n;
    }

    private int readGuarded(byte[] b, int off, int len, ByteBuffer direct, long due, ConnectionTimeoutException.Kind kind)
            throws IOException {
        if (due == 0) {
            return rawRead(b, off, len, direct);
        }
        conn.guardRead(due);
        int n;
        try {
            n = rawRead(b, off, len, direct);
        } catch (IOException e) {
            if (conn.readGuardEnd()) {
                timedOut = kind;
                throw timeout(kind, e, true);
            }
            throw e;
        }
        if (conn.readGuardEnd()) {
            // The input is shut down now. Bytes that won the race are served; the next read throws.
            timedOut = kind;
            if (n <= 0) {
                throw timeout(kind, null, true);
            }
            engine.counters().timeout(kind);
        }
        return n;
    }

    private int rawRead(byte[] b, int off, int len, ByteBuffer direct) throws IOException {
        if (direct == null) {
            return raw.read(b, off, len);
        }
        try {
            return channel.read(direct);
        } catch (IOException e) {
            throw conn.socketFailed(e); // as MarkingInputStream records the stream's failures
        } catch (RuntimeException e) {
            throw conn.socketFailed(e);
        }
    }

    private int readTls(byte[] b, int off, int len, long due, long now, ConnectionTimeoutException.Kind kind)
            throws IOException {
        // Round up: a 0 would mean "no timeout" to SO_TIMEOUT.
        int timeout = due == 0 ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, (due - now + 999_999) / 1_000_000));
        if (timeout != soTimeout) {
            conn.socket().setSoTimeout(timeout);
            soTimeout = timeout;
        }
        try {
            return raw.read(b, off, len);
        } catch (SocketTimeoutException e) {
            // Sticky as on plain TCP (where the input is shut down): an SSLSocket would read on after
            // a timeout, so a handler that caught it could be fed the rest of a slow peer's bytes.
            timedOut = kind;
            throw timeout(kind, e, true);
        }
    }

    private ConnectionTimeoutException timeout(ConnectionTimeoutException.Kind kind, Throwable cause, boolean count) {
        if (count) {
            engine.counters().timeout(kind);
        }
        String what = switch (kind) {
            case IDLE -> "no byte within idleTimeout=" + Engine.human(engine.config().idleTimeout()) + " while idle";
            case DEADLINE -> "deadline " + deadline() + " passed";
            default -> "no byte within readTimeout=" + Engine.human(engine.config().readTimeout());
        };
        ConnectionTimeoutException e = new ConnectionTimeoutException(kind, conn.describe() + ": " + what
                + (count ? "" : " (the input was closed by that timeout)"));
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /** Refills the empty buffer; returns the bytes now buffered, or -1 at end of stream. */
    private int fill() throws IOException {
        pos = 0;
        lim = 0;
        if (conn.isIdle() && !wokeInIdle) {
            enterIdleWait();
            if (largeMessages) {
                int n = wholeBufferWait();
                if (n != 0) {
                    return n;
                }
            }
            if (wake == null) {
                wake = new byte[WAKE_BYTES];
            }
            int n = readSocket(wake, 0, wake.length);
            if (n <= 0) {
                return -1;
            }
            return woke(n);
        }
        if (buf == null) {
            buf = takeBuffer();
        } else {
            claim();
        }
        int n = readSocket(buf, 0, buf.length);
        if (n > 0) {
            lim = n;
        }
        return n;
    }

    /**
     * {@code n} bytes arrived in the idle wait's small array: into a buffer. If the array came
     * back full, the rest is left in the kernel for the next fill, which reads into the whole
     * buffer once the protocol asks for more. Asking the kernel how much more there is first
     * ({@code available()}, an ioctl) would cost a syscall of its own on every message over 256
     * bytes, the same as that read, and could not save it: the read must wait until the
     * protocol needs the bytes anyway, or a message of exactly 256 bytes would block on bytes
     * that never come.
     */
    private int woke(int n) {
        wokeInIdle = true;
        if (n == WAKE_BYTES && WHOLE_BUFFER_WAIT_NANOS > 0 && !conn.isSecure()) {
            if (wholeBufferSkips > 0) {
                wholeBufferSkips--;
            } else {
                largeMessages = true;
            }
        }
        buf = takeBuffer();
        System.arraycopy(wake, 0, buf, 0, n);
        lim = n;
        return lim;
    }

    /**
     * The first moments of an idle period of a connection whose messages lately did not fit the
     * idle array: it waits for the next one with a whole buffer, so that message takes one read
     * instead of two (the array, then the rest). Bounded by SO_TIMEOUT, so no connection parks
     * with a buffer for longer than {@link #WHOLE_BUFFER_WAIT_NANOS}; the timer that costs is set
     * only when the read blocks: a read that finds its bytes (the usual case for a client that
     * sends back to back, after the yield in {@link #enterIdleWait}) returns before any timer.
     * A wait that runs out costs that timer and a failed read, so a client that is slower than
     * the bound makes its connection skip the next 1, 2, 4 … 64 chances (and a small message
     * ends the habit): such a client pays for the attempt rarely, not on every request.
     *
     * @return the bytes buffered; -1 at end of stream; 0 when the wait ran out (the buffer is back)
     */
    private int wholeBufferWait() throws IOException {
        if (hasDeadline) {
            return 0; // the deadline is the small wait's to enforce, as always
        }
        buf = takeBuffer();
        java.net.Socket socket = conn.socket();
        socket.setSoTimeout((int) Math.max(1, WHOLE_BUFFER_WAIT_NANOS / 1_000_000));
        conn.softWait(true);
        int n;
        try {
            n = readSocket(buf, 0, buf.length);
        } catch (SocketTimeoutException e) {
            if (e instanceof ConnectionTimeoutException) {
                throw e; // the idle timeout itself (the watchdog fired first): as any idle read
            }
            n = 0;
        } finally {
            conn.softWait(false);
            socket.setSoTimeout(0);
        }
        if (n > 0) {
            wokeInIdle = true;
            wholeBufferMisses = 0;
            largeMessages = n > WAKE_BYTES;
            lim = n;
            return n;
        }
        if (n < 0) {
            return -1;
        }
        largeMessages = false;
        wholeBufferSkips = (byte) (1 << Math.min(wholeBufferMisses, 6));
        if (wholeBufferMisses < 6) {
            wholeBufferMisses++;
        }
        releaseBuffer();
        return 0;
    }

    /**
     * The idle wait of {@link ConnectionImpl#awaitIdle}, on plain TCP with nothing buffered and no
     * deadline: as the first fill of an idle period, but it also gives up after
     * {@code softNanos}. That bound is SO_TIMEOUT, not the watchdog: the watchdog can only end a
     * read by shutting the input down, which the JDK never undoes, and here the connection must
     * stay usable. SO_TIMEOUT costs a timed park (a timer scheduled and cancelled) only when
     * the read blocks; a read that finds bytes returns before any timer is set. The idle
     * timeout still bounds the read through the watchdog as usual. A connection whose messages
     * lately did not fit the small array first waits briefly with a whole buffer, as in
     * {@link #fill}: without that, a pipelined batch or a 4 KiB body took two reads (and its
     * responses two writes) whenever hibernation was on. That brief wait comes before the
     * bounded one, so such a connection hibernates at most {@link #WHOLE_BUFFER_WAIT_NANOS} later.
     *
     * @return the bytes buffered now; -1 at end of stream; 0 if nothing came within {@code softNanos}
     */
    int idleWait(long softNanos) throws IOException {
        pos = 0;
        lim = 0;
        enterIdleWait();
        if (largeMessages) {
            int n = wholeBufferWait();
            if (n != 0) {
                return n;
            }
        }
        if (wake == null) {
            wake = new byte[WAKE_BYTES];
        }
        java.net.Socket socket = conn.socket();
        int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (softNanos + 999_999) / 1_000_000));
        int n;
        socket.setSoTimeout(ms);
        conn.softWait(true);
        try {
            n = readSocket(wake, 0, wake.length);
        } catch (SocketTimeoutException e) {
            if (e instanceof ConnectionTimeoutException) {
                throw e; // the idle timeout itself (the watchdog fired first): as any idle read
            }
            return 0;
        } finally {
            conn.softWait(false);
            socket.setSoTimeout(0);
        }
        return n <= 0 ? -1 : woke(n);
    }

    /**
     * The connection hibernates (its thread is about to end): nothing may stay that only a
     * waiting thread needs. Buffers go back, the idle array goes, and the thread is forgotten
     * (a reference to it would keep the ended thread, and its stack, reachable).
     */
    void hibernate() {
        releaseBuffer();
        wake = null;
        user = null;
    }

    /**
     * Before the first read of an idle period: the buffers go back to the pool, and a virtual
     * thread lets the others run once. Right after a response the peer's next request is usually
     * still on its way; read now and the read fails (EAGAIN), the JDK re-arms the descriptor
     * (epoll_ctl) and parks the thread until its poller wakes it: two syscalls and a park per
     * request. After one turn of the scheduler the bytes have usually arrived and the read simply
     * takes them (figures in docs/performance-history.md, "The yield before the idle read"). When
     * nothing else is runnable the yield returns at once.
     */
    private void enterIdleWait() {
        releaseIdleBuffers();
        if (YIELD_BEFORE_IDLE_READ && Thread.currentThread().isVirtual()) {
            if (Fairness.on()) {
                // Never past a starving wake-up from outside the scheduler (see Fairness).
                Fairness.SCHEDULER.yieldNow();
            } else {
                Thread.yield();
            }
        }
    }

    private void releaseIdleBuffers() {
        releaseBuffer();
        conn.releaseIdleOutput();
    }

    /** The connection went idle: the next wait may give the buffer back. */
    void idle() {
        wokeInIdle = false;
    }

    /** A buffer from the pool, this thread recorded as its user (before the buffer is published). */
    private byte[] takeBuffer() {
        claim();
        byte[] b = engine.pool().acquire(conn.id());
        BUF.setRelease(this, b);
        return b;
    }

    /** This thread reads the stream now (a reader thread may take over from the connection's). */
    private void claim() {
        Thread me = Thread.currentThread();
        if (user != me) {
            user = me;
        }
    }

    /**
     * Gives the buffer back if it holds nothing. Exactly once: a reader thread going idle and the
     * connection's thread ending may both get here at the same moment, and the compare-and-set on
     * the field lets only one of them have the array (two releases would put one buffer into two
     * pool slots, and two later connections would share it). See {@link BufferPool#mayPool}.
     */
    void releaseBuffer() {
        byte[] b = buf;
        if (b != null && pos >= lim && BUF.compareAndSet(this, b, null)) {
            pos = 0;
            lim = 0;
            if (BufferPool.mayPool(user, Thread.currentThread())) {
                engine.pool().release(b, conn.id());
            }
        }
    }

    /** The connection ended: the buffer goes back whatever it holds. */
    void discard() {
        pos = lim;
        releaseBuffer();
    }

    /** True when this input holds a buffer now (for tests of the idle-memory path). */
    public boolean holdsBuffer() {
        return buf != null;
    }

    // ---- InputStream -------------------------------------------------------------------------

    @Override
    public int read() throws IOException {
        if (pos >= lim && fill() < 0) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return readInto(b, off, len, null);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (dst.hasArray()) {
            return super.read(dst);
        }
        return readInto(null, 0, dst.remaining(), dst);
    }

    /**
     * {@link #read(byte[], int, int)} into {@code b}, or, with {@code direct} not null, into that
     * direct buffer ({@code len} its room, {@code b} unused).
     */
    private int readInto(byte[] b, int off, int len, ByteBuffer direct) throws IOException {
        if (len == 0) {
            return 0;
        }
        int avail = lim - pos;
        if (avail <= 0) {
            if (len >= engine.pool().bufferSize() && (direct == null || channel != null)) {
                // Large reads go straight into the caller's memory: one copy fewer, and none at all
                // into a direct buffer on plain TCP (the JDK reads into it itself). While idle the
                // caller's memory is the only memory the wait holds, so ours go back first.
                if (conn.isIdle() && !wokeInIdle) {
                    enterIdleWait();
                }
                return readSocket(b, off, len, direct);
            }
            if (fill() < 0) {
                return -1;
            }
            avail = lim - pos;
        }
        int n = Math.min(avail, len);
        if (direct == null) {
            System.arraycopy(buf, pos, b, off, n);
        } else {
            direct.put(buf, pos, n);
        }
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
            if (pos >= lim && fill() < 0) {
                break;
            }
            int k = (int) Math.min(lim - pos, n - skipped);
            pos += k;
            skipped += k;
        }
        return skipped;
    }

    @Override
    public int available() throws IOException {
        int n = lim - pos;
        if (n > 0 || timedOut != null) {
            return n;
        }
        return raw.available();
    }

    @Override
    public int transferBuffered(OutputStream out, int maxBytes) throws IOException {
        Objects.requireNonNull(out, "out");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("transferBuffered: maxBytes = " + maxBytes + ": must not be negative");
        }
        int n = Math.min(lim - pos, maxBytes);
        if (n <= 0) {
            return 0;
        }
        out.write(buf, pos, n);
        pos += n;
        return n;
    }

    /**
     * Pumps everything to {@code out} until end of stream, flushing after each chunk: a socket
     * pump must pass on what arrived before it blocks for more, or an echo would stall.
     */
    @Override
    public long transferTo(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        long total = 0;
        while (pos < lim || fill() > 0) {
            int n = lim - pos;
            out.write(buf, pos, n);
            pos = lim;
            total += n;
            out.flush();
        }
        return total;
    }

    /** Closes the connection, as closing a socket's input stream does. */
    @Override
    public void close() {
        conn.close();
    }

    // ---- SocketInput -------------------------------------------------------------------------

    @Override
    public byte[] readExactly(int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("readExactly: n = " + n + ": must not be negative");
        }
        byte[] b = new byte[n];
        readExactly(b, 0, n);
        return b;
    }

    @Override
    public void readExactly(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        int got = 0;
        try {
            while (got < len) {
                int avail = lim - pos;
                if (avail > 0) {
                    int c = Math.min(avail, len - got);
                    System.arraycopy(buf, pos, b, off + got, c);
                    pos += c;
                    got += c;
                } else if (len - got >= engine.pool().bufferSize() && (!conn.isIdle() || wokeInIdle)) {
                    int r = readSocket(b, off + got, len - got);
                    if (r < 0) {
                        throw eof(len, got);
                    }
                    got += r;
                } else if (fill() < 0) {
                    throw eof(len, got);
                }
            }
        } catch (ConnectionTimeoutException e) {
            ConnectionTimeoutException t = new ConnectionTimeoutException(e.kind(),
                    e.getMessage() + " (readExactly: " + got + " of " + len + " bytes had arrived)");
            t.initCause(e);
            throw t;
        }
    }

    private EOFException eof(int expected, int got) {
        return conn.socketFailed(new EOFException(conn.describe() + ": end of stream inside readExactly: expected " + expected
                + " bytes, got " + got));
    }

    @Override
    public String readLine(int maxBytes) throws IOException {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("readLine: maxBytes = " + maxBytes + ": must be at least 1");
        }
        byte[] line;
        int at = findInBuffer(LF, maxBytes, "readLine");
        if (at == AT_END) {
            return null;
        }
        if (at >= 0) {
            // The common case: decode straight from the buffer, no intermediate array.
            int start = pos;
            int len = at - start;
            pos = at + 1;
            if (len > 0 && buf[at - 1] == '\r') {
                len--;
            }
            return new String(buf, start, len, StandardCharsets.UTF_8);
        }
        line = until(LF, maxBytes, "readLine");
        int len = line.length;
        if (len > 0 && line[len - 1] == '\r') {
            len--;
        }
        return new String(line, 0, len, StandardCharsets.UTF_8);
    }

    @Override
    public byte[] readUntil(byte[] delimiter, int maxBytes) throws IOException {
        Objects.requireNonNull(delimiter, "delimiter");
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("readUntil: delimiter is empty");
        }
        if (maxBytes < delimiter.length) {
            throw new IllegalArgumentException("readUntil: maxBytes = " + maxBytes
                    + ": must be at least the delimiter length " + delimiter.length);
        }
        int at = findInBuffer(delimiter, maxBytes, "readUntil");
        if (at == AT_END) {
            return null;
        }
        if (at >= 0) {
            byte[] out = java.util.Arrays.copyOfRange(buf, pos, at + 1 - delimiter.length);
            pos = at + 1;
            return out;
        }
        return until(delimiter, maxBytes, "readUntil");
    }

    private static final int AT_END = -2;
    private static final int SPILL = -1;

    /**
     * Looks for {@code delim} keeping the pending bytes in the buffer and reading more behind them
     * (moving them to the front when the buffer's end is reached): no allocation while the field
     * fits in one buffer. Returns the index of the delimiter's last byte, {@link #AT_END} at end of
     * stream before any byte, or {@link #SPILL} when the pending bytes fill the whole buffer.
     */
    private int findInBuffer(byte[] delim, int max, String op) throws IOException {
        if (pos >= lim && fill() < 0) {
            return AT_END;
        }
        int d = delim.length;
        byte last = delim[d - 1];
        int from = pos;
        while (true) {
            int end = Math.min(lim, pos + max);
            for (int i = from; i < end; i++) {
                if (buf[i] == last && i + 1 - pos >= d && matchesAt(delim, i + 1 - d)) {
                    return i;
                }
            }
            int pending = lim - pos;
            if (pending >= max) {
                pos = pos + max;
                throw new LimitExceededException(conn.describe() + ": " + op + " found no delimiter within maxBytes="
                        + max, max);
            }
            if (pending == buf.length) {
                return SPILL;
            }
            int scanned = end - pos;
            if (lim == buf.length) {
                System.arraycopy(buf, pos, buf, 0, pending);
                pos = 0;
                lim = pending;
            }
            int n = readSocket(buf, lim, buf.length - lim);
            if (n < 0) {
                pos = lim;
                throw conn.socketFailed(new EOFException(conn.describe() + ": end of stream inside " + op + " after "
                        + pending + " bytes, before the delimiter"));
            }
            lim += n;
            from = pos + scanned;
        }
    }

    private boolean matchesAt(byte[] delim, int at) {
        for (int j = 0; j < delim.length; j++) {
            if (buf[at + j] != delim[j]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads up to and including {@code delim}, at most {@code max} bytes in all; returns what came
     * before it. Bytes are collected only when the match spans buffer refills.
     */
    private byte[] until(byte[] delim, int max, String op) throws IOException {
        byte last = delim[delim.length - 1];
        byte[] acc = null;
        int accLen = 0;
        while (true) {
            if (pos >= lim && fill() < 0) {
                if (accLen == 0) {
                    return null;
                }
                throw conn.socketFailed(new EOFException(conn.describe() + ": end of stream inside " + op + " after "
                        + accLen + " bytes, before the delimiter"));
            }
            int start = pos;
            int end = Math.min(lim, start + (max - accLen));
            for (int i = start; i < end; i++) {
                if (buf[i] == last && endsWith(delim, acc, accLen, start, i)) {
                    int total = accLen + (i + 1 - start) - delim.length;
                    byte[] out = new byte[total];
                    int fromAcc = Math.min(accLen, total);
                    if (fromAcc > 0) {
                        System.arraycopy(acc, 0, out, 0, fromAcc);
                    }
                    if (total > fromAcc) {
                        System.arraycopy(buf, start, out, fromAcc, total - fromAcc);
                    }
                    pos = i + 1;
                    return out;
                }
            }
            int n = end - start;
            if (acc == null) {
                acc = new byte[Math.min(max, Math.max(64, n * 2))];
            } else if (accLen + n > acc.length) {
                acc = java.util.Arrays.copyOf(acc, Math.min(max, Math.max(acc.length * 2, accLen + n)));
            }
            System.arraycopy(buf, start, acc, accLen, n);
            accLen += n;
            pos = end;
            if (accLen >= max) {
                throw new LimitExceededException(conn.describe() + ": " + op + " found no delimiter within maxBytes="
                        + max, max);
            }
        }
    }

    /** Whether acc[0..accLen) + buf[start..i] ends with delim (its last byte already matched at i). */
    private boolean endsWith(byte[] delim, byte[] acc, int accLen, int start, int i) {
        int j = delim.length - 1;
        int k = i;
        while (j >= 0) {
            byte c;
            if (k >= start) {
                c = buf[k];
            } else {
                int a = accLen - (start - k);
                if (a < 0) {
                    return false;
                }
                c = acc[a];
            }
            if (c != delim[j]) {
                return false;
            }
            j--;
            k--;
        }
        return true;
    }

    @Override
    public int peek() throws IOException {
        if (pos >= lim && fill() < 0) {
            return -1;
        }
        return buf[pos] & 0xff;
    }

    @Override
    public int buffered() {
        return lim - pos;
    }

    /**
     * The byte {@code i} places past the read position if it is already buffered, else -1.
     * Never reads: a protocol can check that something has fully arrived (the end of a chunked
     * body) without consuming what its caller may still read.
     */
    @Override
    public int bufferedByte(int i) {
        return i >= 0 && i < lim - pos ? buf[pos + i] & 0xff : -1;
    }

    @Override
    public void deadline(Instant deadline) {
        this.deadline = deadline;
        this.hasDeadline = deadline != null;
        if (deadline != null) {
            deadlineNanos = Guard.dueAt(deadline);
        }
    }

    /** Sets the deadline {@code timeout} from now, without going through the wall clock twice. */
    @Override
    public void deadlineAfter(Duration timeout) {
        deadline = null;
        hasDeadline = timeout != null;
        if (hasDeadline) {
            // No wall clock here: this runs once per HTTP request; deadline() makes the Instant if asked.
            deadlineNanos = Guard.dueAfter(timeout);
        }
    }

    /** True while a deadline is in force (without making its Instant). */
    boolean hasDeadline() {
        return hasDeadline;
    }

    @Override
    public Instant deadline() {
        if (hasDeadline && deadline == null) {
            deadline = Instant.now().plusNanos(deadlineNanos - System.nanoTime());
        }
        return deadline;
    }

    @Override
    public long bytesRead() {
        return bytesRead;
    }

}
