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
    private SSLContext sslContext;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private boolean registerShutdownHook = false;

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
     * SO_SNDBUF in bytes; 0 leaves the kernel's default. Default 0. A smaller value bounds how
     * much a peer that never reads can make the kernel hold before {@code writeTimeout} applies.
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

    /** The longest one blocking write may take (the peer not reading) before the socket is closed. Default 30 s. */
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

    /** Serve TLS with this context; {@code null} for plain TCP. Default {@code null}. */
    public B tls(SSLContext context) {
        this.sslContext = context;
        return self();
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

    /** Register a JVM shutdown hook so SIGTERM and Ctrl-C drain the server gracefully. Default off. */
    public B registerShutdownHook(boolean on) {
        this.registerShutdownHook = on;
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
                maxConnections, sslContext, handshakeTimeout, shutdownGrace, registerShutdownHook);
    }

    /** Throws {@link IllegalArgumentException} "option = value: why" unless {@code ok}. */
    protected static void check(boolean ok, String option, Object value, String why) {
        if (!ok) {
            ServerConfig.check(false, option, value, why);
        }
    }
}
