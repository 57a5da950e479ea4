package dev.weft.core;

import java.net.InetAddress;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * The validated transport options of a server, as built by {@link ServerBuilder}. Immutable.
 * For the meaning and default of each option see the setter of the same name on
 * {@link ServerBuilder}. A {@code Duration.ZERO} timeout means "no timeout".
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
        SSLContext sslContext,
        Duration handshakeTimeout,
        Duration shutdownGrace,
        boolean registerShutdownHook) {
}
