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
 * <p>Hibernation (see {@link #awaitIdle}) happens inside IDLE, so everything that treats idle
 * connections (drain, eviction, the idle timeout) treats hibernated ones the same. Its own
 * word, {@code hib}, says who owns a connection that has no thread:
 *
 * <pre>
 *   AWAKE --thread returns after awaitIdle said HIBERNATED--> HIBERNATED
 *   HIBERNATED --fresh thread starts (readable)--> AWAKE
 *   HIBERNATED --closed by anyone--> ENDED     (the closer ends it: counters, registry, permit)
 *   AWAKE --the connection's thread hibernates or gives the output buffer back--> OWN --> HIBERNATED or AWAKE
 * </pre>
 *
 * <p>The same word counts the writers from other threads ({@link #acquireWriter}) above its two
 * low bits, while AWAKE only: the connection's thread enters OWN only with no writer in, and a
 * writer waits out OWN (a few instructions) or wakes a HIBERNATED connection.
 *
 * <p>Only the connection's own thread reads, writes and touches the buffers. Other threads
 * (shutdown, the watchdog) only ever close the channel, which makes a blocked read or write fail
 * at once (closing a channel wakes a thread blocked on it, virtual or not).
 *
 * <p>Protocol modules may cast a {@link Connection} to this class for {@link #inputImpl()},
 * {@link #outputImpl()} and {@link #pool()}.
 */
public final class ConnectionImpl extends Registry.Node<ConnectionImpl>
        implements Connection, dev.weft.core.Buffers, Runnable {

    static final int BUSY = 0;
    static final int IDLE = 1;
    static final int CLOSED = 2;

    /** Kinds of the output guard ({@link Guard}); the read guard has one kind, {@link #GUARD_READ}. */
    static final int GUARD_WRITE = 1;
    static final int GUARD_HANDSHAKE = 2;
    static final int GUARD_WRITE_DEADLINE = 3;
    static final int GUARD_READ = 1;

    /** {@code hib}: see the class comment. */
    static final int AWAKE = 0;
    static final int HIBERNATED = 1;
    static final int ENDED = 2;
    static final int OWN = 3;
    private static final int HIB_STATE = 3;
    /** One writer in the {@code hib} word. */
    private static final int WRITER = 4;
    /** How long a writer waits for a hibernated connection to wake before it asks again. */
    private static final long WAKE_AGAIN_NANOS = 10_000_000;

    private static final VarHandle STATE;
    private static final VarHandle HIB;
    private static final VarHandle DRAIN_ACTIONS;
    private static final Runnable[] DRAIN_BEGUN = {};
    private static final VarHandle SOCKET_FAILURES;
    /** The two {@link Guard} words. */
    static final VarHandle WRITE_GUARD;
    private static final VarHandle READ_GUARD;
    private static final int MAX_SOCKET_FAILURES = 8;
    private static final Throwable[] NO_FAILURES = {};

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(ConnectionImpl.class, "state", int.class);
            HIB = l.findVarHandle(ConnectionImpl.class, "hib", int.class);
            DRAIN_ACTIONS = l.findVarHandle(ConnectionImpl.class, "drainActions", Runnable[].class);
            SOCKET_FAILURES = l.findVarHandle(ConnectionImpl.class, "socketFailures", Throwable[].class);
            WRITE_GUARD = l.findVarHandle(ConnectionImpl.class, "writeGuardWord", long.class);
            READ_GUARD = l.findVarHandle(ConnectionImpl.class, "readGuardWord", long.class);
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
     * What the watchdog watches on the output side: a write (or write deadline) or the TLS
     * handshake. Reads have their own guard: a protocol may read on one thread while another
     * writes (a chat's broadcaster), and neither may clear the other's bound.
     */
    @SuppressWarnings("unused") // through WRITE_GUARD
    private volatile long writeGuardWord;
    /** A plain read's bound (a {@link Guard} word); fired means the watchdog shut the input down. */
    @SuppressWarnings("unused") // through READ_GUARD
    private volatile long readGuardWord;
    private volatile boolean closedAsIdle;
    /**
     * Accepted once the shutdown had begun (during the drain delay) and not yet busy after an
     * idle wait: its client connected to send something, which may be on its way. Closing it as
     * idle would reset that request, so the drain treats it as busy until its first unit of work
     * is over (HTTP: one request, answered with Connection: close), bounded by the grace.
     */
    private volatile boolean freshWhileDraining;
    /** Written before the IDLE state is published, read by the acceptor choosing whom to evict. */
    private long idleSince;
    /** What this connection's socket threw (see {@link #socketFailed}); copy-on-write, rarely written. */
    private volatile Throwable[] socketFailures = NO_FAILURES;
    /**
     * Actions from {@link #onDraining} as an immutable array, null until the first one (most
     * connections never have one), {@link #DRAIN_BEGUN} once the drain took them. Changed by
     * compare-and-set only: a lock per connection would be 48 bytes on every idle connection.
     */
    @SuppressWarnings("unused") // through DRAIN_ACTIONS
    private volatile Runnable[] drainActions;
    private volatile boolean keepThroughDrain;

    /** Volatile: a hibernated connection gets a fresh thread, and shutdown joins whichever is current. */
    private volatile Thread thread;
    /** Who owns the connection while it has no thread: AWAKE, HIBERNATED, ENDED or OWN, and the writers. */
    private volatile int hib;
    /** {@link #shareOutput()} was called: threads other than this one's write (see {@link #acquireWriter}). */
    private volatile boolean sharedOutput;
    /** What continues the protocol after a hibernation; set by awaitIdle, taken by the fresh thread. */
    private dev.weft.core.ConnectionHandler resume;
    /** awaitIdle returned HIBERNATED: when the handler returns, hibernate instead of closing. */
    private boolean hibernateNext;
    /** The bounded idle wait before a hibernation is in progress (its SO_TIMEOUT is no failure). */
    private boolean softWait;
    /** While hibernated: when the idle timeout closes it (System.nanoTime); 0 for none. */
    private long hibernatedIdleDue;
    /**
     * While hibernated the streams are gone (see {@link #hibernate}); these carry their byte counts
     * over to the ones made on waking.
     */
    private long hibernatedRead;
    private long hibernatedWritten;
    private Socket socket;
    /** TLS only (null on a plain connection, which keeps none of it). */
    private TlsState tlsState;
    private SocketInputImpl in;
    private SocketOutputImpl out;

    /** What a TLS connection has beyond a plain one: a side object, so that plain ones do not carry the fields. */
    private static final class TlsState {
        /** Set once the TLS socket is layered, before its handshake. */
        SSLSocket socket;
        /** Set on the connection's thread from the start of a TLS handshake until it succeeds. */
        boolean handshaking;
        volatile java.util.List<String> alpnRefused;
        volatile java.util.Optional<dev.weft.core.TlsInfo> info;
    }

    /** The TLS socket once layered; null on a plain connection and before the layering. */
    private SSLSocket sslSocket() {
        TlsState t = tlsState;
        return t == null ? null : t.socket;
    }

    ConnectionImpl(Engine engine, long id, SocketChannel channel, InetSocketAddress remote) {
        this.engine = engine;
        this.id = id;
        this.channel = channel;
        this.remote = remote;
        this.freshWhileDraining = engine.isDraining();
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
        dev.weft.core.ConnectionHandler next = null;
        if (hib == HIBERNATED) {
            // Started by the hibernator: the connection is this thread's only if no close ended it first.
            // OWN until its streams exist: a writer waiting for the wake-up takes out() then.
            if (!HIB.compareAndSet(this, HIBERNATED, OWN)) {
                return;
            }
            engine.counters().hibernated.decrement();
            next = resume;
            resume = null;
        }
        Throwable failure = null;
        boolean closedBefore = false;
        boolean hibernated = false;
        try {
            if (next == null) {
                open();
                engine.handler().handle(this);
            } else {
                try {
                    streams(hibernatedRead, hibernatedWritten);
                } finally {
                    hib = AWAKE;
                    engine.hibernator().changed();
                }
                next.handle(this);
            }
            while (hibernateNext) {
                hibernateNext = false;
                int h = hibernate();
                if (h == HIBERNATE_DONE) {
                    hibernated = true;
                } else if (h == HIBERNATE_STAY) {
                    // A writer held the connection: the protocol goes on here, awake (see awaitIdle).
                    dev.weft.core.ConnectionHandler again = resume;
                    resume = null;
                    again.handle(this);
                } else if (resume instanceof Connection.HibernatedHandler hh) {
                    // Closed on its way into the hibernation (shutdown, the idle timeout, eviction):
                    // the protocol already returned, so it is told as if it had been hibernated.
                    resume = null;
                    tellClosed(hh);
                }
            }
            if (!hibernated && !isClosed()) {
                out.flush();
            }
        } catch (Throwable t) {
            failure = t;
            closedBefore = isClosed();
        } finally {
            if (!hibernated) {
                cleanUp(failure, closedBefore);
            }
        }
    }

    // ---- hibernation -----------------------------------------------------------------------

    @Override
    public int awaitIdle(dev.weft.core.ConnectionHandler resume) throws IOException {
        java.util.Objects.requireNonNull(resume, "resume");
        long after = engine.hibernator().afterNanos();
        long idle = engine.idleTimeoutNanos();
        if (after == 0 || (idle > 0 && after >= idle) || tlsState != null || in == null || state != IDLE
                || Thread.currentThread() != thread || in.buffered() > 0 || in.hasDeadline()
                || engine.isDraining() || !engine.hibernator().available()) {
            return in.peek();
        }
        // The deadline the idle read below has (it arms the watchdog with the same sum): kept for the hibernation.
        hibernatedIdleDue = idle > 0 ? System.nanoTime() + idle : 0;
        int n = in.idleWait(after);
        if (n > 0) {
            return in.bufferedByte(0);
        }
        if (n < 0) {
            return -1;
        }
        this.resume = resume;
        hibernateNext = true;
        return dev.weft.core.Connection.HIBERNATED;
    }

    /** The bounded idle wait of awaitIdle is on: a SocketTimeoutException from the socket is expected. */
    void softWait(boolean on) {
        softWait = on;
    }

    boolean softWaiting() {
        return softWait;
    }

    /** What {@link #hibernate} did: ended as usual, hibernated, or kept awake by a writer. */
    private static final int HIBERNATE_END = 0;
    private static final int HIBERNATE_DONE = 1;
    private static final int HIBERNATE_STAY = 2;

    /**
     * The handler returned after awaitIdle said HIBERNATED: hand the connection to the
     * hibernator, with nothing left that only a thread needs. On this thread, which ends right
     * after if this returns HIBERNATE_DONE (hibernated, or ended by a close that raced);
     * HIBERNATE_END to end it as usual; HIBERNATE_STAY if a writer holds it (the protocol goes on).
     */
    private int hibernate() throws IOException {
        if (engine.isDraining() && !keepThroughDrain) {
            closeIfIdle(); // the drain began during the wait: closed as idle, and counted so, like the others
            return HIBERNATE_END;
        }
        if (state != IDLE) {
            return HIBERNATE_END;
        }
        if (out.buffered() > 0) {
            // Before OWN, which writers wait out by spinning: a flush may wait for the peer. What
            // is buffered here is this thread's own (writers from other threads flush before
            // they release).
            out.flush();
        }
        if (engine.isDraining() || !HIB.compareAndSet(this, AWAKE, OWN)) {
            return HIBERNATE_STAY; // a writer is in (or the drain began for a connection that says goodbye itself)
        }
        in.hibernate();
        out.hibernate();
        try {
            // Selectors take non-blocking channels only. On a virtual thread the JDK already keeps
            // the descriptor non-blocking, so this flips the channel's mode, not the socket's.
            channel.configureBlocking(false);
        } catch (IOException | RuntimeException e) {
            hib = AWAKE;
            return HIBERNATE_END; // closed meanwhile: end as usual
        }
        // The streams go too (with the JDK's socket streams under them, about 230 bytes): made
        // again on waking, with the byte counts carried over. A protocol takes them again from
        // the connection in its continuation (see Connection#awaitIdle).
        hibernatedRead = in.bytesRead();
        hibernatedWritten = out.bytesWritten();
        in = null;
        out = null;
        thread = Hibernator.noThread();
        engine.counters().hibernated.increment();
        hib = HIBERNATED;
        // A close that ran before hib was published did not see it: end here. One that runs from
        // now on sees it and ends the connection itself (endHibernated decides exactly once).
        if (state == CLOSED || !engine.hibernator().register(this, channel)) {
            endHibernated();
        }
        return HIBERNATE_DONE;
    }

    /**
     * The hibernator saw the socket readable (bytes, FIN or reset) and deregistered it: back to
     * blocking mode and on a fresh virtual thread, which continues the protocol (see run).
     */
    void resumeFromPoller() {
        if (hib != HIBERNATED) {
            return;
        }
        try {
            channel.configureBlocking(true);
        } catch (IOException | RuntimeException e) {
            closeFromOutside(); // closed meanwhile (the closer ended it) or broken: either way it ends
            return;
        }
        try {
            Thread t = Thread.ofVirtual().name("weft-conn-" + id).unstarted(this);
            thread = t; // before start: shutdown joins the thread it reads here
            t.start();
        } catch (Throwable e) {
            closeFromOutside();
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
            Engine.LOG.error("{}: cannot start a thread to wake it from hibernation", describe(), e);
        }
    }

    /** Ends a hibernated connection, once, on whichever thread closed it. */
    private void endHibernated() {
        if (!HIB.compareAndSet(this, HIBERNATED, ENDED)) {
            return;
        }
        engine.counters().hibernated.decrement();
        engine.hibernator().changed();
        STATE.getAndSet(this, CLOSED);
        try {
            channel.close();
        } catch (IOException | RuntimeException ignored) {
            // Closing can only fail in ways that leave it closed.
        }
        engine.hibernator().closed();
        dev.weft.core.ConnectionHandler r = resume;
        resume = null;
        try {
            if (in != null) {
                in.discard();
            }
            if (out != null) {
                out.discard();
            }
        } finally {
            engine.ended(this);
            if (r instanceof Connection.HibernatedHandler h) {
                tellClosed(h);
            }
        }
    }

    /** The protocol's continuation learns of a close no thread of the connection saw. */
    private void tellClosed(Connection.HibernatedHandler h) {
        try {
            Thread.ofVirtual().name("weft-conn-" + id + "-closed").start(() -> {
                try {
                    h.closedWhileHibernated(this);
                } catch (Throwable t) {
                    Engine.LOG.warn("{}: closedWhileHibernated failed", describe(), t);
                    if (t instanceof VirtualMachineError vme) {
                        throw vme;
                    }
                }
            });
        } catch (Throwable t) {
            Engine.LOG.error("{}: cannot start a thread to report its close while hibernated", describe(), t);
            if (t instanceof VirtualMachineError vme) {
                throw vme;
            }
        }
    }

    /** True while the connection waits without a thread. */
    boolean isHibernated() {
        return hib == HIBERNATED;
    }

    SocketChannel channel() {
        return channel;
    }

    // ---- writers from other threads ----------------------------------------------------------

    @Override
    public void shareOutput() {
        sharedOutput = true;
    }

    @Override
    public boolean acquireWriter() throws java.io.InterruptedIOException {
        while (true) {
            int h = hib;
            int s = h & HIB_STATE;
            if (s == ENDED || state == CLOSED) {
                return false;
            }
            if (s == AWAKE) {
                if (HIB.compareAndSet(this, h, h + WRITER)) {
                    return true;
                }
            } else if (s == OWN) {
                Thread.onSpinWait(); // the connection's thread is a few steps from HIBERNATED or AWAKE
                Thread.yield();
            } else {
                // Asked again after a short wait: the poller drops a request that finds the
                // connection awake (woken for another writer), and it may hibernate again before
                // this thread looks; the request it saw then is gone.
                engine.hibernator().wake(this);
                engine.hibernator().awaitChange(this, WAKE_AGAIN_NANOS);
            }
        }
    }

    @Override
    public void releaseWriter() {
        HIB.getAndAdd(this, -WRITER);
    }

    /**
     * Before an idle wait, on the reading thread: gives the output buffer back. Without
     * {@link #shareOutput} only on the connection's own thread (the only writer); with it on any
     * reading thread, unless a writer holds the connection (its own flush gives the buffer back
     * then, the connection being idle).
     */
    void releaseIdleOutput() {
        if (!sharedOutput) {
            if (Thread.currentThread() == thread) {
                // Only the connection's thread writes; a helper thread reading (chat) must not touch the output.
                out.releaseBuffer();
            }
        } else if (HIB.compareAndSet(this, AWAKE, OWN)) {
            try {
                out.releaseBuffer();
            } finally {
                hib = AWAKE;
            }
        }
    }

    /**
     * Shutdown waits for the connection to end, until {@code deadline} (System.nanoTime): its
     * thread, or the fresh one after a hibernation, or the close of a hibernated one.
     */
    void joinUntil(long deadline) throws InterruptedException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Thread t = thread;
            int h = hib & HIB_STATE;
            if (h == OWN) {
                // Between two states (its ended thread may already be named): look again in a moment.
                Thread.onSpinWait();
                Thread.yield();
                continue;
            }
            if (h == HIBERNATED) {
                try {
                    engine.hibernator().awaitChange(this, left);
                } catch (java.io.InterruptedIOException e) {
                    Thread.interrupted(); // as an InterruptedException: the flag is cleared
                    throw new InterruptedException(e.getMessage());
                }
                continue;
            }
            t.join(java.time.Duration.ofNanos(left));
            if (thread == t && hib != HIBERNATED) {
                return;
            }
        }
    }

    /**
     * Every step on its own: a step that throws (a logging binding choking on an exception's
     * toString(), an OutOfMemoryError) must not skip the ones after it. The last, giving back
     * the permit and the registry entry, always runs: without it, at maxConnections(1) the
     * server would never accept again.
     */
    private void cleanUp(Throwable failure, boolean closedBefore) {
        try {
            try {
                closeAtEnd(failure == null);
            } catch (Throwable t) {
                closeChannel();
                cleanupFailed("close", t);
            }
            if (failure != null) {
                try {
                    Failures.log(this, failure, closedBefore);
                } catch (Throwable t) {
                    cleanupFailed("logging its failure (" + failure.getClass().getName() + ")", t);
                }
            }
            try {
                if (in != null) {
                    in.discard();
                }
            } catch (Throwable t) {
                cleanupFailed("giving back the input buffer", t);
            }
            try {
                if (out != null) {
                    out.discard();
                }
            } catch (Throwable t) {
                cleanupFailed("giving back the output buffer", t);
            }
        } finally {
            engine.ended(this);
        }
    }

    /** Last resort: a plain line, no stack trace (printing it may be what failed). */
    private void cleanupFailed(String step, Throwable t) {
        try {
            Engine.LOG.error("{}: {} failed at the end of the connection: {}", describe(), step, t.getClass().getName());
        } catch (Throwable ignored) {
            // Nothing else to try; the permit and the registry entry are still given back.
        }
    }

    @Override
    public String applicationProtocol() {
        SSLSocket s = sslSocket();
        // "" when the handshake agreed no protocol, null before it completed: both are "none".
        String p = s == null ? null : s.getApplicationProtocol();
        return p == null || p.isEmpty() ? null : p;
    }

    /** True while a TLS handshake has begun and not completed (also when it failed). */
    boolean inHandshake() {
        TlsState t = tlsState;
        return t != null && t.handshaking;
    }

    /** The client's ALPN offer, when it had nothing in common with ours (for the log line). */
    void alpnRefused(java.util.List<String> offered) {
        TlsState t = tlsState;
        if (t != null) {
            t.alpnRefused = offered;
        }
    }

    java.util.List<String> alpnRefused() {
        TlsState t = tlsState;
        return t == null ? null : t.alpnRefused;
    }

    /** Plain: the channel's socket adaptor. TLS: the handshake, bounded by SO_TIMEOUT and the watchdog. */
    private void open() throws IOException {
        Socket raw = channel.socket();
        TlsRuntime ssl = engine.tls();
        if (ssl != null) {
            TlsState t = new TlsState();
            tlsState = t;
            t.handshaking = true;
            long timeoutNanos = engine.config().handshakeTimeout().toNanos();
            int soTimeout = Engine.soTimeoutMillis(engine.config().handshakeTimeout());
            raw.setSoTimeout(soTimeout);
            if (timeoutNanos > 0) {
                guardStart(GUARD_HANDSHAKE, timeoutNanos);
            }
            SSLSocket s;
            try {
                byte[] head = firstBytes(raw);
                if (head[0] != TLS_HANDSHAKE_RECORD) {
                    refusePlaintext(raw, ssl, head);
                }
                ssl.beforeHandshake();
                s = ssl.layer(raw, head, this);
                t.socket = s;
                s.setSoTimeout(soTimeout);
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
            t.handshaking = false;
        } else {
            socket = raw;
        }
        streams(0, 0);
    }

    /** The connection's streams over {@link #socket}: when it opens, and again on waking from a hibernation. */
    private void streams(long bytesRead, long bytesWritten) throws IOException {
        in = new SocketInputImpl(this, new MarkingInputStream(this, socket.getInputStream()), tlsState == null ? channel : null,
                bytesRead);
        out = new SocketOutputImpl(this, socket.getOutputStream(), tlsState == null ? channel : null, bytesWritten);
    }

    /** The content type of a TLS record that opens every handshake (RFC 8446 §5.1: handshake(22)). */
    private static final byte TLS_HANDSHAKE_RECORD = 0x16;

    /**
     * The first byte the client sent, read before the TLS socket is layered (which is handed the
     * byte back); when it does not open a TLS record, up to 5 bytes (a record header's size),
     * enough for the protocol to recognise plain text such as {@code GET /}.
     */
    private static byte[] firstBytes(Socket raw) throws IOException {
        java.io.InputStream in = raw.getInputStream();
        int b = in.read();
        if (b < 0) {
            throw new java.io.EOFException("the client closed the connection before sending a byte");
        }
        if (b == TLS_HANDSHAKE_RECORD) {
            return new byte[] {TLS_HANDSHAKE_RECORD};
        }
        byte[] head = new byte[5];
        head[0] = (byte) b;
        int n = 1;
        while (n < head.length) {
            int r = in.read(head, n, head.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return java.util.Arrays.copyOf(head, n);
    }

    /**
     * The client spoke something other than TLS. Instead of alert bytes no person can read, the
     * protocol's answer, if it has one (HTTP: a 400 that says plain HTTP reached an HTTPS port,
     * as Go's server does), then FIN, and what the client still sends is read and dropped for a
     * moment so the kernel does not reset the connection over the answer (RFC 9112 §9.6).
     * Always throws: the handshake failed.
     */
    private void refusePlaintext(Socket raw, TlsRuntime ssl, byte[] head) throws IOException {
        String shown = printable(head);
        byte[] reply = ssl.plaintextReply(head);
        if (reply != null) {
            raw.getOutputStream().write(reply);
            raw.getOutputStream().flush();
            raw.shutdownOutput();
            long deadline = System.nanoTime() + PLAINTEXT_LINGER_NANOS;
            java.io.InputStream in = raw.getInputStream();
            byte[] scratch = new byte[4096];
            long left = PLAINTEXT_LINGER_BYTES;
            long rem;
            while (left > 0 && (rem = deadline - System.nanoTime()) > 0) {
                raw.setSoTimeout((int) Math.max(1, rem / 1_000_000));
                int n;
                try {
                    n = in.read(scratch);
                } catch (SocketTimeoutException e) {
                    break;
                }
                if (n < 0) {
                    break;
                }
                left -= n;
            }
            throw new javax.net.ssl.SSLHandshakeException("not a TLS record: the client sent plain text starting \""
                    + shown + "\" (plain HTTP to an HTTPS port?); answered with the protocol's reply and closed");
        }
        throw new javax.net.ssl.SSLHandshakeException("not a TLS record: the client's first bytes are \"" + shown + "\"");
    }

    /** How long and how much a refused plain-text client may still send after our answer. */
    private static final long PLAINTEXT_LINGER_NANOS = 1_000_000_000L;
    private static final long PLAINTEXT_LINGER_BYTES = 64 * 1024;

    /** ASCII as is, other bytes as {@code \xNN}: a log line shows what came without breaking. */
    private static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }

    /**
     * Records that this connection's own socket (or our streams over it) threw {@code e}, and
     * returns it to be thrown. {@link Failures} logs a failure whose cause chain holds one of
     * these at DEBUG (the peer left, reset, or sent garbage TLS); anything else a handler throws
     * is its own and a WARN, whatever its message says. Only the first few are kept: a
     * connection whose socket failed that often is long past being served.
     */
    <E extends Throwable> E socketFailed(E e) {
        Throwable[] old;
        Throwable[] next;
        do {
            old = socketFailures;
            if (old.length >= MAX_SOCKET_FAILURES) {
                return e;
            }
            for (Throwable known : old) {
                if (known == e) {
                    return e;
                }
            }
            next = java.util.Arrays.copyOf(old, old.length + 1);
            next[old.length] = e;
        } while (!SOCKET_FAILURES.compareAndSet(this, old, next));
        return e;
    }

    /** True if {@code t}, or one of its causes, was thrown by this connection's socket. */
    boolean isSocketFailure(Throwable t) {
        Throwable[] known = socketFailures;
        if (known.length == 0) {
            return false;
        }
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            for (Throwable k : known) {
                if (k == t) {
                    return true;
                }
            }
        }
        return false;
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
        SSLSocket tls = sslSocket();
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
        Guard.arm(WRITE_GUARD, this, kind, System.nanoTime() + timeoutNanos);
    }

    // The write guard's word is armed and renewed by the output itself (SocketOutputImpl, through WRITE_GUARD).

    /** A plain read is about to block until at most {@code dueNanos} (System.nanoTime based). */
    void guardRead(long dueNanos) {
        Guard.arm(READ_GUARD, this, GUARD_READ, dueNanos);
    }

    /** Ends the guarded read; true if the watchdog fired on it (the input is shut down then). */
    boolean readGuardEnd() {
        return Guard.disarm(READ_GUARD, this);
    }

    /** Ends the guarded write or handshake; true if the watchdog fired on it (the channel is closed then). */
    boolean guardEnd() {
        return Guard.disarm(WRITE_GUARD, this);
    }

    /**
     * Called by the watchdog on every tick. A read past its bound gets its input shut down (the
     * blocked read wakes with EOF and reports the timeout; the output stays usable for an error
     * reply); a write or handshake past its bound gets the connection closed. Each fires only on
     * the exact bound it read (see {@link Guard}): never on a fresh operation that replaced it.
     */
    void checkGuard(long now) {
        if (hib == HIBERNATED) {
            // No read to shut down: the idle timeout closes it at the deadline its idle read had.
            long due = hibernatedIdleDue;
            if (due != 0 && now - due > 0 && STATE.compareAndSet(this, IDLE, CLOSED)) {
                engine.counters().timeout(ConnectionTimeoutException.Kind.IDLE);
                Engine.LOG.debug("{}: no byte within idleTimeout={} while hibernated, closing", describe(),
                        Engine.human(engine.config().idleTimeout()));
                closeChannel();
            }
            return;
        }
        if (Guard.fireIfDue(READ_GUARD, this, now) != 0) {
            try {
                // The JDK wakes a virtual thread parked in read on shutdownInput (Poller.stopPoll).
                channel.shutdownInput();
            } catch (IOException | RuntimeException e) {
                closeFromOutside();
            }
        }
        int g = Guard.fireIfDue(WRITE_GUARD, this, now);
        if (g != 0) {
            engine.counters().timeout(g == GUARD_HANDSHAKE ? ConnectionTimeoutException.Kind.HANDSHAKE
                    : ConnectionTimeoutException.Kind.WRITE);
            Engine.LOG.debug("{}: {} past its bound, closing", describe(),
                    g == GUARD_HANDSHAKE ? "TLS handshake" : g == GUARD_WRITE ? "write" : "write deadline");
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

    /** This object itself: no extra object per connection (an idle one keeps every object it has). */
    @Override
    public dev.weft.core.Buffers buffers() {
        return this;
    }

    // The pool, seen through the public lease: the connection id spreads connections over its slots.

    @Override
    public int bufferSize() {
        return engine.pool().bufferSize();
    }

    @Override
    public byte[] acquire() {
        return engine.pool().acquire(id);
    }

    @Override
    public void release(byte[] buffer) {
        engine.pool().release(buffer, id);
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
        return engine.tls() != null;
    }

    @Override
    public java.util.Optional<dev.weft.core.TlsInfo> tls() {
        TlsState t = tlsState;
        if (t == null) {
            return java.util.Optional.empty();
        }
        java.util.Optional<dev.weft.core.TlsInfo> info = t.info;
        if (info == null) {
            if (t.socket == null || socket == null) {
                return java.util.Optional.empty();
            }
            info = java.util.Optional.of(tlsInfo(t.socket));
            t.info = info;
        }
        return info;
    }

    private static dev.weft.core.TlsInfo tlsInfo(SSLSocket s) {
        javax.net.ssl.SSLSession session = s.getSession();
        java.util.List<java.security.cert.X509Certificate> peer = new java.util.ArrayList<>();
        try {
            for (java.security.cert.Certificate c : session.getPeerCertificates()) {
                if (c instanceof java.security.cert.X509Certificate x) {
                    peer.add(x);
                }
            }
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            // No client certificate: clientAuth NONE, or WANT and the client had none.
        }
        String sni = "";
        if (session instanceof javax.net.ssl.ExtendedSSLSession ext) {
            for (javax.net.ssl.SNIServerName n : ext.getRequestedServerNames()) {
                if (n instanceof javax.net.ssl.SNIHostName h) {
                    sni = h.getAsciiName();
                }
            }
        }
        String alpn = s.getApplicationProtocol();
        return new dev.weft.core.TlsInfo(session.getProtocol(), session.getCipherSuite(), alpn == null ? "" : alpn, peer, sni);
    }

    @Override
    public void shutdownOutput() throws IOException {
        out.flush();
        try {
            SSLSocket tls = sslSocket();
            if (tls != null) {
                tls.shutdownOutput();
            } else {
                channel.shutdownOutput();
            }
        } catch (IOException e) {
            throw socketFailed(e);
        } catch (RuntimeException e) {
            throw socketFailed(e);
        }
    }

    @Override
    public void closeGracefully(java.time.Duration maxWait, long maxBytes) {
        java.util.Objects.requireNonNull(maxWait, "maxWait");
        if (state == CLOSED || out == null) {
            return;
        }
        long deadline = System.nanoTime() + Math.max(0, Math.min(maxWait.toNanos(), Long.MAX_VALUE / 4));
        try {
            if (tlsState == null && socket.isInputShutdown()) {
                // A read timeout shut the input: the watchdog's only way to wake a blocked read
                // (see SocketInputImpl), and it cannot be undone. The JDK answers every read with
                // EOF now, so nothing can be drained; Linux drops what the peer sends while the
                // connection is established, but resets it on the first byte after our FIN (data
                // in FIN_WAIT after shutdown(SHUT_RD), RFC 1122 §4.2.2.13), and a reset discards
                // the part of the answer still queued. So the FIN waits instead: the socket stays
                // open up to maxWait while the kernel delivers the answer, then FIN and close.
                out.flush();
                holdOpen(deadline);
                shutdownOutput();
            } else {
                shutdownOutput();
                if (maxWait.isPositive() && maxBytes > 0 && !linger(deadline, maxBytes - in.buffered())) {
                    // The peer is still sending past maxBytes. Closing now, with its bytes unread,
                    // resets the connection, and the reset can destroy the answer before a busy
                    // client has read it. So stop reading and keep the socket open for the rest of
                    // maxWait: the peer's sends stall on a full window while it reads (as Go's
                    // closeWriteAndWait sleeps out its rstAvoidanceDelay).
                    holdOpen(deadline);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Reset, timed out, or closed by shutdown: nothing is left to wait for.
        } finally {
            close();
        }
    }

    /**
     * Waits until the deadline with the socket open, when nothing can be read to know the peer is
     * done (there is no portable way to see the send queue drain); shutdown's forced close ends it.
     */
    private void holdOpen(long deadline) {
        long rem;
        while (state != CLOSED && (rem = deadline - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(this, rem);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    /**
     * Reads and discards until the peer's FIN, {@code left} bytes or the deadline. Straight from
     * the socket with SO_TIMEOUT, not through {@link SocketInputImpl}: no watchdog bound is armed
     * (a lingering read is not the handler's read and must not count as a read timeout), and the
     * timed park SO_TIMEOUT costs on a virtual thread does not matter once per closing connection.
     *
     * @return false if {@code left} ran out while the peer was still sending
     */
    private boolean linger(long deadline, long left) throws IOException {
        java.io.InputStream raw = socket.getInputStream();
        byte[] scratch = engine.pool().acquire(id);
        try {
            while (left > 0) {
                long rem = deadline - System.nanoTime();
                if (rem <= 0) {
                    return true;
                }
                socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, (rem + 999_999) / 1_000_000)));
                int n = raw.read(scratch, 0, (int) Math.min(scratch.length, left));
                if (n < 0) {
                    return true; // the peer's FIN: it has read what it wanted
                }
                left -= n;
            }
            return false;
        } finally {
            engine.pool().release(scratch, id);
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
        if (hib == HIBERNATED) {
            endHibernated(); // no thread will notice the close: the closer ends it
        }
    }

    @Override
    public boolean isClosed() {
        return state == CLOSED;
    }

    @Override
    public void markIdle() {
        // Before the CAS publishes IDLE: eviction at the connection limit picks the longest idle.
        idleSince = System.nanoTime();
        if (!STATE.compareAndSet(this, BUSY, IDLE)) {
            return;
        }
        SocketInputImpl i = in;
        if (i != null) {
            // Buffers stay until the next read gives them back (SocketInputImpl). From whichever
            // thread reads: a protocol may read on a thread of its own (a WebSocket endpoint's).
            i.idle();
        }
        // Not during the drain delay: the load balancer may still send a request on this
        // connection, and it will be answered with Connection: close (so the client moves) rather
        // than race our close.
        if (engine.isClosing() && !keepThroughDrain && !freshWhileDraining) {
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
        if (STATE.compareAndSet(this, IDLE, BUSY)) {
            freshWhileDraining = false;
            return true;
        }
        return state == BUSY;
    }

    /** See {@link #freshWhileDraining}. */
    boolean freshWhileDraining() {
        return freshWhileDraining;
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
    public void streamEnded(boolean completed) {
        engine.streamEnded(completed);
    }

    @Override
    public void onDraining(Runnable action) {
        java.util.Objects.requireNonNull(action, "action");
        // Before the actions are published: a drain that takes them also sees this.
        keepThroughDrain = true;
        while (true) {
            Runnable[] old = (Runnable[]) DRAIN_ACTIONS.getVolatile(this);
            if (old == DRAIN_BEGUN) {
                runDrainAction(action);
                return;
            }
            Runnable[] next;
            if (old == null) {
                next = new Runnable[] {action};
            } else {
                next = java.util.Arrays.copyOf(old, old.length + 1);
                next[old.length] = action;
            }
            if (DRAIN_ACTIONS.compareAndSet(this, old, next)) {
                return;
            }
        }
    }

    /**
     * Drain, on the shutdown's thread before idle connections are closed: runs the actions
     * registered with {@link #onDraining}, once.
     *
     * @return true if the connection has such actions: it is given the grace like a busy one
     */
    boolean beginDrain() {
        Runnable[] actions = (Runnable[]) DRAIN_ACTIONS.getAndSet(this, DRAIN_BEGUN);
        if (actions != null && actions != DRAIN_BEGUN) {
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

    /**
     * At the connection limit: closes the connection if it is still idle (never a busy one: the
     * compare-and-set loses to markBusy); true if this call closed it. Its thread's blocked read
     * fails and the handler ends as on a drain.
     */
    boolean evictIfIdle() {
        if (STATE.compareAndSet(this, IDLE, CLOSED)) {
            closedAsIdle = true;
            closeChannel();
            return true;
        }
        return false;
    }

    /** When the connection last went idle (System.nanoTime); meaningful while {@link #isIdle()}. */
    long idleSince() {
        return idleSince;
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
        return describe() + (state == CLOSED ? " closed" : hib == HIBERNATED ? " hibernated" : state == IDLE ? " idle" : " busy");
    }
}
