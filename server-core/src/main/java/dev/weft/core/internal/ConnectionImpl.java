package dev.weft.core.internal;

import dev.weft.core.Connection;
import dev.weft.core.ConnectionTimeoutException;
import dev.weft.core.SocketInput;
import dev.weft.core.SocketOutput;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One accepted connection: its state, its close paths, and the run method of its virtual thread.
 *
 * <pre>
 *   BUSY --markIdle--> IDLE --markBusy--> BUSY        (accepted BUSY)
 *     \                  \
 *      +---- close ------+--> CLOSED   (any thread; once; drain closes IDLE at once)
 * </pre>
 *
 * <p>Only the connection's own thread reads, writes and touches the buffers. Other threads
 * (shutdown, the watchdog) only ever close the channel, which makes a blocked read or write fail
 * at once (closing a channel fails the blocked channel operation with AsynchronousCloseException).
 *
 * <p>Protocol modules may cast a {@link Connection} to this class for {@link #inputImpl()},
 * {@link #outputImpl()} and {@link #pool()}.
 */
public final class ConnectionImpl implements Connection, Runnable {

    static final int BUSY = 0;
    static final int IDLE = 1;
    static final int CLOSED = 2;

    static final int GUARD_NONE = 0;
    static final int GUARD_WRITE = 1;
    static final int GUARD_HANDSHAKE = 2;
    static final int GUARD_FIRED = 3;
    static final int GUARD_READ = 4;

    private static final VarHandle STATE;
    private static final VarHandle GUARD;
    private static final VarHandle READ_GUARD;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(ConnectionImpl.class, "state", int.class);
            GUARD = l.findVarHandle(ConnectionImpl.class, "guard", int.class);
            READ_GUARD = l.findVarHandle(ConnectionImpl.class, "readGuard", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Engine engine;
    private final long id;
    private final SocketChannel channel;
    private final InetSocketAddress remote;

    private volatile int state;
    /**
     * What the watchdog watches on the output side: {@code GUARD_WRITE}, {@code GUARD_HANDSHAKE};
     * the deadline is written before it. Reads have their own slot: a protocol may read on one
     * thread while another writes (a chat's broadcaster), and neither may clear the other's bound.
     */
    private volatile int guard;
    private long guardDeadline;
    /** {@code GUARD_READ} while a plain read is bounded, {@code GUARD_FIRED} once the watchdog cut it. */
    private volatile int readGuard;
    private long readDeadline;
    private volatile boolean closedAsIdle;
    /** Guards {@link #drainActions} and {@link #drainBegun} between this thread and the shutdown's. */
    private final java.util.concurrent.locks.ReentrantLock drainLock = new java.util.concurrent.locks.ReentrantLock();
    /** Actions from {@link #onDraining}; null until the first one (most connections never have one). */
    private java.util.List<Runnable> drainActions;
    private boolean drainBegun;
    private volatile boolean keepThroughDrain;

    private Thread thread;
    private Socket socket;
    private SSLSocket tls;
    private SocketInputImpl in;
    private SocketOutputImpl out;

    ConnectionImpl(Engine engine, long id, SocketChannel channel, InetSocketAddress remote) {
        this.engine = engine;
        this.id = id;
        this.channel = channel;
        this.remote = remote;
    }

    void thread(Thread thread) {
        this.thread = thread;
    }

    Thread thread() {
        return thread;
    }

    Engine engine() {
        return engine;
    }

    /** The socket the streams come from: the channel's adaptor, or the TLS socket over it. */
    Socket socket() {
        return socket;
    }

    // ---- the connection's thread -------------------------------------------------------------

    /** The connection's virtual thread: open (TLS handshake), the handler, close. */
    @Override
    public void run() {
        Throwable failure = null;
        boolean closedBefore = false;
        try {
            open();
            engine.handler().handle(this);
            if (!isClosed()) {
                out.flush();
            }
        } catch (Throwable t) {
            failure = t;
            closedBefore = isClosed();
        } finally {
            closeAtEnd(failure == null);
            if (failure != null) {
                Failures.log(this, failure, closedBefore);
            }
            if (in != null) {
                in.discard();
            }
            if (out != null) {
                out.discard();
            }
            engine.ended(this);
        }
    }

    /** True while a TLS handshake has begun and not completed (also when it failed). */
    boolean inHandshake() {
        return tls != null && socket == null;
    }

    /** Plain: the channel's socket adaptor. TLS: the handshake, bounded by SO_TIMEOUT and the watchdog. */
    private void open() throws IOException {
        Socket raw = channel.socket();
        SSLContext ssl = engine.config().sslContext();
        if (ssl != null) {
            SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket(raw, null, raw.getPort(), true);
            s.setUseClientMode(false);
            tls = s;
            long timeoutNanos = engine.config().handshakeTimeout().toNanos();
            s.setSoTimeout(Engine.soTimeoutMillis(engine.config().handshakeTimeout()));
            if (timeoutNanos > 0) {
                guardStart(GUARD_HANDSHAKE, timeoutNanos);
            }
            try {
                s.startHandshake();
            } catch (SocketTimeoutException e) {
                // SO_TIMEOUT fired; count it here unless the watchdog got there first and counted.
                throw handshakeTimeout(e, !(timeoutNanos > 0 && guardEnd()));
            } catch (IOException e) {
                if (timeoutNanos > 0 && guardEnd()) {
                    throw handshakeTimeout(e, false);
                }
                throw e;
            }
            if (timeoutNanos > 0 && guardEnd()) {
                throw handshakeTimeout(null, false);
            }
            socket = s;
        } else {
            socket = raw;
        }
        in = new SocketInputImpl(this, socket.getInputStream());
        out = new SocketOutputImpl(this, socket.getOutputStream(), ssl == null ? channel : null);
    }

    private ConnectionTimeoutException handshakeTimeout(Throwable cause, boolean count) {
        if (count) {
            engine.counters().timeout(ConnectionTimeoutException.Kind.HANDSHAKE);
        }
        ConnectionTimeoutException e = new ConnectionTimeoutException(ConnectionTimeoutException.Kind.HANDSHAKE,
                describe() + ": TLS handshake not done within handshakeTimeout="
                        + Engine.human(engine.config().handshakeTimeout()));
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /** The handler is done: flush happened; close (with close_notify for TLS, bounded by the watchdog). */
    private void closeAtEnd(boolean clean) {
        if (!STATE.compareAndSet(this, BUSY, CLOSED) && !STATE.compareAndSet(this, IDLE, CLOSED)) {
            return;
        }
        if (tls != null && clean) {
            long timeoutNanos = engine.config().writeTimeout().toNanos();
            if (timeoutNanos > 0) {
                guardStart(GUARD_WRITE, timeoutNanos);
            }
            try {
                tls.close();
            } catch (IOException | RuntimeException ignored) {
                // close_notify is a courtesy; the channel close below is what frees the descriptor.
            } finally {
                if (timeoutNanos > 0) {
                    guardEnd();
                }
            }
        }
        closeChannel();
    }

    // ---- read/write/handshake guard, read by the watchdog -----------------------------------

    void guardStart(int kind, long timeoutNanos) {
        guardDeadline = System.nanoTime() + timeoutNanos;
        guard = kind;
    }

    /** A plain read is about to block until at most {@code dueNanos} (System.nanoTime based). */
    void guardRead(long dueNanos) {
        readDeadline = dueNanos;
        readGuard = GUARD_READ;
    }

    /** Ends the guarded read; true if the watchdog fired on it (the input is shut down then). */
    boolean readGuardEnd() {
        return (int) READ_GUARD.getAndSet(this, GUARD_NONE) == GUARD_FIRED;
    }

    /** Ends the guarded write or handshake; true if the watchdog fired on it (the channel is closed then). */
    boolean guardEnd() {
        return (int) GUARD.getAndSet(this, GUARD_NONE) == GUARD_FIRED;
    }

    /**
     * Called by the watchdog on every tick. A read past its bound gets its input shut down (the
     * blocked read wakes with EOF and reports the timeout; the output stays usable for an error
     * reply); a write or handshake past its bound gets the connection closed.
     */
    void checkGuard(long now) {
        if (readGuard == GUARD_READ && now - readDeadline > 0
                && READ_GUARD.compareAndSet(this, GUARD_READ, GUARD_FIRED)) {
            try {
                // The JDK wakes a virtual thread parked in read on shutdownInput (Poller.stopPoll).
                channel.shutdownInput();
            } catch (IOException | RuntimeException e) {
                closeFromOutside();
            }
        }
        int g = guard;
        if ((g == GUARD_WRITE || g == GUARD_HANDSHAKE) && now - guardDeadline > 0
                && GUARD.compareAndSet(this, g, GUARD_FIRED)) {
            engine.counters().timeout(g == GUARD_WRITE ? ConnectionTimeoutException.Kind.WRITE
                    : ConnectionTimeoutException.Kind.HANDSHAKE);
            Engine.LOG.debug("{}: {} past its timeout, closing", describe(), g == GUARD_WRITE ? "write" : "TLS handshake");
            closeFromOutside();
        }
    }

    // ---- Connection ----------------------------------------------------------------------------

    @Override
    public long id() {
        return id;
    }

    @Override
    public SocketInput in() {
        return in;
    }

    @Override
    public SocketOutput out() {
        return out;
    }

    /** The implementation behind {@link #in()}, for protocol modules. */
    public SocketInputImpl inputImpl() {
        return in;
    }

    /** The implementation behind {@link #out()}, for protocol modules. */
    public SocketOutputImpl outputImpl() {
        return out;
    }

    /** The server's shared buffer pool (buffers of {@code bufferSize} bytes). */
    public BufferPool pool() {
        return engine.pool();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        // The connection's own address (on a wildcard bind, the interface the peer reached), not the listener's.
        java.net.SocketAddress local = channel.socket().getLocalSocketAddress();
        return local instanceof InetSocketAddress a ? a : engine.localAddress();
    }

    @Override
    public boolean isSecure() {
        return engine.config().sslContext() != null;
    }

    @Override
    public void shutdownOutput() throws IOException {
        out.flush();
        if (tls != null) {
            tls.shutdownOutput();
        } else {
            channel.shutdownOutput();
        }
    }

    @Override
    public void abort() {
        STATE.getAndSet(this, CLOSED);
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException ignored) {
            // Already closed: nothing left to reset.
        }
        closeChannel();
    }

    @Override
    public void close() {
        if (Thread.currentThread() == thread) {
            if (state != CLOSED && out != null) {
                try {
                    out.flush();
                } catch (IOException ignored) {
                    // Best effort: the peer may be gone; closing is what was asked.
                }
            }
            closeAtEnd(true);
        } else {
            closeFromOutside();
        }
    }

    /** Close from a thread that is not the connection's: never touch the buffers or TLS state. */
    void closeFromOutside() {
        STATE.getAndSet(this, CLOSED);
        closeChannel();
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException | RuntimeException ignored) {
            // Closing a socket can only fail in ways that leave it closed.
        }
    }

    @Override
    public boolean isClosed() {
        return state == CLOSED;
    }

    @Override
    public void markIdle() {
        if (!STATE.compareAndSet(this, BUSY, IDLE)) {
            return;
        }
        if (out != null && Thread.currentThread() == thread) {
            // Buffers stay until the idle hold expires in the next read (SocketInputImpl).
            in.idle();
        }
        if (engine.isDraining() && !keepThroughDrain) {
            if (out != null && Thread.currentThread() == thread && out.buffered() > 0) {
                try {
                    out.flush();
                } catch (IOException ignored) {
                    // The close below ends it anyway.
                }
            }
            closeIfIdle();
        }
    }

    @Override
    public boolean markBusy() {
        return STATE.compareAndSet(this, IDLE, BUSY) || state == BUSY;
    }

    @Override
    public boolean isIdle() {
        return state == IDLE;
    }

    @Override
    public boolean isDraining() {
        return engine.isDraining();
    }

    @Override
    public void onDraining(Runnable action) {
        java.util.Objects.requireNonNull(action, "action");
        boolean now;
        drainLock.lock();
        try {
            keepThroughDrain = true;
            now = drainBegun;
            if (!now) {
                if (drainActions == null) {
                    drainActions = new java.util.ArrayList<>(1);
                }
                drainActions.add(action);
            }
        } finally {
            drainLock.unlock();
        }
        if (now) {
            runDrainAction(action);
        }
    }

    /**
     * Drain, on the shutdown's thread before idle connections are closed: runs the actions
     * registered with {@link #onDraining}, once.
     *
     * @return true if the connection has such actions: it is given the grace like a busy one
     */
    boolean beginDrain() {
        java.util.List<Runnable> actions;
        drainLock.lock();
        try {
            drainBegun = true;
            actions = drainActions;
            drainActions = null;
        } finally {
            drainLock.unlock();
        }
        if (actions != null) {
            for (Runnable a : actions) {
                runDrainAction(a);
            }
        }
        return keepThroughDrain;
    }

    private void runDrainAction(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            Engine.LOG.warn("{}: an onDraining action failed", describe(), e);
        }
    }

    /** Drain: closes the connection if it is idle; true (and counted once) if this call closed it. */
    boolean closeIfIdle() {
        if (STATE.compareAndSet(this, IDLE, CLOSED)) {
            closedAsIdle = true;
            engine.closedIdle();
            closeChannel();
            return true;
        }
        return false;
    }

    boolean closedAsIdle() {
        return closedAsIdle;
    }

    /** "conn 12 (/127.0.0.1:50412)": how logs and exception messages name a connection. */
    public String describe() {
        return "conn " + id + " (" + remote + ")";
    }

    @Override
    public String toString() {
        return describe() + (state == CLOSED ? " closed" : state == IDLE ? " idle" : " busy");
    }
}
