package dev.weft.websocket;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The settings of one endpoint: limits, timeouts, subprotocols, the Origin check and
 * compression. Immutable; {@link #defaults()} and the {@code with...} methods make copies.
 *
 * <pre>{@code
 * WebSocketOptions o = WebSocketOptions.defaults()
 *         .withSubprotocols("chat.v2", "chat.v1")
 *         .withOriginCheck(origin -> "https://example.com".equals(origin))
 *         .withMaxMessageBytes(64 * 1024);
 * }</pre>
 */
public final class WebSocketOptions {

    private static final WebSocketOptions DEFAULTS = new WebSocketOptions(1 << 20, 1 << 20, 16 * 1024,
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(5), true, List.of(), null);

    private final int maxMessageBytes;
    private final int maxFrameBytes;
    private final int fragmentBytes;
    private final Duration pingInterval;
    private final Duration idleTimeout;
    private final Duration closeTimeout;
    private final boolean compression;
    private final List<String> subprotocols;
    private final Predicate<String> originCheck;

    private WebSocketOptions(int maxMessageBytes, int maxFrameBytes, int fragmentBytes, Duration pingInterval,
            Duration idleTimeout, Duration closeTimeout, boolean compression, List<String> subprotocols,
            Predicate<String> originCheck) {
        this.maxMessageBytes = maxMessageBytes;
        this.maxFrameBytes = maxFrameBytes;
        this.fragmentBytes = fragmentBytes;
        this.pingInterval = pingInterval;
        this.idleTimeout = idleTimeout;
        this.closeTimeout = closeTimeout;
        this.compression = compression;
        this.subprotocols = subprotocols;
        this.originCheck = originCheck;
    }

    /** The defaults: see each getter. */
    public static WebSocketOptions defaults() {
        return DEFAULTS;
    }

    /** The largest whole message {@link WebSocketSession#receive()} takes (after inflating); default 1 MiB. Larger: close 1009. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** The largest frame payload accepted (as sent, before inflating); default 1 MiB. Larger: close 1009. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** The payload size of the fragments a streamed send makes; default 16 KiB. */
    public int fragmentBytes() {
        return fragmentBytes;
    }

    /** After this long without a frame from the client, the server pings it; default 30 s; zero: never. */
    public Duration pingInterval() {
        return pingInterval;
    }

    /**
     * After this long without a frame from the client (a pong counts), the server sends close
     * 1001 and closes the connection; default 60 s; zero: never (the server's {@code idleTimeout}
     * still bounds each wait, see the docs).
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** How long the side that sent the first close waits for the other's before closing TCP; default 5 s. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** True (the default) to accept a client's permessage-deflate offer (RFC 7692). */
    public boolean compression() {
        return compression;
    }

    /** The subprotocols this endpoint speaks, in order of preference; default none. */
    public List<String> subprotocols() {
        return subprotocols;
    }

    /** The Origin check, or {@code null} (the default) to accept any origin. */
    public Predicate<String> originCheck() {
        return originCheck;
    }

    /** A copy with {@link #maxMessageBytes()} set; positive. */
    public WebSocketOptions withMaxMessageBytes(int bytes) {
        positive("maxMessageBytes", bytes);
        return new WebSocketOptions(bytes, maxFrameBytes, fragmentBytes, pingInterval, idleTimeout, closeTimeout,
                compression, subprotocols, originCheck);
    }

    /** A copy with {@link #maxFrameBytes()} set; positive. */
    public WebSocketOptions withMaxFrameBytes(int bytes) {
        positive("maxFrameBytes", bytes);
        return new WebSocketOptions(maxMessageBytes, bytes, fragmentBytes, pingInterval, idleTimeout, closeTimeout,
                compression, subprotocols, originCheck);
    }

    /** A copy with {@link #fragmentBytes()} set; positive. */
    public WebSocketOptions withFragmentBytes(int bytes) {
        positive("fragmentBytes", bytes);
        return new WebSocketOptions(maxMessageBytes, maxFrameBytes, bytes, pingInterval, idleTimeout, closeTimeout,
                compression, subprotocols, originCheck);
    }

    /** A copy with {@link #pingInterval()} set; {@code Duration.ZERO} never pings. */
    public WebSocketOptions withPingInterval(Duration interval) {
        return new WebSocketOptions(maxMessageBytes, maxFrameBytes, fragmentBytes, time("pingInterval", interval),
                idleTimeout, closeTimeout, compression, subprotocols, originCheck);
    }

    /** A copy with {@link #idleTimeout()} set; {@code Duration.ZERO} for none. */
    public WebSocketOptions withIdleTimeout(Duration timeout) {
        return new WebSocketOptions(maxMessageBytes, maxFrameBytes, fragmentBytes, pingInterval,
                time("idleTimeout", timeout), closeTimeout, compression, subprotocols, originCheck);
    }

    /** A copy with {@link #closeTimeout()} set; {@code Duration.ZERO} closes TCP right after the close frame. */
    public WebSocketOptions withCloseTimeout(Duration timeout) {
        return new WebSocketOptions(maxMessageBytes, maxFrameBytes, fragmentBytes, pingInterval, idleTimeout,
                time("closeTimeout", timeout), compression, subprotocols, originCheck);
    }

    /** A copy with permessage-deflate accepted ({@code true}) or always declined. */
    public WebSocketOptions withCompression(boolean on) {
        return new WebSocketOptions(maxMessageBytes, maxFrameBytes, fragmentBytes, pingInterval, idleTimeout,
                closeTimeout, on, subprotocols, originCheck);
    }

    /** The subprotocols spoken, most preferred first: the first one the client also offers is chosen. */
    public WebSocketOptions withSubprotocols(String... protocols) {
        for (String p : protocols) {
            if (p == null || p.isEmpty() || !p.chars().allMatch(WebSocketOptions::tchar)) {
                throw new IllegalArgumentException("subprotocol " + p + " is not a token (RFC 6455 §4.1)");
            }
        }
        return new WebSocketOptions(maxMessageBytes, maxFrameBytes, fragmentBytes, pingInterval, idleTimeout,
                closeTimeout, compression, List.of(protocols), originCheck);
    }

    /**
     * Accepts a handshake only if {@code check} accepts its {@code Origin} header (given
     * {@code null} when absent, as from non-browser clients); otherwise the answer is 403.
     */
    public WebSocketOptions withOriginCheck(Predicate<String> check) {
        return new WebSocketOptions(maxMessageBytes, maxFrameBytes, fragmentBytes, pingInterval, idleTimeout,
                closeTimeout, compression, subprotocols, Objects.requireNonNull(check, "check"));
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " = " + value + ": must be positive");
        }
    }

    private static Duration time(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException(name + " = " + d + ": must be 0 to 365 days");
        }
        return d;
    }

    private static boolean tchar(int c) {
        return c > 0x20 && c < 0x7F && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }
}
