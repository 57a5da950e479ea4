package dev.weft.core.internal;

import dev.weft.core.ConnectionHandler;
import dev.weft.core.ServerConfig;
import dev.weft.core.ServerStats;
import dev.weft.core.ShutdownReport;
import dev.weft.core.TcpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server behind {@link TcpServer}: the listener, the acceptor thread, the registry
 * of live connections, the counters, the buffer pool and the watchdog.
 */
public final class Engine {

    static final Logger LOG = LoggerFactory.getLogger(TcpServer.class);

    private final ServerConfig config;
    /** The TLS sockets are made by, or null for plain TCP. */
    private final TlsRuntime tls;
    private final ConnectionHandler handler;
    private final ServerSocketChannel listener;
    private final InetSocketAddress localAddress;
    private final Counters counters = new Counters();
    private final AtomicLong handshakeLoggedAt = new AtomicLong(Long.MIN_VALUE);
    private final LongAdder handshakeFailuresUnlogged = new LongAdder();
    private final BufferPool pool;
    private final Semaphore permits;
    private final Registry<ConnectionImpl> connections = new Registry<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong closedIdle = new AtomicLong();
    private final long readTimeoutNanos;
    private final long idleTimeoutNanos;
    private final long writeTimeoutNanos;
    /** SO_SNDBUF when sendBufferSize is 0 (see {@link #defaultSendBuffer}); 0 leaves the kernel's. */
    private final int defaultSendBuffer;
    private final Thread acceptor;
    private final Watchdog watchdog;
    private final Hibernator hibernator;
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final CompletableFuture<ShutdownReport> terminated = new CompletableFuture<>();
    /** From the start of a shutdown, its drain delay included: protocols ask clients to move. */
    private volatile boolean draining;
    /** From the end of the drain delay: the listener closes, idle connections are closed. */
    private volatile boolean closing;
    private volatile boolean stopAccepting;
    private final LongAdder acceptedDuringDelay = new LongAdder();
    /** HTTP/2 streams in flight when their connection began to drain, by how they ended (Connection#streamEnded). */
    private final LongAdder streamsCompleted = new LongAdder();
    private final LongAdder streamsReset = new LongAdder();
    /** Set when a VirtualMachineError ended the acceptor (see {@link Acceptor}). */
    private volatile Throwable acceptorFailure;
    private Thread shutdownHook;

    private Engine(ServerConfig config, TlsRuntime tls, ConnectionHandler handler, ServerSocketChannel listener)
            throws IOException {
        this.config = config;
        this.tls = tls;
        this.handler = handler;
        this.listener = listener;
        this.localAddress = (InetSocketAddress) listener.getLocalAddress();
        this.pool = new BufferPool(config.bufferSize(), poolCapacity(config));
        this.permits = new Semaphore(config.maxConnections());
        this.readTimeoutNanos = config.readTimeout().toNanos();
        this.idleTimeoutNanos = config.idleTimeout().toNanos();
        this.writeTimeoutNanos = config.writeTimeout().toNanos();
        this.defaultSendBuffer = defaultSendBuffer(config.writeTimeout());
        int port = localAddress.getPort();
        this.acceptor = Thread.ofPlatform().name("weft-acceptor-" + port)
                .unstarted(new Acceptor(this, listener, permits));
        // Always a watchdog: besides the configured timeouts, any read may carry a deadline.
        long shortest = Long.MAX_VALUE;
        for (long t : new long[] {writeTimeoutNanos, readTimeoutNanos, idleTimeoutNanos,
                tls != null ? config.handshakeTimeout().toNanos() : 0}) {
            if (t > 0) {
                shortest = Math.min(shortest, t);
            }
        }
        this.watchdog = new Watchdog(this, shortest, "weft-watchdog-" + port);
        this.hibernator = new Hibernator(this, config.hibernateIdleAfter().toNanos());
    }

    /**
     * Binds the listener and starts the acceptor and the watchdog.
     *
     * @param tls the running form of {@code config.tls()}, made by the caller, or null for plain TCP
     */
    public static Engine start(ServerConfig config, TlsRuntime tls, ConnectionHandler handler) throws IOException {
        return start(config, tls, handler, ServerSocketChannel.open());
    }

    /** A plain TCP server (tests). */
    public static Engine start(ServerConfig config, ConnectionHandler handler) throws IOException {
        return start(config, null, handler, ServerSocketChannel.open());
    }

    /** A plain TCP server on a given, unbound listener (tests inject faults here). */
    static Engine start(ServerConfig config, ConnectionHandler handler, ServerSocketChannel ssc) throws IOException {
        return start(config, null, handler, ssc);
    }

    private static Engine start(ServerConfig config, TlsRuntime tls, ConnectionHandler handler, ServerSocketChannel ssc)
            throws IOException {
        Engine engine;
        try {
            if (config.reusePort()) {
                if (!ssc.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    throw new UnsupportedOperationException("reusePort = true: SO_REUSEPORT is not supported on this platform ("
                            + System.getProperty("os.name") + ")");
                }
                ssc.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            ssc.setOption(StandardSocketOptions.SO_REUSEADDR, config.reuseAddress());
            if (config.receiveBufferSize() > 0) {
                // On the listener, so accepted sockets start with it: a window above 64 KiB must be set before the handshake.
                ssc.setOption(StandardSocketOptions.SO_RCVBUF, config.receiveBufferSize());
            }
            ssc.bind(new InetSocketAddress(config.bindAddress(), config.port()), config.backlog());
            engine = new Engine(config, tls, handler, ssc);
        } catch (IOException | RuntimeException e) {
            ssc.close();
            throw e;
        }
        if (config.registerShutdownHook()) {
            // Before any thread starts: if the JVM is already shutting down this throws, and nothing is left running.
            engine.shutdownHook = Thread.ofPlatform().name("weft-shutdown-" + engine.port())
                    .unstarted(new Runnable() { // not a lambda: no class spun at start-up
                        @Override
                        public void run() {
                            engine.shutdown(config.shutdownGrace());
                        }
                    });
            try {
                Runtime.getRuntime().addShutdownHook(engine.shutdownHook);
            } catch (IllegalStateException e) {
                ssc.close();
                throw e;
            }
        }
        engine.watchdog.start();
        engine.acceptor.start();
        LOG.info("listening on {} port {} ({}, maxConnections={})", engine.localAddress.getAddress().getHostAddress(),
                engine.port(), tls != null ? "TLS " + config.tls() : "plain TCP", config.maxConnections());
        return engine;
    }

    /**
     * A client's TLS handshake failed. Go's net/http logs these ("TLS handshake error from …"):
     * a server whose certificate or cipher suites no client accepts must show it without DEBUG.
     * At most one INFO line a second, so a scanner cannot flood the log; the rest are counted.
     */
    void logHandshakeFailure(ConnectionImpl conn, Throwable failure) {
        long now = System.nanoTime();
        long last = handshakeLoggedAt.get();
        if ((last == Long.MIN_VALUE || now - last >= 1_000_000_000L) && handshakeLoggedAt.compareAndSet(last, now)) {
            long more = handshakeFailuresUnlogged.sumThenReset();
            String hint = tls == null ? null : tls.hint(failure, conn.alpnRefused());
            LOG.info("{}: TLS handshake failed{}: {}{}", conn.describe(),
                    more > 0 ? " (" + more + " more since the last report)" : "", hint == null ? "" : hint + ": ",
                    causes(failure));
        } else {
            handshakeFailuresUnlogged.increment();
        }
    }

    /** The failure and its causes on one line: the JDK often wraps the telling one ("readHandshakeRecord"). */
    private static String causes(Throwable t) {
        StringBuilder b = new StringBuilder(t.toString());
        Throwable c = t.getCause();
        for (int depth = 0; c != null && c != t && depth < 4; depth++, c = c.getCause()) {
            b.append("; caused by ").append(c);
        }
        return b.toString();
    }

    /** The TLS of this server, or null for plain TCP. */
    TlsRuntime tls() {
        return tls;
    }

    /** Configures an accepted socket and starts its virtual thread; false if it was dropped. */
    boolean launch(SocketChannel ch) {
        InetSocketAddress remote;
        try {
            ch.configureBlocking(true);
            if (config.tcpNoDelay()) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            if (config.keepAlive()) {
                ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            }
            int sndbuf = config.sendBufferSize() > 0 ? config.sendBufferSize() : defaultSendBuffer;
            if (sndbuf > 0) {
                ch.setOption(StandardSocketOptions.SO_SNDBUF, sndbuf);
            }
            if (config.receiveBufferSize() > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, config.receiveBufferSize());
            }
            remote = (InetSocketAddress) ch.getRemoteAddress();
        } catch (IOException | RuntimeException e) {
            // The peer reset between accept and here: nothing to serve.
            LOG.debug("dropping a connection that failed setup: {}", e.toString());
            closeQuietly(ch);
            return false;
        }
        long id = ids.incrementAndGet();
        boolean registered = false;
        ConnectionImpl conn = null;
        try {
            conn = new ConnectionImpl(this, id, ch, remote);
            Thread t = Thread.ofVirtual().name("weft-conn-" + id).unstarted(conn);
            conn.thread(t);
            connections.add(conn);
            registered = true;
            counters.accepted.increment();
            if (draining) {
                acceptedDuringDelay.increment();
            }
            t.start();
        } catch (Throwable e) {
            if (registered) {
                connections.remove(conn);
                counters.completed.increment();
            }
            closeQuietly(ch);
            if (e instanceof VirtualMachineError vme) {
                throw vme; // the acceptor decides what the JVM failing means (see Acceptor)
            }
            LOG.error("conn {}: cannot start its thread", id, e);
            return false;
        }
        return true;
    }

    /**
     * The acceptor hit a VirtualMachineError and has ended: close the listener (newcomers are
     * refused rather than left in the backlog), say so, and shut down; awaitTermination throws.
     * Runs on the acceptor thread, which has nothing else left to do.
     */
    void acceptorFailed(VirtualMachineError e) {
        acceptorFailure = e;
        try {
            listener.close();
        } catch (IOException | RuntimeException ignored) {
            // Closing is all that was wanted; a failure leaves it closed.
        }
        try {
            LOG.error("accepting on port {} failed; the listener is closed and the server shuts down (grace {})",
                    port(), human(config.shutdownGrace()), e);
        } catch (Throwable ignored) {
            // Out of memory may fail the log line too; the shutdown below still runs.
        }
        shutdown(config.shutdownGrace());
    }

    /** A connection's thread is about to end; called once, by that thread. */
    void ended(ConnectionImpl conn) {
        // Completed before the removal, so whoever sees active drop also sees it counted.
        try {
            counters.completed.increment();
        } finally {
            try {
                connections.remove(conn);
            } finally {
                permits.release();
            }
        }
    }

    /**
     * A newcomer waits at maxConnections: close the connection idle the longest, if any, to make
     * room (an HTTP server may close an idle keep-alive connection at any time, RFC 9112 §9.8;
     * clients retry on a new one). Returns the one closed, or null when every connection is busy.
     * A scan of the registry: it runs only at the limit, once per waiting newcomer.
     */
    ConnectionImpl evictLongestIdle() {
        for (int attempt = 0; attempt < 4; attempt++) {
            ConnectionImpl oldest = null;
            long oldestSince = 0;
            for (ConnectionImpl c : connections) {
                if (c.isIdle()) {
                    long since = c.idleSince();
                    if (oldest == null || since - oldestSince < 0) {
                        oldest = c;
                        oldestSince = since;
                    }
                }
            }
            if (oldest == null) {
                return null;
            }
            if (oldest.evictIfIdle()) {
                counters.idleEvicted.increment();
                if (LOG.isDebugEnabled()) {
                    LOG.debug("{}: idle for {}, closed to make room at maxConnections={}", oldest.describe(),
                            readable(Duration.ofNanos(System.nanoTime() - oldestSince)), config.maxConnections());
                }
                return oldest;
            }
            // It went busy meanwhile: look again.
        }
        return null;
    }

    void closedIdle() {
        closedIdle.incrementAndGet();
    }

    long closedIdleCount() {
        return closedIdle.get();
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Nothing more to free.
        }
    }

    // ---- shutdown ------------------------------------------------------------------------------

    /** Graceful shutdown; a second or concurrent call waits for the first and returns its report. */
    public ShutdownReport shutdown(Duration grace) {
        if (shutdownStarted.compareAndSet(false, true)) {
            removeShutdownHook();
            try {
                terminated.complete(new GracefulShutdown(this).run(grace));
            } catch (Throwable t) {
                terminated.completeExceptionally(t);
                throw t;
            }
        }
        return terminated.join();
    }

    private void removeShutdownHook() {
        Thread hook = shutdownHook;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is already exiting; the hook is running or will, and waits for us.
            }
        }
    }

    public void awaitTermination() throws InterruptedException {
        try {
            terminated.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("shutdown failed", e.getCause());
        }
        Throwable failure = acceptorFailure;
        if (failure != null) {
            throw new IllegalStateException("port " + port() + " stopped accepting and shut down: " + failure, failure);
        }
    }

    void beginDraining() {
        draining = true;
    }

    /** The drain delay is over: from now on a connection that goes idle is closed. */
    void beginClosing() {
        closing = true;
    }

    /**
     * Asks the acceptor to accept what the kernel has queued and then close the listener itself
     * (see {@link Acceptor}): closed from outside, Linux resets every connection still in the
     * accept queue, and after a drain delay under load that queue is seldom empty.
     */
    void requestStopAccepting() {
        stopAccepting = true;
    }

    boolean stopAcceptingRequested() {
        return stopAccepting;
    }

    /** True once the drain delay is over (see {@link #beginClosing}). */
    boolean isClosing() {
        return closing;
    }

    long acceptedDuringDelay() {
        return acceptedDuringDelay.sum();
    }

    /** One multiplexed request of a draining connection ended; ignored outside a shutdown. */
    void streamEnded(boolean completed) {
        if (isDraining()) {
            (completed ? streamsCompleted : streamsReset).increment();
        }
    }

    long streamsCompleted() {
        return streamsCompleted.sum();
    }

    long streamsReset() {
        return streamsReset.sum();
    }

    ServerSocketChannel listener() {
        return listener;
    }

    Thread acceptorThread() {
        return acceptor;
    }

    Watchdog watchdog() {
        return watchdog;
    }

    Hibernator hibernator() {
        return hibernator;
    }

    // ---- accessors -----------------------------------------------------------------------------

    public int port() {
        return localAddress.getPort();
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public ServerConfig config() {
        return config;
    }

    public ServerStats stats() {
        return counters.snapshot(connections.size(), watchdog.alive());
    }

    public boolean isDraining() {
        return draining;
    }

    /** The shared buffer pool, buffers of {@code bufferSize} bytes. */
    public BufferPool pool() {
        return pool;
    }

    ConnectionHandler handler() {
        return handler;
    }

    Counters counters() {
        return counters;
    }

    Collection<ConnectionImpl> connections() {
        return connections;
    }

    long readTimeoutNanos() {
        return readTimeoutNanos;
    }

    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    long writeTimeoutNanos() {
        return writeTimeoutNanos;
    }

    /**
     * Enough spare buffers for a burst of connections waking at once, at most 1024 and at most
     * 64 MiB of idle memory (so 1 MiB buffers keep 64, not a gigabyte).
     */
    static int poolCapacity(ServerConfig config) {
        int byBytes = Math.max(8, (64 << 20) / config.bufferSize());
        return Math.min(Math.min(2 * config.maxConnections(), 1024), byBytes);
    }

    /**
     * The send buffer asked for when the user left sendBufferSize at 0: 8 KiB per second of
     * writeTimeout, between 64 KiB and 256 KiB (240 KiB at the 30 s default); none without a
     * writeTimeout. Not below 64 KiB: with room for only one 64 KiB loopback segment in flight
     * every write waits out the peer's delayed ACK (measured: 1.7 MB/s at 16 and 32 KiB, 800 MB/s
     * at 64 KiB). Why: writeTimeout bounds how long a peer takes no byte, and a blocked write
     * sees progress only when Linux wakes it, once about a third of the send buffer has drained;
     * autotuned on loopback to 2–4 MiB that is a megabyte or more, so a peer reading a steady
     * 20 KB/s was cut at 30 s, and at 1 s writeTimeout one reading 320 KB/s was cut after 4 MB.
     * Sized so, the step between wake-ups stays about what a peer reading 8 KiB/s takes in one
     * writeTimeout (measured on loopback, where 64 KiB segments add up to two of them a step).
     * The cost: the kernel keeps at most about twice this in flight, which caps one connection's
     * throughput near 2 × buffer / RTT; set sendBufferSize for long fat paths.
     */
    static int defaultSendBuffer(Duration writeTimeout) {
        if (writeTimeout.isZero()) {
            return 0;
        }
        long bytes = writeTimeout.toMillis() * 8 * 1024 / 1000;
        return (int) Math.max(64 * 1024, Math.min(256 * 1024, bytes));
    }

    /** SO_TIMEOUT for a duration: 0 stays "none"; anything else is at least 1 ms. */
    static int soTimeoutMillis(Duration d) {
        if (d.isZero()) {
            return 0;
        }
        long ms = d.toMillis();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }

    /** A duration for people: "250 ms", "1.2 s", "3 min 5 s". */
    static String readable(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return (ms / 1000) + "." + (ms % 1000) / 100 + " s";
        }
        long s = d.toSeconds();
        return (s / 60) + " min " + (s % 60) + " s";
    }

    /** A duration as exception messages show it: "250 ms". */
    static String human(Duration d) {
        return d.isZero() ? "0 (none)" : d.toMillis() + " ms";
    }
}
