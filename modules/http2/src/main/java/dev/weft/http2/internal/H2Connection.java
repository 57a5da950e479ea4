package dev.weft.http2.internal;

import dev.weft.core.Connection;
import dev.weft.core.SocketInput;
import dev.weft.core.SocketOutput;
import dev.weft.http.HttpDispatcher;
import dev.weft.http.HttpProtocol;
import dev.weft.http2.Http2Options;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 connection (RFC 9113). The connection's own virtual thread reads every frame and
 * never blocks on a stream: request bodies are buffered per stream within the window granted to
 * it. Each stream's handler runs on a virtual thread of its own. Frames from all of them are
 * written under {@link #writeLock}, held for one frame's write (a header block's HEADERS and
 * CONTINUATIONs together, which §6.10 requires to be contiguous, and which must reach the wire
 * in the order the HPACK encoder saw them); response DATA first waits for flow-control window
 * under {@link #flowLock}, never while holding the write lock.
 */
final class H2Connection {

    static final Logger LOG = LoggerFactory.getLogger("dev.weft.http2");

    // Frame types, RFC 9113 §6.
    static final int DATA = 0x0;
    static final int HEADERS = 0x1;
    static final int PRIORITY = 0x2;
    static final int RST_STREAM = 0x3;
    static final int SETTINGS = 0x4;
    static final int PUSH_PROMISE = 0x5;
    static final int PING = 0x6;
    static final int GOAWAY = 0x7;
    static final int WINDOW_UPDATE = 0x8;
    static final int CONTINUATION = 0x9;
    // Flags.
    static final int END_STREAM = 0x1;
    static final int ACK = 0x1;
    static final int END_HEADERS = 0x4;
    static final int PADDED = 0x8;
    static final int PRIORITY_FLAG = 0x20;
    // Settings, §6.5.2.
    static final int HEADER_TABLE_SIZE = 0x1;
    static final int ENABLE_PUSH = 0x2;
    static final int MAX_CONCURRENT_STREAMS = 0x3;
    static final int INITIAL_WINDOW_SIZE = 0x4;
    static final int MAX_FRAME_SIZE = 0x5;
    static final int MAX_HEADER_LIST_SIZE = 0x6;

    static final int DEFAULT_WINDOW = 65535;
    static final int MAX_WINDOW = Integer.MAX_VALUE;
    private static final long FLOOD_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final byte[] EMPTY = new byte[0];
    private static final java.time.Duration LINGER = java.time.Duration.ofMillis(250);

    final Http2Options options;
    final Connection conn;
    final SocketInput in;
    final SocketOutput out;
    final HttpDispatcher dispatcher;
    private final HttpProtocol.Handoff handoff;

    // Reader state: only the reader thread touches these.
    private final Hpack.Decoder decoder;
    /**
     * Open streams: the reader adds; the reader or the stream's handler, whichever ends it last,
     * removes. Under {@link #streamsLock}, as is {@link #running}.
     */
    private final IntMap<H2Stream> streams = new IntMap<>();
    /** Guards {@link #streams} and {@link #running}, for one map operation at a time: nothing else is taken under it. */
    private final ReentrantLock streamsLock = new ReentrantLock();
    private volatile int lastStreamId;
    private int connRecvWindow;
    private int connUngranted;
    private final Flood resets;
    private final Flood control;
    private final Flood emptyData;
    private boolean settingsSeen;
    /** Streams we reset while the client was still sending: their late frames are dropped, not errors. */
    private final java.util.LinkedHashSet<Integer> recentlyReset = new java.util.LinkedHashSet<>();
    private final ReentrantLock resetLock = new ReentrantLock();

    // Writer state, under writeLock.
    final ReentrantLock writeLock = new ReentrantLock();
    private final Hpack.Encoder encoder = new Hpack.Encoder();
    private Scratch headerScratch = new Scratch();
    private final byte[] frameHeader = new byte[9];
    private boolean writesClosed;
    private boolean goAwaySent;
    /** A flush is due: the {@link #flusher} will write the buffer out. */
    private boolean flushScheduled;
    /** Flushes for the stream threads (see {@link #flushSoon}); started with the second stream in flight. */
    private Thread flusher;

    // Flow control of what we send, under flowLock.
    final ReentrantLock flowLock = new ReentrantLock();
    private final Condition windowOpened = flowLock.newCondition();
    private long connSendWindow = DEFAULT_WINDOW;
    private long peerInitialWindow = DEFAULT_WINDOW;
    /** Streams that may still send, by id (SETTINGS_INITIAL_WINDOW_SIZE applies to them all). */
    private final IntMap<H2Stream> sendStreams = new IntMap<>();
    private volatile int peerMaxFrameSize = 16384;

    /** Open Server-Sent Event streams: a graceful shutdown ends them cleanly. */
    final java.util.Set<H2EventStream> eventStreams = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Streams whose handler runs, until counted for the shutdown report ({@link #countForShutdown}). */
    private final IntMap<H2Stream> running = new IntMap<>();
    /** Handlers running: the concurrency bound (§5.1.2), busy/idle, and when a drain may close. */
    final AtomicInteger active = new AtomicInteger();
    /**
     * Streams that count against SETTINGS_MAX_CONCURRENT_STREAMS: open or half-closed (RFC 9113
     * §5.1.2). A stream leaves the count as its END_STREAM goes out after the client's (the
     * client may open the next one the moment it reads that frame, before the handler's thread
     * has ended) or as it is reset; else when its handler ends.
     */
    private final AtomicInteger concurrent = new AtomicInteger();
    private volatile boolean draining;
    private volatile boolean peerGoingAway;
    private volatile long lastFrameNanos = System.nanoTime();
    private volatile Thread pinger;

    H2Connection(Http2Options options, Connection conn, HttpProtocol.Handoff handoff) {
        this.options = options;
        this.conn = conn;
        this.in = conn.in();
        this.out = conn.out();
        this.handoff = handoff;
        this.dispatcher = handoff.dispatcher();
        this.decoder = new Hpack.Decoder(options.headerTableSize());
        this.connRecvWindow = options.connectionWindowSize();
        this.resets = new Flood(options.maxResetsPerWindow());
        this.control = new Flood(options.maxControlFramesPerWindow());
        this.emptyData = new Flood(options.maxEmptyDataFramesPerWindow());
    }

    /** The header block being encoded, written from its own array (no copy per head). */
    private static final class Scratch extends ByteArrayOutputStream {
        Scratch() {
            super(256);
        }

        byte[] array() {
            return buf;
        }
    }

    /** Events counted per 30 s window; past the bound, the connection is abusing us. */
    private static final class Flood {
        private final int max;
        private long start = System.nanoTime();
        private int count;

        Flood(int max) {
            this.max = max;
        }

        boolean hit() {
            long now = System.nanoTime();
            if (now - start > FLOOD_WINDOW_NANOS) {
                start = now;
                count = 0;
            }
            return ++count > max;
        }
    }

    void run() throws IOException {
        try {
            try {
                start();
                loop();
            } catch (H2Error e) {
                LOG.debug("conn {}: h2 connection error {}: {}", conn.id(), H2Error.name(e.code), e.getMessage());
                goAway(e.code, e.getMessage());
                // FIN, then a short read-and-discard: closing with the client's frames unread would make the
                // kernel send RST, which can destroy the GOAWAY before the client reads it (RFC 9113 §5.4.1).
                conn.closeGracefully(LINGER, 64 << 10);
            } catch (EOFException e) {
                LOG.debug("conn {}: h2 peer closed: {}", conn.id(), e.getMessage());
            } catch (IOException e) {
                LOG.debug("conn {}: h2 connection ended: {}", conn.id(), e.toString());
            }
        } finally {
            shutdownStreams();
            // Before this thread ends, which is when core's shutdown report is summed.
            for (H2Stream s : locked(running::values)) {
                countForShutdown(s, false);
            }
        }
    }

    /** §3.4: our SETTINGS first, then the client's preface (unless the plain port read it) and SETTINGS. */
    private void start() throws IOException, H2Error {
        conn.onDraining(this::drain);
        if (handoff.via() == HttpProtocol.Via.UPGRADE) {
            byte[] settings = Http2Protocol.decodeSettings(handoff.upgradeRequest().headers().get("http2-settings"));
            applySettings(settings, 0, settings.length);
        }
        writeSettings();
        if (options.connectionWindowSize() > DEFAULT_WINDOW) {
            writeFrame(WINDOW_UPDATE, 0, 0, int32(options.connectionWindowSize() - DEFAULT_WINDOW), 0, 4);
        }
        if (handoff.via() != HttpProtocol.Via.PRIOR_KNOWLEDGE) {
            byte[] preface = new byte[Http2Protocol.PREFACE.length];
            in.readExactly(preface, 0, preface.length);
            if (!java.util.Arrays.equals(preface, Http2Protocol.PREFACE)) {
                throw H2Error.connection(H2Error.PROTOCOL_ERROR, "the client connection preface is missing (RFC 9113 §3.4)");
            }
        }
        if (handoff.via() == HttpProtocol.Via.UPGRADE) {
            // RFC 7540 §3.2: the upgraded request is stream 1, half-closed (remote), answered in HTTP/2.
            HttpProtocol.UpgradeRequest u = handoff.upgradeRequest();
            lastStreamId = 1;
            H2Stream s = newStream(1);
            byte[] body = u.body();
            try {
                s.declaredLength = body.length;
                s.recvWindow = Math.max(s.recvWindow, body.length);
                s.data(body, 0, body.length, body.length, true);
            } catch (H2Error e) {
                throw H2Error.connection(H2Error.INTERNAL_ERROR, e.getMessage());
            }
            H2Request req = H2Request.upgraded(this, s, u);
            startHandler(s, req);
        }
    }

    private void loop() throws IOException, H2Error {
        byte[] header = new byte[9];
        int maxFrame = options.maxFrameSize();
        while (true) {
            if (shouldEnd()) {
                return;
            }
            if (active.get() == 0 && !draining) {
                conn.markIdle();
            }
            int first = in.read();
            if (first < 0) {
                return;
            }
            if (!conn.markBusy()) {
                return;
            }
            header[0] = (byte) first;
            in.readExactly(header, 1, 8);
            lastFrameNanos = System.nanoTime();
            int length = ((header[0] & 0xFF) << 16) | ((header[1] & 0xFF) << 8) | (header[2] & 0xFF);
            int type = header[3] & 0xFF;
            int flags = header[4] & 0xFF;
            int streamId = int31(header, 5);
            if (length > maxFrame) {
                // §4.2: a frame that may alter connection state (and any header block) cannot be a stream error.
                throw H2Error.connection(H2Error.FRAME_SIZE_ERROR, "frame of " + length + " bytes over SETTINGS_MAX_FRAME_SIZE " + maxFrame);
            }
            byte[] payload = length == 0 ? EMPTY : new byte[length];
            in.readExactly(payload, 0, length);
            if (!settingsSeen && type != SETTINGS) {
                throw H2Error.connection(H2Error.PROTOCOL_ERROR, "the first frame must be SETTINGS (RFC 9113 §3.4)");
            }
            try {
                frame(type, flags, streamId, payload, header);
            } catch (H2Error e) {
                if (e.streamId == 0) {
                    throw e;
                }
                LOG.debug("conn {}: stream {} error {}: {}", conn.id(), e.streamId, H2Error.name(e.code), e.getMessage());
                resetStream(e.streamId, e.code);
            }
        }
    }

    private boolean shouldEnd() {
        return (draining || peerGoingAway) && active.get() == 0;
    }

    private void frame(int type, int flags, int streamId, byte[] p, byte[] header) throws IOException, H2Error {
        switch (type) {
            case DATA -> onData(flags, streamId, p);
            case HEADERS -> onHeaders(flags, streamId, p, header);
            case PRIORITY -> {
                if (streamId == 0) {
                    throw H2Error.connection(H2Error.PROTOCOL_ERROR, "PRIORITY on stream 0");
                }
                if (p.length != 5) {
                    throw H2Error.stream(streamId, H2Error.FRAME_SIZE_ERROR, "PRIORITY of " + p.length + " bytes, not 5");
                }
                if (control.hit()) {
                    throw H2Error.connection(H2Error.ENHANCE_YOUR_CALM, "PRIORITY flood");
                }
                // §5.3.2: priority signals are ignored.
            }
            case RST_STREAM -> onReset(streamId, p);
            case SETTINGS -> onSettings(flags, streamId, p);
            case PUSH_PROMISE -> throw H2Error.connection(H2Error.PROTOCOL_ERROR, "PUSH_PROMISE from a client (RFC 9113 §8.4)");
            case PING -> {
                if (streamId != 0) {
                    throw H2Error.connection(H2Error.PROTOCOL_ERROR, "PING on stream " + streamId);
                }
                if (p.length != 8) {
                    throw H2Error.connection(H2Error.FRAME_SIZE_ERROR, "PING of " + p.length + " bytes, not 8");
                }
                if ((flags & ACK) == 0) {
                    if (control.hit()) {
                        throw H2Error.connection(H2Error.ENHANCE_YOUR_CALM, "PING flood");
                    }
                    writeFrame(PING, ACK, 0, p, 0, 8);
                }
            }
            case GOAWAY -> {
                if (streamId != 0) {
                    throw H2Error.connection(H2Error.PROTOCOL_ERROR, "GOAWAY on stream " + streamId);
                }
                if (p.length < 8) {
                    throw H2Error.connection(H2Error.FRAME_SIZE_ERROR, "GOAWAY of " + p.length + " bytes");
                }
                peerGoingAway = true;
                LOG.debug("conn {}: client sent GOAWAY {}", conn.id(), H2Error.name(int32(p, 4)));
            }
            case WINDOW_UPDATE -> onWindowUpdate(streamId, p);
            case CONTINUATION -> throw H2Error.connection(H2Error.PROTOCOL_ERROR, "CONTINUATION without HEADERS before it (RFC 9113 §6.10)");
            default -> {
                // §5.5: unknown frame types are ignored.
            }
        }
    }

    private void onData(int flags, int streamId, byte[] p) throws IOException, H2Error {
        if (streamId == 0) {
            throw H2Error.connection(H2Error.PROTOCOL_ERROR, "DATA on stream 0");
        }
        int padding = 0;
        int off = 0;
        if ((flags & PADDED) != 0) {
            if (p.length < 1) {
                throw H2Error.connection(H2Error.FRAME_SIZE_ERROR, "padded DATA without a pad length");
            }
            padding = p[0] & 0xFF;
            off = 1;
            if (padding >= p.length) {
                throw H2Error.connection(H2Error.PROTOCOL_ERROR, "DATA padding longer than the frame (RFC 9113 §6.1)");
            }
        }
        int len = p.length - off - padding;
        boolean end = (flags & END_STREAM) != 0;
        // §6.9: every DATA counts against the connection window, whatever becomes of its stream.
        if (p.length > connRecvWindow) {
            throw H2Error.connection(H2Error.FLOW_CONTROL_ERROR, "DATA of " + p.length + " bytes over the connection window of " + connRecvWindow);
        }
        connRecvWindow -= p.length;
        connUngranted += p.length;
        if (connUngranted >= options.connectionWindowSize() / 2) {
            // Each stream is bounded by its own window, so the connection's is granted back on arrival:
            // a handler that does not read holds back only its own stream.
            int g = connUngranted;
            connUngranted = 0;
            connRecvWindow += g;
            writeFrame(WINDOW_UPDATE, 0, 0, int32(g), 0, 4);
        }
        if (len == 0 && !end && emptyData.hit()) {
            throw H2Error.connection(H2Error.ENHANCE_YOUR_CALM, "empty DATA flood");
        }
        H2Stream s = stream(streamId);
        if (s == null) {
            if (streamId > lastStreamId) {
                throw H2Error.connection(H2Error.PROTOCOL_ERROR, "DATA on idle stream " + streamId + " (RFC 9113 §5.1)");
            }
            if (wasReset(streamId)) {
                return;
            }
            throw H2Error.stream(streamId, H2Error.STREAM_CLOSED, "DATA on closed stream " + streamId);
        }
        if (s.remoteClosed()) {
            throw H2Error.stream(streamId, H2Error.STREAM_CLOSED, "DATA after END_STREAM on stream " + streamId + " (RFC 9113 §5.1)");
        }
        s.data(p, off, len, p.length, end);
        if (end) {
            remoteDone(s);
        }
    }

    private void onHeaders(int flags, int streamId, byte[] p, byte[] header) throws IOException, H2Error {
        if (streamId == 0) {
            throw H2Error.connection(H2Error.PROTOCOL_ERROR, "HEADERS on stream 0");
        }
        int off = 0;
        int padding = 0;
        if ((flags & PADDED) != 0) {
            if (p.length < 1) {
                throw H2Error.connection(H2Error.FRAME_SIZE_ERROR, "padded HEADERS without a pad length");
            }
            padding = p[0] & 0xFF;
            off = 1;
        }
        if ((flags & PRIORITY_FLAG) != 0) {
            if (p.length - off < 5) {
                throw H2Error.connection(H2Error.FRAME_SIZE_ERROR, "HEADERS too short for its priority");
            }
            if (int31(p, off) == streamId) {
                throw H2Error.stream(streamId, H2Error.PROTOCOL_ERROR, "stream " + streamId + " depends on itself (RFC 9113 §5.3.1)");
            }
            off += 5;
        }
        if (padding > p.length - off) {
            throw H2Error.connection(H2Error.PROTOCOL_ERROR, "HEADERS padding longer than the frame (RFC 9113 §6.2)");
        }
        // The whole header block first (CONTINUATIONs, bounded), so the HPACK state stays in step
        // whatever becomes of the stream.
        byte[] block = headerBlock(flags, streamId, p, off, p.length - padding);
        boolean end = (flags & END_STREAM) != 0;
        List<String> fields = new ArrayList<>(16);
        boolean fits;
        try {
            fits = decoder.decode(block, 0, block.length, maxHeaderListSize(), fields);
        } catch (HpackException e) {
            throw H2Error.connection(H2Error.COMPRESSION_ERROR, e.getMessage());
        }
        if ((streamId & 1) == 0) {
            throw H2Error.connection(H2Error.PROTOCOL_ERROR, "stream " + streamId + " is even: clients open odd streams (RFC 9113 §5.1.1)");
        }
        H2Stream s = stream(streamId);
        if (s != null) {
            onTrailers(s, end, fields, fits);
            return;
        }
        if (streamId <= lastStreamId) {
            if (wasReset(streamId)) {
                return;
            }
            throw H2Error.connection(streamId == lastStreamId ? H2Error.STREAM_CLOSED : H2Error.PROTOCOL_ERROR,
                    "HEADERS on stream " + streamId + " after stream " + lastStreamId + " (RFC 9113 §5.1.1)");
        }
        lastStreamId = streamId;
        if (draining || peerGoingAway) {
            resetStream(streamId, H2Error.REFUSED_STREAM); // §6.8: after our GOAWAY, new streams are not served
            return;
        }
        if (concurrent.get() >= options.maxConcurrentStreams()) {
            LOG.debug("conn {}: stream {} refused: {} streams open", conn.id(), streamId, concurrent.get());
            resetStream(streamId, H2Error.REFUSED_STREAM);
            return;
        }
        H2Request req;
        try {
            req = H2Request.parse(this, streamId, fields, end);
        } catch (H2Error e) {
            recentlyReset(streamId);
            throw e;
        }
        H2Stream s2 = newStream(streamId);
        s2.declaredLength = req.contentLength();
        if (end) {
            if (s2.declaredLength > 0) {
                removeStream(streamId);
                closeSend(s2);
                throw H2Error.stream(streamId, H2Error.PROTOCOL_ERROR, "END_STREAM with content-length " + s2.declaredLength + " (RFC 9113 §8.1.1)");
            }
            s2.data(EMPTY, 0, 0, 0, true);
        }
        req.attach(s2);
        if (!fits) {
            req.tooLarge = true; // answered 431 by the stream itself (RFC 9113 §10.5.1)
        }
        startHandler(s2, req);
        if (end) {
            remoteDone(s2);
        }
    }

    private void onTrailers(H2Stream s, boolean end, List<String> fields, boolean fits) throws H2Error {
        if (s.remoteClosed()) {
            throw H2Error.connection(H2Error.STREAM_CLOSED, "HEADERS after END_STREAM on stream " + s.id + " (RFC 9113 §5.1)");
        }
        if (!end) {
            throw H2Error.stream(s.id, H2Error.PROTOCOL_ERROR, "trailers without END_STREAM (RFC 9113 §8.1)");
        }
        H2Headers t = H2Request.trailers(s.id, fields);
        s.endWithTrailers(t);
        remoteDone(s);
    }

    /** The request side of {@code s} is complete; the stream stays until its handler is done too. */
    private void remoteDone(H2Stream s) {
        if (s.done) {
            removeStream(s.id);
        }
    }

    /** HEADERS' fragment plus any CONTINUATIONs, bounded in bytes and frames (CVE-2024-27316). */
    private byte[] headerBlock(int flags, int streamId, byte[] p, int from, int to) throws IOException, H2Error {
        if ((flags & END_HEADERS) != 0) {
            return from == 0 && to == p.length ? p : java.util.Arrays.copyOfRange(p, from, to);
        }
        ByteArrayOutputStream block = new ByteArrayOutputStream(Math.max(256, (to - from) * 2));
        block.write(p, from, to - from);
        byte[] h = new byte[9];
        int frames = 0;
        while (true) {
            in.readExactly(h, 0, 9);
            int length = ((h[0] & 0xFF) << 16) | ((h[1] & 0xFF) << 8) | (h[2] & 0xFF);
            int type = h[3] & 0xFF;
            int id = int31(h, 5);
            if (type != CONTINUATION || id != streamId) {
                throw H2Error.connection(H2Error.PROTOCOL_ERROR, "a header block of stream " + streamId
                        + " interrupted by a frame of type " + type + " on stream " + id + " (RFC 9113 §6.10)");
            }
            if (length > options.maxFrameSize()) {
                throw H2Error.connection(H2Error.FRAME_SIZE_ERROR, "CONTINUATION of " + length + " bytes over SETTINGS_MAX_FRAME_SIZE");
            }
            if (++frames > options.maxContinuationFrames() || block.size() + length > options.maxHeaderBlockBytes()) {
                throw H2Error.connection(H2Error.ENHANCE_YOUR_CALM, "header block of stream " + streamId + " over "
                        + options.maxHeaderBlockBytes() + " bytes or " + options.maxContinuationFrames() + " CONTINUATION frames");
            }
            byte[] c = in.readExactly(length);
            block.write(c, 0, length);
            if ((h[4] & END_HEADERS) != 0) {
                return block.toByteArray();
            }
        }
    }

    private long maxHeaderListSize() {
        // HTTP/1.1's maxHeaderBytes, plus the per-field overhead HPACK counts (§6.5.2).
        return (long) dispatcher.maxHeaderBytes() + 32L * (dispatcher.maxHeaderCount() + 5);
    }

    private void onReset(int streamId, byte[] p) throws H2Error {
        if (streamId == 0) {
            throw H2Error.connection(H2Error.PROTOCOL_ERROR, "RST_STREAM on stream 0");
        }
        if (p.length != 4) {
            throw H2Error.connection(H2Error.FRAME_SIZE_ERROR, "RST_STREAM of " + p.length + " bytes, not 4");
        }
        if (streamId > lastStreamId) {
            throw H2Error.connection(H2Error.PROTOCOL_ERROR, "RST_STREAM on idle stream " + streamId + " (RFC 9113 §6.4)");
        }
        if (resets.hit()) {
            // CVE-2023-44487: opening and resetting streams costs the client nothing and us a handler each.
            throw H2Error.connection(H2Error.ENHANCE_YOUR_CALM, "more than " + options.maxResetsPerWindow() + " streams reset within 30 s");
        }
        H2Stream s = removeStream(streamId);
        if (s != null) {
            s.resetCode = int32(p, 0);
            s.reset = true;
            leaveConcurrency(s); // closed (§5.1): its handler may still be running, the client may open another
            s.fail(new IOException("stream " + streamId + " reset by the client: " + H2Error.name(s.resetCode)));
            closeSend(s);
        }
    }

    private void onSettings(int flags, int streamId, byte[] p) throws IOException, H2Error {
        if (streamId != 0) {
            throw H2Error.connection(H2Error.PROTOCOL_ERROR, "SETTINGS on stream " + streamId);
        }
        if ((flags & ACK) != 0) {
            if (p.length != 0) {
                throw H2Error.connection(H2Error.FRAME_SIZE_ERROR, "SETTINGS ACK with a payload");
            }
            return;
        }
        if (p.length % 6 != 0) {
            throw H2Error.connection(H2Error.FRAME_SIZE_ERROR, "SETTINGS of " + p.length + " bytes, not a multiple of 6");
        }
        if (settingsSeen && control.hit()) {
            throw H2Error.connection(H2Error.ENHANCE_YOUR_CALM, "SETTINGS flood");
        }
        settingsSeen = true;
        applySettings(p, 0, p.length);
        writeFrame(SETTINGS, ACK, 0, EMPTY, 0, 0);
    }

    private void applySettings(byte[] p, int off, int len) throws H2Error {
        for (int i = off; i < off + len; i += 6) {
            int id = ((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF);
            long v = int32(p, i + 2) & 0xFFFFFFFFL;
            switch (id) {
                case HEADER_TABLE_SIZE -> {
                    writeLock.lock();
                    try {
                        encoder.maxTableSize((int) Math.min(v, Integer.MAX_VALUE));
                    } finally {
                        writeLock.unlock();
                    }
                }
                case ENABLE_PUSH -> {
                    if (v > 1) {
                        throw H2Error.connection(H2Error.PROTOCOL_ERROR, "SETTINGS_ENABLE_PUSH = " + v);
                    }
                }
                case INITIAL_WINDOW_SIZE -> {
                    if (v > MAX_WINDOW) {
                        throw H2Error.connection(H2Error.FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE = " + v + " over 2^31-1");
                    }
                    flowLock.lock();
                    try {
                        long delta = v - peerInitialWindow;
                        List<H2Stream> all = sendStreams.values();
                        for (H2Stream s : all) {
                            if (s.sendWindow + delta > MAX_WINDOW) {
                                throw H2Error.connection(H2Error.FLOW_CONTROL_ERROR, "stream " + s.id + "'s window over 2^31-1 (RFC 9113 §6.9.2)");
                            }
                        }
                        for (H2Stream s : all) {
                            s.sendWindow += delta;
                        }
                        peerInitialWindow = v;
                        windowOpened.signalAll();
                    } finally {
                        flowLock.unlock();
                    }
                }
                case MAX_FRAME_SIZE -> {
                    if (v < 16384 || v > (1 << 24) - 1) {
                        throw H2Error.connection(H2Error.PROTOCOL_ERROR, "SETTINGS_MAX_FRAME_SIZE = " + v);
                    }
                    peerMaxFrameSize = (int) v;
                }
                default -> {
                    // MAX_CONCURRENT_STREAMS (we push nothing), MAX_HEADER_LIST_SIZE (advisory), unknown: ignored (§6.5.2).
                }
            }
        }
    }

    private void onWindowUpdate(int streamId, byte[] p) throws H2Error {
        if (p.length != 4) {
            throw H2Error.connection(H2Error.FRAME_SIZE_ERROR, "WINDOW_UPDATE of " + p.length + " bytes, not 4");
        }
        int inc = int31(p, 0);
        if (inc == 0) {
            if (streamId == 0) {
                throw H2Error.connection(H2Error.PROTOCOL_ERROR, "WINDOW_UPDATE of 0 on the connection (RFC 9113 §6.9)");
            }
            throw H2Error.stream(streamId, H2Error.PROTOCOL_ERROR, "WINDOW_UPDATE of 0 (RFC 9113 §6.9)");
        }
        if (streamId > lastStreamId) {
            throw H2Error.connection(H2Error.PROTOCOL_ERROR, "WINDOW_UPDATE on idle stream " + streamId);
        }
        H2Stream s = streamId == 0 ? null : stream(streamId);
        flowLock.lock();
        try {
            if (streamId == 0) {
                if (connSendWindow + inc > MAX_WINDOW) {
                    throw H2Error.connection(H2Error.FLOW_CONTROL_ERROR, "connection window over 2^31-1 (RFC 9113 §6.9.1)");
                }
                connSendWindow += inc;
            } else {
                if (s == null) {
                    return; // closed: §6.9 lets it arrive late
                }
                if (s.sendWindow + inc > MAX_WINDOW) {
                    throw H2Error.stream(streamId, H2Error.FLOW_CONTROL_ERROR, "stream window over 2^31-1 (RFC 9113 §6.9.1)");
                }
                s.sendWindow += inc;
            }
            windowOpened.signalAll();
        } finally {
            flowLock.unlock();
        }
    }

    private H2Stream stream(int id) {
        streamsLock.lock();
        try {
            return streams.get(id);
        } finally {
            streamsLock.unlock();
        }
    }

    private H2Stream removeStream(int id) {
        streamsLock.lock();
        try {
            return streams.remove(id);
        } finally {
            streamsLock.unlock();
        }
    }

    private <T> T locked(java.util.function.Supplier<T> read) {
        streamsLock.lock();
        try {
            return read.get();
        } finally {
            streamsLock.unlock();
        }
    }

    private H2Stream newStream(int id) {
        H2Stream s;
        flowLock.lock();
        try {
            s = new H2Stream(this, id, options.initialWindowSize(), peerInitialWindow);
            sendStreams.put(id, s);
        } finally {
            flowLock.unlock();
        }
        streamsLock.lock();
        try {
            streams.put(id, s);
        } finally {
            streamsLock.unlock();
        }
        return s;
    }

    private void closeSend(H2Stream s) {
        flowLock.lock();
        try {
            sendStreams.remove(s.id);
            windowOpened.signalAll();
        } finally {
            flowLock.unlock();
        }
    }

    private void startHandler(H2Stream s, H2Request req) {
        active.incrementAndGet();
        concurrent.incrementAndGet();
        s.counted = true;
        streamsLock.lock();
        try {
            running.put(s.id, s);
        } finally {
            streamsLock.unlock();
        }
        startPinger();
        Thread.ofVirtual().name("weft-h2-" + conn.id() + "-" + s.id).start(() -> {
            boolean completed = false;
            try {
                completed = new H2Exchange(this, s, req).serve();
            } finally {
                handlerDone(s);
                closeSend(s);
                countForShutdown(s, completed);
                streamEnded(s);
            }
        });
    }

    /**
     * Core's shutdown report counts the streams in flight when the drain began (docs/http2.md):
     * each once, by whoever takes it out of {@link #running} first, the handler as it ends or
     * the connection as it ends (a handler still running then was cut: reset).
     */
    private void countForShutdown(H2Stream s, boolean completed) {
        boolean first;
        streamsLock.lock();
        try {
            first = running.remove(s.id) != null;
        } finally {
            streamsLock.unlock();
        }
        if (first && draining) {
            conn.streamEnded(completed);
        }
    }

    /** Takes the stream out of the concurrency count, once (see {@link #concurrent}). */
    void leaveConcurrency(H2Stream s) {
        if (s.counted && COUNTED.compareAndSet(s, true, false)) {
            concurrent.decrementAndGet();
        }
    }

    private static final java.lang.invoke.VarHandle COUNTED;

    static {
        try {
            COUNTED = java.lang.invoke.MethodHandles.privateLookupIn(H2Stream.class, java.lang.invoke.MethodHandles.lookup())
                    .findVarHandle(H2Stream.class, "counted", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A handler ended; during a drain, the last one lets the connection go (§6.8). */
    private void streamEnded(H2Stream s) {
        leaveConcurrency(s);
        if (active.decrementAndGet() == 0 && (draining || peerGoingAway)) {
            finalGoAwayAndHalfClose();
        }
    }

    /**
     * From a handler's thread: the reader learns of the end by the client's close (after our FIN).
     * Streams the reader still holds are dropped by it when it next sees them.
     */
    private void finalGoAwayAndHalfClose() {
        writeLock.lock();
        try {
            if (!writesClosed) {
                writeGoAway(H2Error.NO_ERROR, "");
                writesClosed = true;
                conn.shutdownOutput();
            }
        } catch (IOException e) {
            LOG.debug("conn {}: final GOAWAY not sent: {}", conn.id(), e.toString());
        } finally {
            writeLock.unlock();
        }
    }

    /** Graceful shutdown began (core's onDraining, on the thread that began it): GOAWAY with the last stream. */
    private void drain() {
        draining = true;
        // Not on the shutdown thread: a write may wait on a slow peer, and the action must not block.
        Thread.ofVirtual().name("weft-h2-goaway-" + conn.id()).start(() -> {
            if (!conn.markBusy()) {
                return;
            }
            writeLock.lock();
            try {
                if (!writesClosed && !goAwaySent) {
                    writeGoAway(H2Error.NO_ERROR, "server shutting down");
                }
            } catch (IOException e) {
                LOG.debug("conn {}: GOAWAY not sent: {}", conn.id(), e.toString());
            } finally {
                writeLock.unlock();
            }
            for (H2EventStream e : eventStreams) {
                e.endForShutdown();
            }
            if (active.get() == 0) {
                finalGoAwayAndHalfClose();
            }
        });
    }

    /** §5.4.1: GOAWAY with the last stream we saw, then the connection closes (the caller returns). */
    private void goAway(int code, String why) {
        writeLock.lock();
        try {
            if (!writesClosed) {
                writeGoAway(code, why);
                writesClosed = true;
            }
        } catch (IOException e) {
            LOG.debug("conn {}: GOAWAY not sent: {}", conn.id(), e.toString());
        } finally {
            writeLock.unlock();
        }
    }

    /** Under writeLock. */
    private void writeGoAway(int code, String why) throws IOException {
        byte[] debug = why.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] p = new byte[8 + Math.min(debug.length, 256)];
        int last = lastStreamId;
        p[0] = (byte) (last >>> 24);
        p[1] = (byte) (last >>> 16);
        p[2] = (byte) (last >>> 8);
        p[3] = (byte) last;
        p[4] = (byte) (code >>> 24);
        p[5] = (byte) (code >>> 16);
        p[6] = (byte) (code >>> 8);
        p[7] = (byte) code;
        System.arraycopy(debug, 0, p, 8, p.length - 8);
        frameLocked(GOAWAY, 0, 0, p, 0, p.length);
        out.flush();
        goAwaySent = true;
    }

    /** The connection is ending: every stream's blocked read or write fails, and nothing more is written. */
    private void shutdownStreams() {
        Thread f;
        writeLock.lock();
        try {
            writesClosed = true;
            f = flusher;
        } finally {
            writeLock.unlock();
        }
        if (f != null) {
            java.util.concurrent.locks.LockSupport.unpark(f); // it sees writesClosed and ends
        }
        IOException gone = new IOException("HTTP/2 connection closed");
        for (H2Stream s : locked(streams::values)) {
            s.reset = true;
            s.fail(gone);
        }
        flowLock.lock();
        try {
            for (H2Stream s : sendStreams.values()) {
                s.reset = true;
            }
            windowOpened.signalAll();
        } finally {
            flowLock.unlock();
        }
        Thread p = pinger;
        if (p != null) {
            p.interrupt();
        }
    }

    /** Stream error (§5.4.2): RST_STREAM, and the stream's handler sees its I/O fail. */
    void resetStream(int streamId, int code) {
        H2Stream s = removeStream(streamId);
        if (s != null) {
            s.reset = true;
            s.fail(new IOException("stream " + streamId + " reset: " + H2Error.name(code)));
            closeSend(s);
        }
        recentlyReset(streamId);
        try {
            writeFrame(RST_STREAM, 0, streamId, int32(code), 0, 4);
        } catch (IOException e) {
            LOG.debug("conn {}: RST_STREAM not sent: {}", conn.id(), e.toString());
        }
    }

    private void recentlyReset(int streamId) {
        resetLock.lock();
        try {
            recentlyReset.add(streamId);
            if (recentlyReset.size() > 128) {
                recentlyReset.remove(recentlyReset.iterator().next());
            }
        } finally {
            resetLock.unlock();
        }
    }

    private boolean wasReset(int streamId) {
        resetLock.lock();
        try {
            return recentlyReset.contains(streamId);
        } finally {
            resetLock.unlock();
        }
    }

    /**
     * From the handler, once its response ended: the stream leaves the table. If the client is
     * still sending the request, RST_STREAM(NO_ERROR) tells it to stop (RFC 9113 §8.1).
     */
    void handlerDone(H2Stream s) {
        s.done = true;
        if (s.remoteClosed() || s.reset) {
            removeStream(s.id);
            return;
        }
        resetStream(s.id, H2Error.NO_ERROR);
    }

    /** From a handler: its stream ends abnormally (§8.1: never END_STREAM after a failure). */
    void abortStream(H2Stream s, int code) {
        if (s.reset) {
            return;
        }
        s.reset = true;
        closeSend(s);
        leaveConcurrency(s);
        try {
            writeFrame(RST_STREAM, 0, s.id, int32(code), 0, 4);
        } catch (IOException e) {
            LOG.debug("conn {}: RST_STREAM not sent: {}", conn.id(), e.toString());
        }
    }

    private void startPinger() {
        long every = options.pingInterval().toNanos();
        if (every <= 0 || pinger != null) {
            return;
        }
        pinger = Thread.ofVirtual().name("weft-h2-ping-" + conn.id()).start(() -> {
            byte[] opaque = new byte[8];
            try {
                while (!conn.isClosed()) {
                    // A timer, not a wait for an event: a PING when the client has been quiet this long.
                    TimeUnit.NANOSECONDS.sleep(every);
                    if (active.get() > 0 && System.nanoTime() - lastFrameNanos >= every) {
                        writeFrame(PING, 0, 0, opaque, 0, 8);
                    }
                }
            } catch (InterruptedException | IOException e) {
                // The connection ended.
            }
        });
    }

    // ---- writing ----

    private void writeSettings() throws IOException {
        byte[] p = new byte[6 * 4];
        setting(p, 0, MAX_CONCURRENT_STREAMS, options.maxConcurrentStreams());
        setting(p, 6, INITIAL_WINDOW_SIZE, options.initialWindowSize());
        setting(p, 12, MAX_FRAME_SIZE, options.maxFrameSize());
        setting(p, 18, HEADER_TABLE_SIZE, options.headerTableSize());
        byte[] withList = java.util.Arrays.copyOf(p, 30);
        setting(withList, 24, MAX_HEADER_LIST_SIZE, (int) Math.min(Integer.MAX_VALUE, maxHeaderListSize()));
        writeFrame(SETTINGS, 0, 0, withList, 0, withList.length);
    }

    private static void setting(byte[] p, int at, int id, int value) {
        p[at] = (byte) (id >>> 8);
        p[at + 1] = (byte) id;
        p[at + 2] = (byte) (value >>> 24);
        p[at + 3] = (byte) (value >>> 16);
        p[at + 4] = (byte) (value >>> 8);
        p[at + 5] = (byte) value;
    }

    /** One frame, under the write lock for that frame alone; flushed at once or soon ({@link #flushSoon}). */
    void writeFrame(int type, int flags, int streamId, byte[] p, int off, int len) throws IOException {
        writeLock.lock();
        if (writesClosed) {
            writeLock.unlock();
            throw new IOException("HTTP/2 connection closed");
        }
        try {
            frameLocked(type, flags, streamId, p, off, len);
            flushSoon();
        } catch (IOException e) {
            writesClosed = true;
            throw e;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Under the write lock: what the buffer holds goes out. With one handler running (or none) at
     * once; with more, by the {@link #flusher}, which runs after the threads already waiting for a
     * carrier, so the streams answered in one scheduling round share one socket write (as an
     * event loop flushes once per read) instead of one write each.
     */
    private void flushSoon() throws IOException {
        if (flushScheduled) {
            return;
        }
        if (active.get() <= 1) {
            out.flush();
            return;
        }
        flushScheduled = true;
        Thread f = flusher;
        if (f == null) {
            flusher = Thread.ofVirtual().name("weft-h2-flush-" + conn.id()).start(this::flushLoop);
        } else {
            java.util.concurrent.locks.LockSupport.unpark(f);
        }
    }

    /** The flusher's loop: until writes close (the connection's end), each scheduled flush. */
    private void flushLoop() {
        while (true) {
            // An unparked virtual thread runs before the threads started meanwhile (the JDK's scheduler
            // takes its carrier's local queue first, and Thread.start submits to the shared one); a
            // yield puts this one behind them, so the stream threads the reader just started write first.
            Thread.yield();
            writeLock.lock();
            try {
                if (writesClosed) {
                    return;
                }
                if (flushScheduled) {
                    flushScheduled = false;
                    out.flush();
                }
            } catch (IOException e) {
                // The streams whose frames were in the buffer had handed them over, as to the kernel; the
                // connection is gone, and the reader learns it from its next read.
                writesClosed = true;
                LOG.debug("conn {}: h2 flush failed: {}", conn.id(), e.toString());
                conn.close();
                return;
            } finally {
                writeLock.unlock();
            }
            java.util.concurrent.locks.LockSupport.park(this);
        }
    }

    private void frameLocked(int type, int flags, int streamId, byte[] p, int off, int len) throws IOException {
        byte[] h = frameHeader;
        h[0] = (byte) (len >>> 16);
        h[1] = (byte) (len >>> 8);
        h[2] = (byte) len;
        h[3] = (byte) type;
        h[4] = (byte) flags;
        h[5] = (byte) (streamId >>> 24);
        h[6] = (byte) (streamId >>> 16);
        h[7] = (byte) (streamId >>> 8);
        h[8] = (byte) streamId;
        out.write(h, 0, 9);
        if (len > 0) {
            out.write(p, off, len);
        }
    }

    void windowUpdate(int streamId, int increment) throws IOException {
        writeFrame(WINDOW_UPDATE, 0, streamId, int32(increment), 0, 4);
    }

    void windowUpdateQuietly(int streamId, int increment) {
        try {
            windowUpdate(streamId, increment);
        } catch (IOException e) {
            LOG.debug("conn {}: WINDOW_UPDATE not sent: {}", conn.id(), e.toString());
        }
    }

    /**
     * A response's header block: encoded and written (HEADERS, then CONTINUATIONs if it is
     * larger than the client's frame size) under one hold of the write lock.
     *
     * @param fields name, value, … ; names lower case
     */
    void writeHeaders(H2Stream s, List<String> fields, boolean endStream) throws IOException {
        writeHeaders(s, fields, endStream, true);
    }

    /**
     * As {@link #writeHeaders(H2Stream, List, boolean)}; with {@code flush} false the block stays
     * in the buffer for the DATA that follows at once (one write for a small response). A DATA
     * write that must wait for window flushes first, so the head is never held back by it.
     */
    void writeHeaders(H2Stream s, List<String> fields, boolean endStream, boolean flush) throws IOException {
        writeLock.lock();
        if (writesClosed || s.reset) {
            writeLock.unlock();
            throw new IOException(s.reset ? resetMessage(s) : "HTTP/2 connection closed");
        }
        try {
            Scratch b = headerScratch;
            b.reset();
            encoder.begin(b);
            for (int i = 0; i < fields.size(); i += 2) {
                String n = fields.get(i);
                // date is indexed too: it changes once a second, so every other response in that
                // second sends it as one byte; content-length and :status vary more than they repeat.
                encoder.field(b, n, fields.get(i + 1), !n.equals("content-length") && !n.equals(":status"));
            }
            byte[] block = b.array();
            int size = b.size();
            int max = peerMaxFrameSize;
            int first = Math.min(size, max);
            int flags = (endStream ? END_STREAM : 0) | (first == size ? END_HEADERS : 0);
            if (endStream && s.remoteClosed) {
                leaveConcurrency(s);
            }
            frameLocked(HEADERS, flags, s.id, block, 0, first);
            int at = first;
            while (at < size) {
                int n = Math.min(size - at, max);
                frameLocked(CONTINUATION, at + n == size ? END_HEADERS : 0, s.id, block, at, n);
                at += n;
            }
            if (size > 64 << 10) {
                headerScratch = new Scratch(); // a rare huge head does not stay with the connection
            }
            if (flush) {
                flushSoon();
            }
            if (endStream) {
                s.localClosed = true;
            }
        } catch (IOException e) {
            writesClosed = true;
            throw e;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Response DATA: each frame waits for window on the connection and the stream (§6.9), at most
     * {@code flowControlTimeout}; then written under the write lock for that frame alone.
     */
    void writeData(H2Stream s, byte[] b, int off, int len, boolean endStream) throws IOException {
        if (len == 0) {
            if (endStream) {
                checkOpen(s);
                if (s.remoteClosed) {
                    leaveConcurrency(s);
                }
                writeFrame(DATA, END_STREAM, s.id, EMPTY, 0, 0);
                s.localClosed = true;
            }
            return;
        }
        while (len > 0) {
            int n = reserve(s, len);
            boolean last = endStream && n == len;
            checkOpen(s);
            if (last && s.remoteClosed) {
                leaveConcurrency(s);
            }
            writeFrame(DATA, last ? END_STREAM : 0, s.id, b, off, n);
            if (last) {
                s.localClosed = true;
            }
            off += n;
            len -= n;
        }
    }

    private void checkOpen(H2Stream s) throws IOException {
        if (s.reset) {
            throw new IOException(resetMessage(s));
        }
    }

    private static String resetMessage(H2Stream s) {
        return "stream " + s.id + " was reset" + (s.resetCode >= 0 ? " by the client: " + H2Error.name(s.resetCode) : "");
    }

    private int reserve(H2Stream s, int want) throws IOException {
        long timeout = options.flowControlTimeout().toNanos();
        long deadline = System.nanoTime() + timeout;
        flowLock.lock();
        try {
            while (true) {
                checkOpen(s);
                long avail = Math.min(connSendWindow, s.sendWindow);
                if (avail > 0) {
                    int n = (int) Math.min(Math.min(avail, want), peerMaxFrameSize);
                    connSendWindow -= n;
                    s.sendWindow -= n;
                    return n;
                }
                if (out.buffered() > 0) {
                    // A head written without a flush must not wait for this window: out with it, without the
                    // flow lock (a socket write may block, and the reader takes the flow lock for WINDOW_UPDATE).
                    flowLock.unlock();
                    try {
                        flushHeld();
                    } finally {
                        flowLock.lock();
                    }
                    continue;
                }
                try {
                    if (timeout == 0) {
                        windowOpened.await();
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new FlowControlTimeoutException(s.id, options.flowControlTimeout());
                        }
                        windowOpened.await(left, TimeUnit.NANOSECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted waiting for WINDOW_UPDATE");
                }
            }
        } finally {
            flowLock.unlock();
        }
    }

    /** Before waiting for window: whatever is buffered (a head written without a flush) goes out. */
    private void flushHeld() throws IOException {
        if (out.buffered() == 0) {
            return;
        }
        writeLock.lock();
        try {
            if (writesClosed) {
                throw new IOException("HTTP/2 connection closed");
            }
            out.flush();
        } catch (IOException e) {
            writesClosed = true;
            throw e;
        } finally {
            writeLock.unlock();
        }
    }

    /** The client granted no window for flowControlTimeout. */
    static final class FlowControlTimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        FlowControlTimeoutException(int stream, java.time.Duration timeout) {
            super("stream " + stream + ": no WINDOW_UPDATE from the client within flowControlTimeout=" + timeout);
        }
    }

    boolean isDraining() {
        return draining || conn.isDraining();
    }

    static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    static int int32(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    /** A 31-bit field: the reserved high bit is ignored (§4.1). */
    static int int31(byte[] b, int at) {
        return int32(b, at) & 0x7FFFFFFF;
    }
}
