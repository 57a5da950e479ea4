package dev.weft.core;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * The transport options every Weft server has, shared by {@link TcpServer.Builder} and the
 * protocol servers built on it. Setters only record; {@link #buildConfig()} validates and
 * fails with an {@link IllegalArgumentException} that names the option and the value.
 *
 * <p>Timeouts follow Go's net/http names. A {@code Duration.ZERO} timeout means "no timeout";
 * a zero {@link #shutdownGrace} means in-flight work is force-closed at once.
 *
 * @param <B> the concrete builder type, returned by every setter
 */
public abstract class ServerBuilder<B extends ServerBuilder<B>> {

    private InetAddress bindAddress;
    private int port = 0;
    private int backlog = 1024;
    private boolean reuseAddress = true;
    private boolean reusePort = false;
    private boolean tcpNoDelay = true;
    private boolean keepAlive = false;
    private int receiveBufferSize = 0;
    private int sendBufferSize = 0;
    private int bufferSize = 8192;
    private Duration readTimeout = Duration.ofSeconds(30);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration writeTimeout = Duration.ofSeconds(30);
    private int maxConnections = 10_000;
    private Tls tls;
    private java.util.List<String> defaultApplicationProtocols = java.util.List.of();
    private java.util.function.Function<byte[], byte[]> plaintextReply;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private Duration drainDelay = Duration.ZERO;
    private boolean registerShutdownHook = false;
    private Duration hibernateIdleAfter = Duration.ZERO;

    /** For subclasses. */
    protected ServerBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The local address to listen on. Default: {@code null}, every interface. */
    public B bindAddress(InetAddress address) {
        this.bindAddress = address;
        return self();
    }

    /** The TCP port, 0–65535. Default 0: an ephemeral port, which {@code port()} on the server tells. */
    public B port(int port) {
        this.port = port;
        return self();
    }

    /** The listen backlog: connections the kernel queues before we accept them. Default 1024. */
    public B backlog(int backlog) {
        this.backlog = backlog;
        return self();
    }

    /** SO_REUSEADDR on the listener, so a restart can bind while old connections sit in TIME_WAIT. Default on. */
    public B reuseAddress(boolean on) {
        this.reuseAddress = on;
        return self();
    }

    /**
     * SO_REUSEPORT on the listener, so several processes can share one port. Default off. Where
     * the platform lacks it, {@code start()} fails with an {@link UnsupportedOperationException} that says so.
     */
    public B reusePort(boolean on) {
        this.reusePort = on;
        return self();
    }

    /** TCP_NODELAY on every connection (no Nagle delay on small writes). Default on. */
    public B tcpNoDelay(boolean on) {
        this.tcpNoDelay = on;
        return self();
    }

    /** SO_KEEPALIVE on every connection (kernel probes of silent peers). Default off. */
    public B keepAlive(boolean on) {
        this.keepAlive = on;
        return self();
    }

    /** SO_RCVBUF in bytes; 0 leaves the kernel's default (and its auto-tuning). Default 0. */
    public B receiveBufferSize(int bytes) {
        this.receiveBufferSize = bytes;
        return self();
    }

    /**
     * SO_SNDBUF in bytes. Default 0: with a {@code writeTimeout}, the server picks 8 KiB per second
     * of it, between 64 KiB and 256 KiB (240 KiB at the 30 s default), so that a slow but steady
     * reader is not cut (see {@link #writeTimeout}); without one, the kernel's default and its
     * auto-tuning. The kernel keeps about twice this in flight at most, so one connection's
     * throughput is capped near 2 × this / round-trip time (about 5 MB/s at 240 KiB and 100 ms):
     * set it higher for fast long-distance transfers, at the cost of a coarser writeTimeout.
     * Below 64 KiB loopback transfers crawl (each write waits for a delayed ACK).
     */
    public B sendBufferSize(int bytes) {
        this.sendBufferSize = bytes;
        return self();
    }

    /** The size of each connection's input and output buffer, 256 B – 1 MiB. Default 8192. */
    public B bufferSize(int bytes) {
        this.bufferSize = bytes;
        return self();
    }

    /** The longest one blocking read may wait while the connection is busy. Default 30 s. */
    public B readTimeout(Duration timeout) {
        this.readTimeout = timeout;
        return self();
    }

    /** The longest an idle connection waits for its next byte before it is closed. Default 60 s. */
    public B idleTimeout(Duration timeout) {
        this.idleTimeout = timeout;
        return self();
    }

    /**
     * The longest a blocked write may wait with the peer taking no byte; past it the socket is
     * closed and the write throws {@link ConnectionTimeoutException} of kind {@code WRITE}, within
     * one watchdog tick. Default 30 s. It bounds a stall, not a response: each time the kernel
     * takes more bytes the bound starts again, so a long download to a slow reader is never cut.
     * Progress is seen only when Linux wakes the writer, once about a third of the send buffer
     * has drained: a peer is safe while it takes at least about two thirds of the send buffer
     * plus two segments per writeTimeout. With {@link #sendBufferSize} left at 0 that is about
     * 300 KB per 30 s (10 KB/s) at the default and about 150 KB per writeTimeout at 1–8 s
     * (measured on loopback, where segments are 64 KiB). To bound a whole response, use
     * {@link SocketOutput#deadline(java.time.Instant)}.
     */
    public B writeTimeout(Duration timeout) {
        this.writeTimeout = timeout;
        return self();
    }

    /**
     * The most connections open at once. At the limit the acceptor stops accepting until one
     * ends; the kernel backlog queues the rest. Default 10,000.
     */
    public B maxConnections(int max) {
        this.maxConnections = max;
        return self();
    }

    /**
     * Serve TLS with this context, set up by the caller; {@code null} for plain TCP. Default
     * {@code null}. The same as {@code tls(Tls.of(context))}: the server's application protocols
     * are still announced by ALPN.
     */
    public B tls(SSLContext context) {
        this.tls = context == null ? null : Tls.of(context);
        return self();
    }

    /**
     * Serve TLS as {@code tls} says (key and certificates from files, client authentication,
     * reloading; see {@link Tls}); {@code null} for plain TCP. Default {@code null}.
     */
    public B tls(Tls tls) {
        this.tls = tls;
        return self();
    }

    /**
     * For protocol servers: the ALPN names announced when the {@link Tls} sets none (HTTP/1.1's
     * builder says {@code http/1.1}), and what to answer a client whose first bytes on the TLS
     * port are not a TLS record. {@code plaintextReply} gets those first bytes (up to 5, the size
     * of a TLS record header) and returns bytes to send before closing, or {@code null} to just
     * close; either way the handshake counts as failed. Default: no ALPN, and close.
     *
     * @param applicationProtocols ALPN names, most preferred first
     * @param plaintextReply       the answer to plain text on the TLS port, or {@code null}
     */
    protected void tlsDefaults(java.util.List<String> applicationProtocols,
            java.util.function.Function<byte[], byte[]> plaintextReply) {
        this.defaultApplicationProtocols = java.util.List.copyOf(applicationProtocols);
        this.plaintextReply = plaintextReply;
    }

    /** The longest a TLS handshake may take, on the connection's own thread. Default 10 s. */
    public B handshakeTimeout(Duration timeout) {
        this.handshakeTimeout = timeout;
        return self();
    }

    /**
     * How long {@code shutdown()} and {@code close()} let busy connections finish before they are
     * closed by force. Default 10 s; {@code Duration.ZERO} force-closes busy connections at once.
     */
    public B shutdownGrace(Duration grace) {
        this.shutdownGrace = grace;
        return self();
    }

    /**
     * How long a graceful shutdown keeps accepting and serving after it began, before the
     * listener closes and the {@link #shutdownGrace} starts: the time a load balancer needs to
     * see the instance leave (Kubernetes removes a terminating pod's endpoint while SIGTERM is
     * already on its way; an LB's health checks need their interval times their fail count).
     * Throughout, {@code isDraining()} is true (a readiness route answers 503) and protocols ask
     * their clients to move (HTTP answers every request, on old and new connections alike, with
     * {@code Connection: close}); idle connections are left open until it ends. Applies to every
     * shutdown: {@code shutdown()}, {@code close()} and the shutdown hook. Default
     * {@code Duration.ZERO}: the listener closes at once.
     */
    public B drainDelay(Duration delay) {
        this.drainDelay = delay;
        return self();
    }

    /** Register a JVM shutdown hook so SIGTERM and Ctrl-C drain the server gracefully. Default off. */
    public B registerShutdownHook(boolean on) {
        this.registerShutdownHook = on;
        return self();
    }

    /**
     * How long a connection waits idle, with its virtual thread, before it <em>hibernates</em>:
     * its thread ends (its stack is freed) and the socket waits in a poller the server owns,
     * until it becomes readable and a fresh virtual thread continues the protocol where it
     * left off. Handlers see nothing of it; timeouts, shutdown and stats treat a hibernated
     * connection exactly as an idle one. Only protocols that wait through
     * {@link Connection#awaitIdle(ConnectionHandler)} hibernate (HTTP/1.1 keep-alive does), only
     * on plain TCP (never TLS), and only while no read deadline is in force. Default
     * {@code Duration.ZERO}: never. What it saves and costs (a selector registration and
     * deregistration per hibernation, and a timed park on each idle wait that blocks) is in
     * docs/hibernation.md.
     */
    public B hibernateIdleAfter(Duration after) {
        this.hibernateIdleAfter = after;
        return self();
    }

    /**
     * Validates the options and returns them as a record.
     *
     * @throws IllegalArgumentException naming the first invalid option and its value
     */
    protected ServerConfig buildConfig() {
        return new ServerConfig(bindAddress, port, backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive,
                receiveBufferSize, sendBufferSize, bufferSize, readTimeout, idleTimeout, writeTimeout,
                maxConnections, tls == null ? null : tls.withServerDefaults(defaultApplicationProtocols, plaintextReply),
                handshakeTimeout, shutdownGrace, registerShutdownHook, drainDelay, hibernateIdleAfter);
    }

    /** Throws {@link IllegalArgumentException} "option = value: why" unless {@code ok}. */
    protected static void check(boolean ok, String option, Object value, String why) {
        if (!ok) {
            ServerConfig.check(false, option, value, why);
        }
    }
}
