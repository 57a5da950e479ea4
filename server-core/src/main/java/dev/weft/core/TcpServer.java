package dev.weft.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A TCP server: one acceptor thread, and one virtual thread per accepted connection, named
 * {@code weft-conn-<id>}, that runs the {@link ConnectionHandler} from first byte to close.
 *
 * <pre>{@code
 * TcpServer server = TcpServer.builder()
 *         .port(7000)
 *         .handler(conn -> conn.in().transferTo(conn.out()))
 *         .start();
 * ShutdownReport report = server.shutdown(Duration.ofSeconds(10));
 * }</pre>
 *
 * <p>Shutdown is graceful: stop accepting, close idle connections at once, let busy ones
 * finish within the grace, then close the rest by force and wait for every connection thread.
 */
public final class TcpServer implements AutoCloseable {

    private final dev.weft.core.internal.Engine engine;

    private TcpServer(dev.weft.core.internal.Engine engine) {
        this.engine = engine;
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds and starts a server for already validated options: the entry point for protocol
     * modules (HTTP) that build their own {@link ServerConfig}.
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static TcpServer start(ServerConfig config, ConnectionHandler handler) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(handler, "handler");
        try {
            return new TcpServer(dev.weft.core.internal.Engine.start(config, config.tls() == null ? null : config.tls().runtime(), handler));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + (config.bindAddress() == null ? "*" : config.bindAddress().getHostAddress())
                    + ":" + config.port() + ": " + e.getMessage(), e);
        }
    }

    /** The port bound, the ephemeral one when 0 was asked for. */
    public int port() {
        return engine.port();
    }

    /** The address and port bound. */
    public InetSocketAddress localAddress() {
        return engine.localAddress();
    }

    /** The options this server runs with. */
    public ServerConfig config() {
        return engine.config();
    }

    /** Counters since start. */
    public ServerStats stats() {
        return engine.stats();
    }

    /** True once a shutdown has begun. */
    public boolean isDraining() {
        return engine.isDraining();
    }

    /**
     * Shuts down gracefully, waiting at most {@code grace} for busy connections, and returns
     * once every connection thread has ended. A second call, from any thread, waits for the first
     * and returns the same report.
     */
    public ShutdownReport shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace = " + grace + ": must not be negative");
        }
        return engine.shutdown(grace);
    }

    /** {@link #shutdown(Duration)} with the configured {@code shutdownGrace}. */
    public ShutdownReport shutdown() {
        return shutdown(engine.config().shutdownGrace());
    }

    /**
     * Blocks until the server has shut down (by {@code shutdown}, {@code close} or the shutdown hook).
     *
     * @throws IllegalStateException if the server shut itself down because accepting failed with a
     *         {@link VirtualMachineError} (out of memory, say; the cause): the listener was closed so
     *         that clients are refused rather than left waiting, and a {@code main} blocked here ends
     */
    public void awaitTermination() throws InterruptedException {
        engine.awaitTermination();
    }

    /** {@link #shutdown()}: graceful, with the configured grace. */
    @Override
    public void close() {
        shutdown();
    }

    /** Options of a {@link TcpServer}, plus its handler. */
    public static final class Builder extends ServerBuilder<Builder> {

        private ConnectionHandler handler;

        private Builder() {
        }

        /** The code that serves each connection (required). */
        public Builder handler(ConnectionHandler handler) {
            this.handler = handler;
            return this;
        }

        /**
         * Validates every option.
         *
         * @throws IllegalArgumentException naming the first invalid option and its value
         */
        public ServerConfig build() {
            check(handler != null, "handler", null, "is required");
            return buildConfig();
        }

        /** Validates, binds and starts accepting. */
        public TcpServer start() {
            return TcpServer.start(build(), handler);
        }
    }
}
