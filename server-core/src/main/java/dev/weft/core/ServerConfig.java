package dev.weft.core;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * The validated transport options of a server, as built by {@link ServerBuilder}. Immutable.
 * For the meaning and default of each option see the setter of the same name on
 * {@link ServerBuilder}. A {@code Duration.ZERO} timeout means "no timeout"; a zero
 * {@code shutdownGrace} means in-flight work is force-closed at once.
 *
 * <p>The constructor validates, so a record made by hand (for {@link TcpServer#start(ServerConfig,
 * ConnectionHandler)}) is held to the same rules as the builder's: it throws
 * {@link IllegalArgumentException} naming the first invalid option and its value.
 */
public record ServerConfig(
        InetAddress bindAddress,
        int port,
        int backlog,
        boolean reuseAddress,
        boolean reusePort,
        boolean tcpNoDelay,
        boolean keepAlive,
        int receiveBufferSize,
        int sendBufferSize,
        int bufferSize,
        Duration readTimeout,
        Duration idleTimeout,
        Duration writeTimeout,
        int maxConnections,
        Tls tls,
        Duration handshakeTimeout,
        Duration shutdownGrace,
        boolean registerShutdownHook,
        Duration drainDelay,
        Duration hibernateIdleAfter) {

    /**
     * Validates every option.
     *
     * @throws IllegalArgumentException naming the first invalid option and its value
     */
    public ServerConfig {
        check(port >= 0 && port <= 65535, "port", port, "must be 0–65535");
        check(backlog >= 1, "backlog", backlog, "must be at least 1");
        check(receiveBufferSize >= 0, "receiveBufferSize", receiveBufferSize, "must be 0 (kernel default) or positive");
        check(sendBufferSize >= 0, "sendBufferSize", sendBufferSize, "must be 0 (kernel default) or positive");
        check(bufferSize >= 256 && bufferSize <= 1 << 20, "bufferSize", bufferSize, "must be 256–1048576 bytes");
        checkTimeout("readTimeout", readTimeout, "Duration.ZERO means no timeout");
        checkTimeout("idleTimeout", idleTimeout, "Duration.ZERO means no timeout");
        checkTimeout("writeTimeout", writeTimeout, "Duration.ZERO means no timeout");
        checkTimeout("handshakeTimeout", handshakeTimeout, "Duration.ZERO means no timeout");
        checkTimeout("shutdownGrace", shutdownGrace, "Duration.ZERO force-closes in-flight work at once");
        checkTimeout("drainDelay", drainDelay, "Duration.ZERO closes the listener at once");
        check(maxConnections >= 1, "maxConnections", maxConnections, "must be at least 1");
        checkTimeout("hibernateIdleAfter", hibernateIdleAfter, "Duration.ZERO means never hibernate");
        check(tls == null || tls.problem() == null, "tls", tls, tls == null ? "" : tls.problem());
    }

    /**
     * The options with a {@link Tls} and a {@code drainDelay}, without {@code hibernateIdleAfter}
     * (zero: never hibernate), as before it existed.
     *
     * @throws IllegalArgumentException naming the first invalid option and its value
     */
    public ServerConfig(InetAddress bindAddress, int port, int backlog, boolean reuseAddress, boolean reusePort,
            boolean tcpNoDelay, boolean keepAlive, int receiveBufferSize, int sendBufferSize, int bufferSize,
            Duration readTimeout, Duration idleTimeout, Duration writeTimeout, int maxConnections, Tls tls,
            Duration handshakeTimeout, Duration shutdownGrace, boolean registerShutdownHook, Duration drainDelay) {
        this(bindAddress, port, backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize, sendBufferSize,
                bufferSize, readTimeout, idleTimeout, writeTimeout, maxConnections, tls, handshakeTimeout, shutdownGrace,
                registerShutdownHook, drainDelay, Duration.ZERO);
    }

    /**
     * The form of the first versions, with a bare {@link SSLContext} ({@code null} for plain
     * TCP), which becomes {@link Tls#of(SSLContext)}, and neither {@code drainDelay} nor {@code hibernateIdleAfter} (both {@code Duration.ZERO}).
     *
     * @throws IllegalArgumentException naming the first invalid option and its value
     */
    public ServerConfig(InetAddress bindAddress, int port, int backlog, boolean reuseAddress, boolean reusePort,
            boolean tcpNoDelay, boolean keepAlive, int receiveBufferSize, int sendBufferSize, int bufferSize,
            Duration readTimeout, Duration idleTimeout, Duration writeTimeout, int maxConnections, SSLContext sslContext,
            Duration handshakeTimeout, Duration shutdownGrace, boolean registerShutdownHook) {
        this(bindAddress, port, backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize, sendBufferSize,
                bufferSize, readTimeout, idleTimeout, writeTimeout, maxConnections,
                sslContext == null ? null : Tls.of(sslContext), handshakeTimeout, shutdownGrace, registerShutdownHook,
                Duration.ZERO, Duration.ZERO);
    }

    /**
     * The options with a {@link Tls} and neither {@code drainDelay} nor {@code hibernateIdleAfter} (both {@code Duration.ZERO}).
     *
     * @throws IllegalArgumentException naming the first invalid option and its value
     */
    public ServerConfig(InetAddress bindAddress, int port, int backlog, boolean reuseAddress, boolean reusePort,
            boolean tcpNoDelay, boolean keepAlive, int receiveBufferSize, int sendBufferSize, int bufferSize,
            Duration readTimeout, Duration idleTimeout, Duration writeTimeout, int maxConnections, Tls tls,
            Duration handshakeTimeout, Duration shutdownGrace, boolean registerShutdownHook) {
        this(bindAddress, port, backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize, sendBufferSize,
                bufferSize, readTimeout, idleTimeout, writeTimeout, maxConnections, tls, handshakeTimeout, shutdownGrace,
                registerShutdownHook, Duration.ZERO, Duration.ZERO);
    }

    /** The TLS context the server's sockets are made from, or {@code null} for plain TCP. */
    public SSLContext sslContext() {
        return tls == null ? null : tls.runtime().context();
    }

    private static void checkTimeout(String option, Duration value, String zero) {
        check(value != null, option, null, "must not be null (" + zero + ")");
        check(!value.isNegative(), option, value, "must not be negative (" + zero + ")");
        check(value.compareTo(Duration.ofDays(365)) <= 0, option, value, "must be at most 365 days");
    }

    static void check(boolean ok, String option, Object value, String why) {
        if (!ok) {
            throw new IllegalArgumentException(option + " = " + Objects.toString(value) + ": " + why);
        }
    }
}
