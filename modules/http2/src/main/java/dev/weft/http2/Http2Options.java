package dev.weft.http2;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits and switches of HTTP/2, immutable; change one with the {@code with…} methods.
 * The defaults, and the attack each bound answers, are in {@code docs/http2.md}.
 *
 * <pre>{@code
 * Http2Options.defaults().withUpgrade(false).withMaxConcurrentStreams(250)
 * }</pre>
 */
public final class Http2Options {

    private static final Http2Options DEFAULTS = new Http2Options(true, true, true, 100, 256 << 10, 1 << 20, 16384,
            4096, 64 << 10, 32, 200, 1000, 100, Duration.ofSeconds(30), Duration.ofSeconds(10));

    private final boolean priorKnowledge;
    private final boolean upgrade;
    private final boolean alpn;
    private final int maxConcurrentStreams;
    private final int initialWindowSize;
    private final int connectionWindowSize;
    private final int maxFrameSize;
    private final int headerTableSize;
    private final int maxHeaderBlockBytes;
    private final int maxContinuationFrames;
    private final int maxResetsPerWindow;
    private final int maxControlFramesPerWindow;
    private final int maxEmptyDataFramesPerWindow;
    private final Duration flowControlTimeout;
    private final Duration pingInterval;

    private Http2Options(boolean priorKnowledge, boolean upgrade, boolean alpn, int maxConcurrentStreams,
            int initialWindowSize, int connectionWindowSize, int maxFrameSize, int headerTableSize,
            int maxHeaderBlockBytes, int maxContinuationFrames, int maxResetsPerWindow, int maxControlFramesPerWindow,
            int maxEmptyDataFramesPerWindow, Duration flowControlTimeout, Duration pingInterval) {
        check(maxConcurrentStreams >= 1, "maxConcurrentStreams", maxConcurrentStreams, "must be at least 1");
        check(initialWindowSize >= 1 && initialWindowSize <= Integer.MAX_VALUE, "initialWindowSize", initialWindowSize, "must be 1–2^31-1");
        check(connectionWindowSize >= 65535, "connectionWindowSize", connectionWindowSize, "must be at least 65535");
        check(maxFrameSize >= 16384 && maxFrameSize <= (1 << 24) - 1, "maxFrameSize", maxFrameSize, "must be 16384–16777215");
        check(headerTableSize >= 0 && headerTableSize <= 1 << 16, "headerTableSize", headerTableSize, "must be 0–65536");
        check(maxHeaderBlockBytes >= 1024, "maxHeaderBlockBytes", maxHeaderBlockBytes, "must be at least 1024");
        check(maxContinuationFrames >= 0, "maxContinuationFrames", maxContinuationFrames, "must not be negative");
        check(maxResetsPerWindow >= 1, "maxResetsPerWindow", maxResetsPerWindow, "must be at least 1");
        check(maxControlFramesPerWindow >= 1, "maxControlFramesPerWindow", maxControlFramesPerWindow, "must be at least 1");
        check(maxEmptyDataFramesPerWindow >= 1, "maxEmptyDataFramesPerWindow", maxEmptyDataFramesPerWindow, "must be at least 1");
        check(flowControlTimeout != null && !flowControlTimeout.isNegative(), "flowControlTimeout", flowControlTimeout,
                "must not be negative (Duration.ZERO means none)");
        check(pingInterval != null && !pingInterval.isNegative(), "pingInterval", pingInterval,
                "must not be negative (Duration.ZERO means none)");
        this.priorKnowledge = priorKnowledge;
        this.upgrade = upgrade;
        this.alpn = alpn;
        this.maxConcurrentStreams = maxConcurrentStreams;
        this.initialWindowSize = initialWindowSize;
        this.connectionWindowSize = connectionWindowSize;
        this.maxFrameSize = maxFrameSize;
        this.headerTableSize = headerTableSize;
        this.maxHeaderBlockBytes = maxHeaderBlockBytes;
        this.maxContinuationFrames = maxContinuationFrames;
        this.maxResetsPerWindow = maxResetsPerWindow;
        this.maxControlFramesPerWindow = maxControlFramesPerWindow;
        this.maxEmptyDataFramesPerWindow = maxEmptyDataFramesPerWindow;
        this.flowControlTimeout = flowControlTimeout;
        this.pingInterval = pingInterval;
    }

    private static void check(boolean ok, String option, Object value, String why) {
        if (!ok) {
            throw new IllegalArgumentException(option + " = " + Objects.toString(value) + ": " + why);
        }
    }

    /** Every option at its default. */
    public static Http2Options defaults() {
        return DEFAULTS;
    }

    private Http2Options with(boolean pk, boolean up, boolean al, int mcs, int iws, int cws, int mfs, int hts, int mhb,
            int mcf, int mr, int mc, int me, Duration fct, Duration pi) {
        return new Http2Options(pk, up, al, mcs, iws, cws, mfs, hts, mhb, mcf, mr, mc, me, fct, pi);
    }

    /** h2c by prior knowledge: a plain connection that starts with the preface is HTTP/2. Default on. */
    public Http2Options withPriorKnowledge(boolean on) {
        return with(on, upgrade, alpn, maxConcurrentStreams, initialWindowSize, connectionWindowSize, maxFrameSize, headerTableSize, maxHeaderBlockBytes, maxContinuationFrames, maxResetsPerWindow, maxControlFramesPerWindow, maxEmptyDataFramesPerWindow, flowControlTimeout, pingInterval);
    }

    /** h2c by {@code Upgrade: h2c} from HTTP/1.1 (RFC 7540 §3.2). Default on. */
    public Http2Options withUpgrade(boolean on) {
        return with(priorKnowledge, on, alpn, maxConcurrentStreams, initialWindowSize, connectionWindowSize, maxFrameSize, headerTableSize, maxHeaderBlockBytes, maxContinuationFrames, maxResetsPerWindow, maxControlFramesPerWindow, maxEmptyDataFramesPerWindow, flowControlTimeout, pingInterval);
    }

    /** h2 over TLS by ALPN (the server's TLS context then offers {@code h2}, then {@code http/1.1}). Default on. */
    public Http2Options withAlpn(boolean on) {
        return with(priorKnowledge, upgrade, on, maxConcurrentStreams, initialWindowSize, connectionWindowSize, maxFrameSize, headerTableSize, maxHeaderBlockBytes, maxContinuationFrames, maxResetsPerWindow, maxControlFramesPerWindow, maxEmptyDataFramesPerWindow, flowControlTimeout, pingInterval);
    }

    /** SETTINGS_MAX_CONCURRENT_STREAMS: streams open at once per connection; past it REFUSED_STREAM. Default 100. */
    public Http2Options withMaxConcurrentStreams(int streams) {
        return with(priorKnowledge, upgrade, alpn, streams, initialWindowSize, connectionWindowSize, maxFrameSize, headerTableSize, maxHeaderBlockBytes, maxContinuationFrames, maxResetsPerWindow, maxControlFramesPerWindow, maxEmptyDataFramesPerWindow, flowControlTimeout, pingInterval);
    }

    /** SETTINGS_INITIAL_WINDOW_SIZE: request body bytes buffered per stream before its handler reads. Default 256 KiB. */
    public Http2Options withInitialWindowSize(int bytes) {
        return with(priorKnowledge, upgrade, alpn, maxConcurrentStreams, bytes, connectionWindowSize, maxFrameSize, headerTableSize, maxHeaderBlockBytes, maxContinuationFrames, maxResetsPerWindow, maxControlFramesPerWindow, maxEmptyDataFramesPerWindow, flowControlTimeout, pingInterval);
    }

    /** The connection's receive window, granted back as DATA arrives (each stream is bounded by its own). Default 1 MiB. */
    public Http2Options withConnectionWindowSize(int bytes) {
        return with(priorKnowledge, upgrade, alpn, maxConcurrentStreams, initialWindowSize, bytes, maxFrameSize, headerTableSize, maxHeaderBlockBytes, maxContinuationFrames, maxResetsPerWindow, maxControlFramesPerWindow, maxEmptyDataFramesPerWindow, flowControlTimeout, pingInterval);
    }

    /** SETTINGS_MAX_FRAME_SIZE: the largest frame payload accepted; larger is FRAME_SIZE_ERROR. Default 16384. */
    public Http2Options withMaxFrameSize(int bytes) {
        return with(priorKnowledge, upgrade, alpn, maxConcurrentStreams, initialWindowSize, connectionWindowSize, bytes, headerTableSize, maxHeaderBlockBytes, maxContinuationFrames, maxResetsPerWindow, maxControlFramesPerWindow, maxEmptyDataFramesPerWindow, flowControlTimeout, pingInterval);
    }

    /** SETTINGS_HEADER_TABLE_SIZE: the HPACK dynamic table the client may fill. Default 4096. */
    public Http2Options withHeaderTableSize(int bytes) {
        return with(priorKnowledge, upgrade, alpn, maxConcurrentStreams, initialWindowSize, connectionWindowSize, maxFrameSize, bytes, maxHeaderBlockBytes, maxContinuationFrames, maxResetsPerWindow, maxControlFramesPerWindow, maxEmptyDataFramesPerWindow, flowControlTimeout, pingInterval);
    }

    /** The most bytes of one encoded header block (HEADERS plus CONTINUATIONs); past it GOAWAY ENHANCE_YOUR_CALM. Default 64 KiB. */
    public Http2Options withMaxHeaderBlockBytes(int bytes) {
        return with(priorKnowledge, upgrade, alpn, maxConcurrentStreams, initialWindowSize, connectionWindowSize, maxFrameSize, headerTableSize, bytes, maxContinuationFrames, maxResetsPerWindow, maxControlFramesPerWindow, maxEmptyDataFramesPerWindow, flowControlTimeout, pingInterval);
    }

    /** The most CONTINUATION frames after one HEADERS (CVE-2024-27316); past it GOAWAY ENHANCE_YOUR_CALM. Default 32. */
    public Http2Options withMaxContinuationFrames(int frames) {
        return with(priorKnowledge, upgrade, alpn, maxConcurrentStreams, initialWindowSize, connectionWindowSize, maxFrameSize, headerTableSize, maxHeaderBlockBytes, frames, maxResetsPerWindow, maxControlFramesPerWindow, maxEmptyDataFramesPerWindow, flowControlTimeout, pingInterval);
    }

    /** Streams the client may reset per 30 s window (Rapid Reset, CVE-2023-44487); past it GOAWAY ENHANCE_YOUR_CALM. Default 200. */
    public Http2Options withMaxResetsPerWindow(int resets) {
        return with(priorKnowledge, upgrade, alpn, maxConcurrentStreams, initialWindowSize, connectionWindowSize, maxFrameSize, headerTableSize, maxHeaderBlockBytes, maxContinuationFrames, resets, maxControlFramesPerWindow, maxEmptyDataFramesPerWindow, flowControlTimeout, pingInterval);
    }

    /** SETTINGS, PING and PRIORITY frames the client may send per 30 s window; past it GOAWAY ENHANCE_YOUR_CALM. Default 1000. */
    public Http2Options withMaxControlFramesPerWindow(int frames) {
        return with(priorKnowledge, upgrade, alpn, maxConcurrentStreams, initialWindowSize, connectionWindowSize, maxFrameSize, headerTableSize, maxHeaderBlockBytes, maxContinuationFrames, maxResetsPerWindow, frames, maxEmptyDataFramesPerWindow, flowControlTimeout, pingInterval);
    }

    /** Empty DATA frames without END_STREAM per 30 s window; past it GOAWAY ENHANCE_YOUR_CALM. Default 100. */
    public Http2Options withMaxEmptyDataFramesPerWindow(int frames) {
        return with(priorKnowledge, upgrade, alpn, maxConcurrentStreams, initialWindowSize, connectionWindowSize, maxFrameSize, headerTableSize, maxHeaderBlockBytes, maxContinuationFrames, maxResetsPerWindow, maxControlFramesPerWindow, frames, flowControlTimeout, pingInterval);
    }

    /**
     * The longest a response write waits for the client's WINDOW_UPDATE (a client that reads
     * many streams slowly, or never); then the stream is reset and the handler's write fails.
     * Default 30 s; ZERO: none.
     */
    public Http2Options withFlowControlTimeout(Duration timeout) {
        return with(priorKnowledge, upgrade, alpn, maxConcurrentStreams, initialWindowSize, connectionWindowSize, maxFrameSize, headerTableSize, maxHeaderBlockBytes, maxContinuationFrames, maxResetsPerWindow, maxControlFramesPerWindow, maxEmptyDataFramesPerWindow, timeout, pingInterval);
    }

    /**
     * While streams are open and the client sends nothing, a PING every this often, so the
     * server's {@code readTimeout} (which bounds the reader's wait while streams are open) does
     * not cut a connection whose handlers are merely slow. Keep it below {@code readTimeout}.
     * Default 10 s; ZERO: none.
     */
    public Http2Options withPingInterval(Duration interval) {
        return with(priorKnowledge, upgrade, alpn, maxConcurrentStreams, initialWindowSize, connectionWindowSize, maxFrameSize, headerTableSize, maxHeaderBlockBytes, maxContinuationFrames, maxResetsPerWindow, maxControlFramesPerWindow, maxEmptyDataFramesPerWindow, flowControlTimeout, interval);
    }

    /** @return whether h2c by prior knowledge is on */
    public boolean priorKnowledge() {
        return priorKnowledge;
    }

    /** @return whether h2c by Upgrade is on */
    public boolean upgrade() {
        return upgrade;
    }

    /** @return whether h2 by ALPN is on */
    public boolean alpn() {
        return alpn;
    }

    /** @return SETTINGS_MAX_CONCURRENT_STREAMS */
    public int maxConcurrentStreams() {
        return maxConcurrentStreams;
    }

    /** @return SETTINGS_INITIAL_WINDOW_SIZE */
    public int initialWindowSize() {
        return initialWindowSize;
    }

    /** @return the connection's receive window */
    public int connectionWindowSize() {
        return connectionWindowSize;
    }

    /** @return SETTINGS_MAX_FRAME_SIZE */
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /** @return SETTINGS_HEADER_TABLE_SIZE */
    public int headerTableSize() {
        return headerTableSize;
    }

    /** @return the most bytes of one header block */
    public int maxHeaderBlockBytes() {
        return maxHeaderBlockBytes;
    }

    /** @return the most CONTINUATION frames per header block */
    public int maxContinuationFrames() {
        return maxContinuationFrames;
    }

    /** @return client resets allowed per 30 s */
    public int maxResetsPerWindow() {
        return maxResetsPerWindow;
    }

    /** @return SETTINGS/PING/PRIORITY frames allowed per 30 s */
    public int maxControlFramesPerWindow() {
        return maxControlFramesPerWindow;
    }

    /** @return empty DATA frames allowed per 30 s */
    public int maxEmptyDataFramesPerWindow() {
        return maxEmptyDataFramesPerWindow;
    }

    /** @return the longest wait for a WINDOW_UPDATE */
    public Duration flowControlTimeout() {
        return flowControlTimeout;
    }

    /** @return the keep-alive PING interval while streams are open */
    public Duration pingInterval() {
        return pingInterval;
    }
}
