package dev.weft.websocket.internal;

import dev.weft.core.Connection;
import dev.weft.core.ConnectionTimeoutException;
import dev.weft.core.SocketInput;
import dev.weft.core.SocketOutput;
import dev.weft.websocket.CloseStatus;
import dev.weft.websocket.IncomingMessage;
import dev.weft.websocket.Message;
import dev.weft.websocket.WebSocketEndpoint;
import dev.weft.websocket.WebSocketListener;
import dev.weft.websocket.WebSocketOptions;
import dev.weft.websocket.WebSocketSession;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session: the frame reader, the frame writer and the close handshake (RFC 6455 §5, §7).
 *
 * <p>Threads: the connection's own thread (the one HTTP hands the connection to) starts the
 * endpoint on a virtual thread of its own and holds the connection until the endpoint is done.
 * Pings after {@code pingInterval} of silence and the end after {@code idleTimeout} are turns of
 * {@link KeepAlive}'s timer, for every session. The endpoint's thread is the one that reads; the session marks the connection idle between frames (its waits
 * are then bounded by the server's {@code idleTimeout}, not {@code readTimeout}). Every session's
 * connection shares its output ({@link Connection#shareOutput}): each frame is written between
 * {@code acquireWriter} and {@code releaseWriter}, whichever thread sends, so the reading thread
 * may give the output buffer back while idle without racing a send.
 *
 * <p>Locks: {@code frameLock} for each frame written (any thread), {@code messageLock} for a
 * whole data message (so a streamed message's fragments are not interleaved with another
 * message; control frames take only {@code frameLock} and go out between fragments),
 * {@code readLock} for reading, {@code stateLock} for the close state.
 *
 * <p>A listener session ({@link #listen}) has one thread, the connection's, which reads and calls
 * the listener; it waits between messages through {@link Connection#awaitIdle}, so it may
 * hibernate and go on in {@link #handle} on a fresh thread. Its connection shares its output
 * ({@link Connection#shareOutput}): every frame is written between {@code acquireWriter} and
 * {@code releaseWriter}, which wakes a hibernated connection. When core closes a hibernated
 * session (no thread would see it), it says so: {@link #closedWhileHibernated}.
 */
public final class SessionImpl implements WebSocketSession, Connection.HibernatedHandler {

    private static final Logger LOG = LoggerFactory.getLogger("dev.weft.websocket");

    static final int OP_CONT = 0;
    static final int OP_TEXT = 1;
    static final int OP_BINARY = 2;
    static final int OP_CLOSE = 8;
    static final int OP_PING = 9;
    static final int OP_PONG = 10;

    /** What the session keeps of the handshake request (the request is gone after the 101). */
    record Info(String path, String rawQuery, Map<String, List<String>> query, Map<String, List<String>> headers,
            InetSocketAddress remote, long connectionId, String subprotocol) {
    }

    private final Connection conn;
    /** The connection's input; a listener session takes it again after each hibernation. */
    private SocketInput in;
    private final WebSocketOptions options;
    private final Info info;
    private final PerMessageDeflate deflate;
    private final PerMessageDeflate.Compressor compressor;
    private final Inflater inflater;

    private final ReentrantLock frameLock = new ReentrantLock();
    private final ReentrantLock messageLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock stateLock = new ReentrantLock();
    private final Condition closedChanged = stateLock.newCondition();

    private volatile boolean closeSent;
    private volatile boolean closeReceived;
    /** The connection is closed (or being closed): no more reads or writes. */
    private volatile boolean ended;
    private volatile CloseStatus status;
    private volatile long lastReceived;

    // Reader state, under readLock.
    private boolean inMessage;
    private boolean fin;
    private boolean rsv1;
    private int opcode;
    private long length;
    /** Payload bytes of the current data frame not read yet. */
    private long remaining;
    private int maskPos;
    private final byte[] mask = new byte[4];
    private final byte[] control = new byte[125];
    private final byte[] header = new byte[8];
    private MessageIn current;
    // For the dev.weft.WebSocketSession event: incoming under readLock, outgoing under frameLock,
    // read after both were taken once more at the end of run().
    private long messagesIn;
    private long bytesIn;
    private long messagesOut;
    private long bytesOut;

    /** The longest between two keep-alive turns of a session (a safety net: core reports a close while hibernated itself). */
    private static final long BACKSTOP_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Under stateLock: the session is over (a listener's: onClose and its resources done); no more keep-alive turns. */
    private boolean finished;
    private volatile ScheduledFuture<?> keepAliveTask;
    private volatile long pingedAt;

    // Listener sessions only.
    private WebSocketListener listener;
    /** The thread running the listener loop now; null while hibernated. */
    private volatile Thread loopThread;
    /** The loop returned for a hibernation: no thread serves the session until it wakes. */
    private volatile boolean parked;
    private WebSocketSessionEvent listenerJfr;

    SessionImpl(Connection conn, WebSocketOptions options, Info info, PerMessageDeflate deflate) {
        this.conn = conn;
        this.in = conn.in();
        this.options = options;
        this.info = info;
        this.deflate = deflate;
        this.compressor = deflate == null ? null : new PerMessageDeflate.Compressor(deflate.serverNoContextTakeover);
        this.inflater = deflate == null ? null : new Inflater(true);
    }

    // ---- the connection's thread: start the endpoint, keep the session alive -----------------

    void run(WebSocketEndpoint endpoint) {
        // Only when a recording wants it: otherwise no event object exists, and the event class
        // (whose loading brings up JFR) is never loaded.
        WebSocketSessionEvent jfr = null;
        if (FlightRecorder.isInitialized() && JfrType.SESSION.isEnabled()) {
            jfr = new WebSocketSessionEvent();
            jfr.begin();
        }
        try {
            runSession(endpoint);
        } finally {
            commit(jfr);
        }
    }

    private void commit(WebSocketSessionEvent jfr) {
        if (jfr != null) {
            jfr.end();
            if (jfr.shouldCommit()) {
                jfr.connectionId = conn.id();
                jfr.path = info.path();
                jfr.subprotocol = info.subprotocol();
                jfr.compressed = deflate != null;
                jfr.messagesIn = messagesIn;
                jfr.bytesIn = bytesIn;
                jfr.messagesOut = messagesOut;
                jfr.bytesOut = bytesOut;
                CloseStatus st = status;
                if (st != null) {
                    jfr.closeCode = st.code();
                    jfr.closeReason = st.reason();
                }
                jfr.commit();
            }
        }
    }

    /** Looked up on the first session after JFR is up; {@code isEnabled()} is a field read. */
    private static final class JfrType {
        static final EventType SESSION = EventType.getEventType(WebSocketSessionEvent.class);
    }

    private void runSession(WebSocketEndpoint endpoint) {
        lastReceived = System.nanoTime();
        pingedAt = lastReceived;
        // Every frame is written between acquireWriter and releaseWriter, from whichever thread
        // sends: so the reading thread may give the idle output buffer back (server-core does
        // that for a reader other than the connection's own thread only with a shared output).
        conn.shareOutput();
        conn.onDraining(this::onDraining);
        Thread reader = Thread.ofVirtual().name("weft-ws-" + conn.id()).unstarted(() -> serve(endpoint));
        reader.start();
        // Pings and the idle timeout: the shared timer's turns, as for a listener session. This
        // thread only holds the connection until the endpoint is done (an untimed join: a timed
        // wait per session would be a JDK timer per session).
        KeepAlive.schedule(this);
        try {
            reader.join();
        } catch (InterruptedException e) {
            // Shutdown forced the connection at the end of the grace: the endpoint's reads fail now.
            endConnection();
            reader.interrupt();
        } finally {
            stopKeepAlive();
            // No read or write may be in flight when this returns: the connection's buffers go
            // back to the pool then. Closed first, so one in progress fails at once; taking the
            // locks waits for it to leave, and any later one sees `ended` and touches nothing.
            endConnection();
            releaseResources();
        }
    }

    /** The session is over: no more keep-alive turns. False if it was already (a listener's end runs once). */
    private boolean stopKeepAlive() {
        stateLock.lock();
        try {
            if (finished) {
                return false;
            }
            finished = true;
        } finally {
            stateLock.unlock();
        }
        ScheduledFuture<?> t = keepAliveTask;
        if (t != null) {
            t.cancel(false);
        }
        return true;
    }

    /** After endConnection: waits out the read or write in flight, then frees the codecs' native memory. */
    private void releaseResources() {
        frameLock.lock();
        frameLock.unlock();
        readLock.lock();
        readLock.unlock();
        if (inflater != null) {
            inflater.end();
        }
        // A streamed message never closed holds the lock for good: then the deflater is left to the GC.
        if (compressor != null && messageLock.tryLock()) {
            try {
                compressor.end();
            } finally {
                messageLock.unlock();
            }
        }
    }

    /** Nothing from the client within idleTimeout: say so (1001) and end; it is not waited for. */
    private void idleTimeout() {
        LOG.debug("conn {}: no frame within idleTimeout={}, closing", conn.id(), options.idleTimeout());
        setStatus(new CloseStatus(CloseStatus.ABNORMAL, "idle timeout"));
        sendCloseQuietly(CloseStatus.GOING_AWAY, "idle timeout");
        endConnection();
    }

    /** The server begins a graceful shutdown: close 1001 to the client, on a thread of its own (it waits for the reply). */
    private void onDraining() {
        if (isOpen()) {
            Thread.ofVirtual().name("weft-ws-close-" + conn.id()).start(
                    () -> close(CloseStatus.GOING_AWAY, "server shutting down"));
        }
    }

    // ---- a listener session: the connection's thread reads and calls back --------------------

    /** After the 101, on the connection's thread: opens the session and serves it until it ends or hibernates. */
    void listen(WebSocketListener l) {
        listener = l;
        if (FlightRecorder.isInitialized() && JfrType.SESSION.isEnabled()) {
            listenerJfr = new WebSocketSessionEvent();
            listenerJfr.begin();
        }
        lastReceived = System.nanoTime();
        pingedAt = lastReceived;
        conn.shareOutput(); // before the session is anyone else's: senders write between acquire and release
        conn.onDraining(this::onDraining);
        loopThread = Thread.currentThread();
        KeepAlive.schedule(this);
        try {
            l.onOpen(this);
        } catch (Throwable e) {
            if (callbackFailed("onOpen", e)) {
                return;
            }
        }
        loop();
    }

    /** Goes on after a hibernation, on a fresh thread of the connection: not for endpoints. */
    @Override
    public void handle(Connection resumed) {
        in = resumed.in(); // the streams before went with the hibernation
        loopThread = Thread.currentThread();
        parked = false;
        loop();
    }

    /** Core closed the connection while hibernated (its idle timeout, shutdown's force, eviction): the session ends for the listener. */
    @Override
    public void closedWhileHibernated(Connection closed) {
        finishListener();
    }

    private void loop() {
        while (true) {
            if (awaitMessage()) {
                in = null; // gone with the hibernation: a hibernated session keeps no stream
                loopThread = null;
                parked = true; // this thread ends; handle() goes on when the client sends (or a send wakes it)
                return;
            }
            Message m;
            readLock.lock();
            try {
                m = readMessage();
            } finally {
                readLock.unlock();
            }
            if (m == null) {
                finishListener();
                return;
            }
            try {
                listener.onMessage(this, m);
            } catch (Throwable e) {
                if (callbackFailed("onMessage", e)) {
                    return;
                }
            }
        }
    }

    /**
     * Between messages: waits for the next frame as an idle connection, which may hibernate.
     * True if it hibernated (the loop must return at once); false to read on.
     */
    private boolean awaitMessage() {
        if (ended || closeReceived || closeSent || inMessage || in.buffered() > 0 || conn.isDraining()) {
            return false; // straight to the read: it finishes the close, or the message under way
        }
        conn.markIdle();
        int first;
        try {
            first = conn.awaitIdle(this);
        } catch (IOException e) {
            conn.markBusy();
            lost(e); // the read that follows finds the session ended
            return false;
        }
        if (first == Connection.HIBERNATED) {
            return true;
        }
        if (!conn.markBusy()) {
            lost(new EOFException("the connection was closed while idle"));
        }
        return false;
    }

    /** A callback threw: 1011, the close completed on this thread. True if the session is over. */
    private boolean callbackFailed(String what, Throwable e) {
        if (ended) {
            LOG.debug("conn {}: websocket listener's {} failed after the session closed: {}", conn.id(), what, e.toString());
        } else {
            LOG.warn("conn {}: websocket listener's {} failed", conn.id(), what, e);
        }
        setStatus(new CloseStatus(CloseStatus.INTERNAL_ERROR, ""));
        if (sendCloseQuietly(CloseStatus.INTERNAL_ERROR, "")) {
            readLock.lock();
            try {
                drainUntilClose();
            } finally {
                readLock.unlock();
            }
        }
        finishListener();
        if (e instanceof VirtualMachineError vme) {
            throw vme;
        }
        return true;
    }

    /** The end of a listener session, once: the connection closed, resources freed, the listener told. */
    void finishListener() {
        if (!stopKeepAlive()) {
            return;
        }
        endConnection();
        releaseResources();
        commit(listenerJfr);
        try {
            listener.onClose(this, status);
        } catch (Throwable e) {
            LOG.warn("conn {}: websocket listener's onClose failed", conn.id(), e);
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
        }
    }

    /**
     * The keep-alive timer's turn (on its platform thread, so nothing here blocks): pings after
     * {@code pingInterval} of silence and closes after {@code idleTimeout}, each on a virtual
     * thread (a send may wait for the client, or wake a hibernated connection); ends the session
     * for the listener if core closed the connection while no thread served it.
     *
     * @return nanoseconds until the next turn; negative for none
     */
    long keepAliveTurn() {
        if (finished) {
            return -1;
        }
        if (ended || conn.isClosed()) {
            if (parked) {
                // Closed with no thread to see it: core reports that (closedWhileHibernated, also for
                // a close on the way into the hibernation); this is a safety net, finishListener runs once.
                Thread.ofVirtual().name("weft-ws-end-" + conn.id()).start(this::finishListener);
                return -1;
            }
            return TimeUnit.SECONDS.toNanos(1); // the loop's thread ends it; look again in case it hibernated first
        }
        if (!isOpen()) {
            return BACKSTOP_NANOS; // closing: the close handshake has its own bound (closeTimeout), and no pings
        }
        long ping = options.pingInterval().toNanos();
        long idle = options.idleTimeout().toNanos();
        long now = System.nanoTime();
        long last = lastReceived;
        long wait = BACKSTOP_NANOS;
        if (idle > 0) {
            if (now - last >= idle) {
                Thread.ofVirtual().name("weft-ws-idle-" + conn.id()).start(this::idleTimeout);
                return TimeUnit.SECONDS.toNanos(1);
            }
            wait = Math.min(wait, last + idle - now);
        }
        if (ping > 0) {
            long since = Math.max(last, pingedAt);
            if (now - since >= ping) {
                pingedAt = now;
                since = now;
                Thread.ofVirtual().name("weft-ws-ping-" + conn.id()).start(this::keepAlivePing);
            }
            wait = Math.min(wait, since + ping - now);
        }
        return Math.max(wait, TimeUnit.MILLISECONDS.toNanos(1));
    }

    void keepAliveTask(ScheduledFuture<?> task) {
        keepAliveTask = task;
    }

    private void keepAlivePing() {
        try {
            writeControl(OP_PING, new byte[0], 0);
        } catch (IOException e) {
            LOG.debug("conn {}: keep-alive ping failed: {}", conn.id(), e.toString());
        }
    }

    // ---- the endpoint's thread ---------------------------------------------------------------

    private void serve(WebSocketEndpoint endpoint) {
        int code = CloseStatus.NORMAL;
        try {
            endpoint.serve(this);
        } catch (Throwable e) {
            code = CloseStatus.INTERNAL_ERROR;
            if (ended) {
                LOG.debug("conn {}: websocket endpoint ended after the session closed: {}", conn.id(), e.toString());
            } else {
                LOG.warn("conn {}: websocket endpoint failed", conn.id(), e);
            }
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
        } finally {
            if (sendCloseQuietly(code, "")) {
                awaitPeerClose();
            } else if (!ended && readLock.tryLock()) {
                try {
                    drainUntilClose(); // a close sent earlier by another thread: this one reads the answer
                } finally {
                    readLock.unlock();
                }
            }
            endConnection();
        }
    }

    // ---- receiving -----------------------------------------------------------------------------

    @Override
    public Message receive() {
        requireEndpoint();
        readLock.lock();
        try {
            return readMessage();
        } finally {
            readLock.unlock();
        }
    }

    private void requireEndpoint() {
        if (listener != null) {
            throw new IllegalStateException("a listener session's messages go to its onMessage: receive() is for endpoints");
        }
    }

    /** The next whole message, under readLock; null once closed. */
    private Message readMessage() {
        MessageIn m = startMessage(options.maxMessageBytes());
        if (m == null) {
            return null;
        }
        byte[] all;
        try {
            all = m.readAllBytes();
        } catch (IOException e) {
            return null; // the session was failed or lost inside MessageIn; closeStatus() says how
        }
        current = null; // read whole: nothing to skip, and a waiting session keeps no reader
        return m.text ? Message.text(new String(all, StandardCharsets.UTF_8)) : Message.binary(all);
    }

    @Override
    public IncomingMessage receiveStream() {
        requireEndpoint();
        readLock.lock();
        try {
            MessageIn m = startMessage(Long.MAX_VALUE);
            return m == null ? null : new Incoming(m);
        } finally {
            readLock.unlock();
        }
    }

    /** Reads up to the first frame of the next data message; null once closed. */
    private MessageIn startMessage(long limit) {
        try {
            if (current != null && !current.done && !current.failed) {
                current.skipRest(); // the previous streamed message was left unread
            }
            current = null;
            if (ended || closeReceived) {
                return null;
            }
            if (closeSent) {
                drainUntilClose();
                return null;
            }
            if (!nextDataFrame()) {
                return null;
            }
            if (!rsv1 && length > limit) {
                throw new ProtocolFailure(CloseStatus.TOO_BIG, "message over " + limit + " bytes");
            }
            current = new MessageIn(opcode == OP_TEXT, rsv1, limit);
            return current;
        } catch (ProtocolFailure f) {
            fail(f);
            return null;
        } catch (IOException e) {
            lost(e);
            return null;
        }
    }

    /** Reads frames until a data frame's header, handling control frames on the way; false once closed. */
    private boolean nextDataFrame() throws IOException {
        while (!ended && !closeReceived) {
            readHeader();
            if ((opcode & 8) == 0) {
                bytesIn += length;
                return true;
            }
            handleControl();
        }
        return false;
    }

    /** One frame header, checked against every rule of RFC 6455 §5.2 that a header can break. */
    private void readHeader() throws IOException {
        boolean wentIdle = false;
        if (in.buffered() == 0 && !conn.isDraining()) {
            // Between frames: idle for the server (bounded by its idleTimeout, buffers may go back).
            conn.markIdle();
            wentIdle = true;
        }
        int b0;
        try {
            b0 = in.read();
        } finally {
            if (wentIdle && !conn.markBusy()) {
                throw new EOFException("the connection was closed while idle");
            }
        }
        if (b0 < 0) {
            throw new EOFException("the client closed the connection without a close frame");
        }
        in.readExactly(header, 0, 1);
        int b1 = header[0] & 0xFF;
        lastReceived = System.nanoTime();
        fin = (b0 & 0x80) != 0;
        int rsv = (b0 >> 4) & 7;
        opcode = b0 & 0x0F;
        boolean isControl = (opcode & 8) != 0;
        if ((rsv & 3) != 0) {
            throw new ProtocolFailure(CloseStatus.PROTOCOL_ERROR, "RSV2/RSV3 set: no extension defines them");
        }
        rsv1 = (rsv & 4) != 0;
        if (opcode != OP_CONT && opcode != OP_TEXT && opcode != OP_BINARY && opcode != OP_CLOSE && opcode != OP_PING
                && opcode != OP_PONG) {
            throw new ProtocolFailure(CloseStatus.PROTOCOL_ERROR, "unknown opcode " + opcode);
        }
        if (rsv1 && (deflate == null || isControl || opcode == OP_CONT)) {
            // RFC 7692 §6: RSV1 marks a compressed message, on its first frame only.
            throw new ProtocolFailure(CloseStatus.PROTOCOL_ERROR, deflate == null ? "RSV1 set without permessage-deflate"
                    : "RSV1 set on a " + (isControl ? "control" : "continuation") + " frame");
        }
        long len = b1 & 0x7F;
        if (isControl) {
            if (!fin) {
                throw new ProtocolFailure(CloseStatus.PROTOCOL_ERROR, "fragmented control frame"); // §5.5
            }
            if (len > 125) {
                throw new ProtocolFailure(CloseStatus.PROTOCOL_ERROR, "control frame over 125 bytes"); // §5.5
            }
        } else if (opcode == OP_CONT && !inMessage) {
            throw new ProtocolFailure(CloseStatus.PROTOCOL_ERROR, "continuation frame without a message to continue");
        } else if (opcode != OP_CONT && inMessage) {
            throw new ProtocolFailure(CloseStatus.PROTOCOL_ERROR, "new data message inside a fragmented one");
        }
        if ((b1 & 0x80) == 0) {
            throw new ProtocolFailure(CloseStatus.PROTOCOL_ERROR, "client frame not masked"); // §5.1
        }
        if (len == 126) {
            in.readExactly(header, 0, 2);
            len = ((header[0] & 0xFF) << 8) | (header[1] & 0xFF);
            if (len < 126) {
                throw new ProtocolFailure(CloseStatus.PROTOCOL_ERROR, "length not in its minimal form"); // §5.2
            }
        } else if (len == 127) {
            in.readExactly(header, 0, 8);
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | (header[i] & 0xFF);
            }
            if (len < 0) {
                throw new ProtocolFailure(CloseStatus.PROTOCOL_ERROR, "64-bit length with its most significant bit set");
            }
            if (len <= 0xFFFF) {
                throw new ProtocolFailure(CloseStatus.PROTOCOL_ERROR, "length not in its minimal form"); // §5.2
            }
        }
        if (!isControl && len > options.maxFrameBytes()) {
            throw new ProtocolFailure(CloseStatus.TOO_BIG, "frame of " + len + " bytes over maxFrameBytes");
        }
        in.readExactly(mask, 0, 4);
        length = len;
        if (!isControl) {
            remaining = len;
            maskPos = 0;
            inMessage = !fin;
        }
    }

    private void handleControl() throws IOException {
        int n = (int) length;
        in.readExactly(control, 0, n);
        for (int i = 0; i < n; i++) {
            control[i] ^= mask[i & 3];
        }
        switch (opcode) {
            case OP_PING -> {
                if (!closeSent) {
                    writeControl(OP_PONG, control, n); // §5.5.2, also between a message's fragments
                }
            }
            case OP_PONG -> {
                // §5.5.3: an answer to our ping, or unsolicited (a heartbeat); either way proof of life.
            }
            case OP_CLOSE -> onClose(n);
            default -> throw new IllegalStateException("opcode " + opcode);
        }
    }

    /** The client's close (§5.5.1): checked, echoed unless we closed first, then TCP closed (server first, §7.1.1). */
    private void onClose(int n) throws IOException {
        int code;
        String reason = "";
        if (n == 0) {
            code = CloseStatus.NO_STATUS;
        } else if (n == 1) {
            throw new ProtocolFailure(CloseStatus.PROTOCOL_ERROR, "close frame with a 1-byte payload");
        } else {
            code = ((control[0] & 0xFF) << 8) | (control[1] & 0xFF);
            if (!CloseCodes.allowedOnWire(code)) {
                throw new ProtocolFailure(CloseStatus.PROTOCOL_ERROR, "close code " + code + " may not be sent");
            }
            if (!Utf8Validator.valid(control, 2, n - 2)) {
                throw new ProtocolFailure(CloseStatus.INVALID_PAYLOAD, "close reason is not UTF-8");
            }
            reason = new String(control, 2, n - 2, StandardCharsets.UTF_8);
        }
        setStatus(new CloseStatus(code, reason));
        stateLock.lock();
        try {
            closeReceived = true;
            closedChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
        if (!closeSent) {
            sendCloseQuietly(code == CloseStatus.NO_STATUS ? -1 : code, ""); // echo the code (§5.5.1)
        }
        endConnection();
    }

    /** After our close: read (and drop) until the client's close, at most closeTimeout. Under readLock. */
    private void drainUntilClose() {
        if (ended || closeReceived) {
            return;
        }
        Duration wait = options.closeTimeout();
        if (wait.isZero()) {
            endConnection();
            return;
        }
        try {
            in.deadline(Instant.now().plus(wait));
            while (!ended && !closeReceived) {
                skip(remaining);
                remaining = 0;
                if (!nextDataFrame()) {
                    break;
                }
            }
        } catch (ProtocolFailure f) {
            LOG.debug("conn {}: while waiting for the close: {}", conn.id(), f.getMessage());
        } catch (IOException e) {
            LOG.debug("conn {}: no close from the client: {}", conn.id(), e.toString());
        } finally {
            endConnection();
        }
    }

    private void skip(long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(n, 8192)];
        while (n > 0) {
            int k = in.read(scratch, 0, (int) Math.min(n, scratch.length));
            if (k < 0) {
                throw new EOFException("the client closed the connection inside a frame");
            }
            n -= k;
        }
    }

    /** The client broke the protocol: close with the code (§7.1.7), do not wait for an answer. */
    private void fail(ProtocolFailure f) {
        LOG.debug("conn {}: failing the websocket: {} {}", conn.id(), f.code, f.getMessage());
        String reason = f.getMessage();
        if (reason.length() > 100) {
            reason = reason.substring(0, 100);
        }
        setStatus(new CloseStatus(f.code, reason));
        sendCloseQuietly(f.code, reason);
        endConnection();
    }

    /** The connection failed under us (reset, EOF, a server timeout): 1006 locally. */
    private void lost(IOException e) {
        if (ended) {
            return;
        }
        LOG.debug("conn {}: websocket connection lost: {}", conn.id(), e.toString());
        setStatus(new CloseStatus(CloseStatus.ABNORMAL, e instanceof ConnectionTimeoutException ? "timeout" : ""));
        if (e instanceof ConnectionTimeoutException) {
            sendCloseQuietly(CloseStatus.GOING_AWAY, "timeout"); // the output still works after a read timeout
        }
        endConnection();
    }

    /** A data message being read: plain or inflated, UTF-8-checked when text, bounded by {@code limit}. */
    private final class MessageIn extends InputStream {
        final boolean text;
        final boolean compressed;
        final long limit;
        final Utf8Validator utf8;
        long total;
        boolean done;
        boolean failed;
        boolean tailFed;
        boolean inflaterFinished;
        byte[] raw;

        MessageIn(boolean text, boolean compressed, long limit) {
            this.text = text;
            this.compressed = compressed;
            this.limit = limit;
            this.utf8 = text ? new Utf8Validator() : null;
            if (compressed) {
                raw = new byte[(int) Math.min(8192, Math.max(length, 16))];
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            readLock.lock();
            try {
                if (done) {
                    return -1;
                }
                if (failed || ended) {
                    failed = true;
                    throw new IOException("the websocket session is closed: " + status);
                }
                if (len == 0) {
                    return 0;
                }
                return compressed ? readInflated(b, off, len) : readPlain(b, off, len);
            } catch (ProtocolFailure f) {
                failed = true;
                fail(f);
                throw new IOException("websocket closed " + f.code + ": " + f.getMessage(), f);
            } catch (IOException e) {
                if (!failed) {
                    failed = true;
                    lost(e);
                }
                throw e;
            } finally {
                readLock.unlock();
            }
        }

        private int readPlain(byte[] b, int off, int len) throws IOException {
            while (remaining == 0) {
                if (!inMessage) {
                    end();
                    return -1;
                }
                nextFrame();
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("the client closed the connection inside a frame");
            }
            unmask(b, off, n);
            remaining -= n;
            account(b, off, n);
            return n;
        }

        private int readInflated(byte[] b, int off, int len) throws IOException {
            while (true) {
                if (inflaterFinished || inflater.needsInput()) {
                    if (remaining > 0) {
                        int k = in.read(raw, 0, (int) Math.min(raw.length, remaining));
                        if (k < 0) {
                            throw new EOFException("the client closed the connection inside a frame");
                        }
                        unmask(raw, 0, k);
                        remaining -= k;
                        if (!inflaterFinished) {
                            inflater.setInput(raw, 0, k);
                        }
                        continue;
                    } else if (inMessage) {
                        nextFrame();
                        continue;
                    } else if (!tailFed && !inflaterFinished) {
                        inflater.setInput(PerMessageDeflate.TAIL); // §7.2.2: put the stripped tail back
                        tailFed = true;
                    } else {
                        end();
                        return -1;
                    }
                }
                int n;
                try {
                    n = inflater.inflate(b, off, len);
                } catch (DataFormatException e) {
                    throw new ProtocolFailure(CloseStatus.INVALID_PAYLOAD, "compressed data does not inflate");
                }
                if (n > 0) {
                    account(b, off, n);
                    return n;
                }
                if (inflater.finished()) {
                    // A final deflate block (BFINAL): what follows in this message cannot be inflated; drop it.
                    inflaterFinished = true;
                } else if (inflater.needsDictionary()) {
                    throw new ProtocolFailure(CloseStatus.INVALID_PAYLOAD, "compressed data asks for a dictionary");
                }
            }
        }

        private void nextFrame() throws IOException {
            if (!nextDataFrame()) {
                throw new EOFException("the session closed inside a message");
            }
            if (!compressed && total + length > limit) {
                throw new ProtocolFailure(CloseStatus.TOO_BIG, "message over " + limit + " bytes");
            }
        }

        private void unmask(byte[] b, int off, int n) {
            int p = maskPos;
            for (int i = off, end = off + n; i < end; i++) {
                b[i] ^= mask[p];
                p = (p + 1) & 3;
            }
            maskPos = p;
        }

        private void account(byte[] b, int off, int n) throws ProtocolFailure {
            total += n;
            if (total > limit) {
                throw new ProtocolFailure(CloseStatus.TOO_BIG, "message over " + limit + " bytes");
            }
            if (text && !utf8.feed(b, off, n)) {
                throw new ProtocolFailure(CloseStatus.INVALID_PAYLOAD, "text is not UTF-8");
            }
        }

        private void end() throws ProtocolFailure {
            done = true;
            messagesIn++;
            if (compressed && (inflaterFinished || deflate.clientNoContextTakeover)) {
                inflater.reset();
            }
            if (text && !utf8.complete()) {
                throw new ProtocolFailure(CloseStatus.INVALID_PAYLOAD, "text ends inside a UTF-8 sequence");
            }
        }

        void skipRest() throws IOException {
            byte[] scratch = new byte[8192];
            while (read(scratch, 0, scratch.length) >= 0) {
                // dropped: the endpoint did not want the rest
            }
        }
    }

    private static final class Incoming implements IncomingMessage {
        private final MessageIn in;
        private Reader reader;

        Incoming(MessageIn in) {
            this.in = in;
        }

        @Override
        public boolean isText() {
            return in.text;
        }

        @Override
        public InputStream inputStream() {
            return in;
        }

        @Override
        public Reader reader() {
            if (reader == null) {
                reader = new InputStreamReader(in, StandardCharsets.UTF_8);
            }
            return reader;
        }
    }

    // ---- sending -------------------------------------------------------------------------------

    @Override
    public void send(String text) throws IOException {
        sendMessage(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void send(byte[] bytes) throws IOException {
        sendMessage(OP_BINARY, bytes);
    }

    private void sendMessage(int op, byte[] payload) throws IOException {
        lockMessage();
        try {
            if (closeSent || ended) {
                // Checked before compressing too: the deflater is released when the session ends.
                throw new IOException("the websocket session is closed");
            }
            if (compressor != null) {
                try {
                    compressor.write(payload, 0, payload.length);
                    compressor.finish();
                    writeFrame(0x80 | 0x40 | op, compressor.buf, 0, compressor.count);
                } finally {
                    compressor.count = 0;
                }
            } else {
                writeFrame(0x80 | op, payload, 0, payload.length);
            }
        } finally {
            messageLock.unlock();
        }
    }

    @Override
    public OutputStream sendStream() throws IOException {
        return new MessageOut(OP_BINARY);
    }

    @Override
    public Writer sendTextStream() throws IOException {
        return new OutputStreamWriter(new MessageOut(OP_TEXT), StandardCharsets.UTF_8);
    }

    /**
     * Takes the message lock, giving up once the session ended: a streamed message its thread
     * never closed keeps the lock for good, and the other senders must not wait for it forever.
     */
    private void lockMessage() throws IOException {
        try {
            while (!messageLock.tryLock(100, TimeUnit.MILLISECONDS)) {
                if (ended) {
                    throw new IOException("the websocket session is closed");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting to send");
        }
    }

    /** A message sent in fragments; holds messageLock from creation to close. */
    private final class MessageOut extends OutputStream {
        private final int op;
        private final int fragment = options.fragmentBytes();
        private final byte[] buf;
        private int count;
        private boolean first = true;
        private boolean closed;

        MessageOut(int op) throws IOException {
            this.op = op;
            lockMessage();
            if (!isOpen()) {
                messageLock.unlock();
                throw new IOException("the websocket session is closed");
            }
            buf = compressor == null ? new byte[fragment] : null;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("message stream closed");
            }
            if (compressor != null) {
                compressor.write(b, off, len);
                while (compressor.ready() >= fragment) {
                    emit(compressor.buf, fragment, false);
                    compressor.consumed(fragment);
                }
                return;
            }
            while (len > 0) {
                int k = Math.min(len, fragment - count);
                System.arraycopy(b, off, buf, count, k);
                count += k;
                off += k;
                len -= k;
                if (count == fragment) {
                    emit(buf, count, false);
                    count = 0;
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (compressor != null) {
                    compressor.finish();
                    emit(compressor.buf, compressor.count, true);
                } else {
                    emit(buf, count, true);
                }
            } finally {
                if (compressor != null) {
                    compressor.count = 0;
                }
                messageLock.unlock();
            }
        }

        private void emit(byte[] b, int n, boolean last) throws IOException {
            int b0 = (last ? 0x80 : 0) | (first ? op | (compressor != null ? 0x40 : 0) : OP_CONT);
            first = false;
            writeFrame(b0, b, 0, n);
        }
    }

    @Override
    public void ping(byte[] data) throws IOException {
        if (data.length > 125) {
            throw new IllegalArgumentException("a ping carries at most 125 bytes (RFC 6455 §5.5)");
        }
        writeControl(OP_PING, data.clone(), data.length);
    }

    @Override
    public void close(int code, String reason) {
        if (!CloseCodes.allowedOnWire(code)) {
            throw new IllegalArgumentException("close code " + code + " may not be sent (RFC 6455 §7.4)");
        }
        if (reason.getBytes(StandardCharsets.UTF_8).length > 123) {
            throw new IllegalArgumentException("a close reason is at most 123 bytes of UTF-8 (RFC 6455 §5.5)");
        }
        if (sendCloseQuietly(code, reason)) {
            awaitPeerClose();
        }
    }

    /**
     * After our close: wait for the client's, at most closeTimeout, then close TCP. Reads it
     * ourselves if nobody else is reading; otherwise waits for the reader to see it.
     */
    private void awaitPeerClose() {
        if (listener != null) {
            if (Thread.currentThread() == loopThread) {
                return; // a callback closed: the loop reads the client's close once it returns
            }
            // The loop's thread is the reader (a hibernated one was woken by the close's write).
            awaitCloseSeen();
            return;
        }
        if (readLock.tryLock()) {
            try {
                drainUntilClose();
            } finally {
                readLock.unlock();
            }
            return;
        }
        awaitCloseSeen();
    }

    /** Waits for the reader to see the client's close, at most closeTimeout, then closes TCP. */
    private void awaitCloseSeen() {
        long left = options.closeTimeout().toNanos();
        stateLock.lock();
        try {
            while (!closeReceived && !ended && left > 0) {
                left = closedChanged.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stateLock.unlock();
        }
        endConnection();
    }

    /** Sends a close frame once; code -1 for an empty payload. False if one was already sent (or the connection is gone). */
    private boolean sendCloseQuietly(int code, String reason) {
        frameLock.lock();
        try {
            if (closeSent || ended) {
                return false;
            }
            closeSent = true;
            byte[] payload;
            if (code < 0) {
                payload = new byte[0];
            } else {
                byte[] r = reason.getBytes(StandardCharsets.UTF_8);
                payload = new byte[2 + r.length];
                payload[0] = (byte) (code >> 8);
                payload[1] = (byte) code;
                System.arraycopy(r, 0, payload, 2, r.length);
                setStatus(new CloseStatus(code, reason));
            }
            writeFrameLocked(0x80 | OP_CLOSE, payload, 0, payload.length);
            return true;
        } catch (IOException e) {
            LOG.debug("conn {}: sending the close failed: {}", conn.id(), e.toString());
            endConnection();
            return false;
        } finally {
            frameLock.unlock();
        }
    }

    private void writeControl(int op, byte[] payload, int len) throws IOException {
        frameLock.lock();
        try {
            if (closeSent || ended) {
                throw new IOException("the websocket session is closed");
            }
            writeFrameLocked(0x80 | op, payload, 0, len);
        } finally {
            frameLock.unlock();
        }
    }

    private void writeFrame(int b0, byte[] payload, int off, int len) throws IOException {
        frameLock.lock();
        try {
            if (closeSent || ended) {
                throw new IOException("the websocket session is closed");
            }
            writeFrameLocked(b0, payload, off, len);
        } finally {
            frameLock.unlock();
        }
    }

    /** One frame, unmasked (§5.1: a server never masks), its length in the minimal form (§5.2). */
    private void writeFrameLocked(int b0, byte[] payload, int off, int len) throws IOException {
        byte[] h = new byte[10];
        int n;
        h[0] = (byte) b0;
        if (len <= 125) {
            h[1] = (byte) len;
            n = 2;
        } else if (len <= 0xFFFF) {
            h[1] = 126;
            h[2] = (byte) (len >> 8);
            h[3] = (byte) len;
            n = 4;
        } else {
            h[1] = 127;
            long l = len;
            for (int i = 0; i < 8; i++) {
                h[2 + i] = (byte) (l >> (56 - 8 * i));
            }
            n = 10;
        }
        boolean held = false;
        try {
            // Wakes a hibernated connection; the stream is a new one after a hibernation, so it is
            // taken each time. Held, the output buffer is this thread's (see runSession).
            if (!conn.acquireWriter()) {
                throw new java.net.SocketException("the websocket connection is closed");
            }
            held = true;
            SocketOutput o = conn.out();
            o.write(h, 0, n);
            o.write(payload, off, len);
            o.flush();
            if ((b0 & 0x08) == 0) { // a data frame (text, binary, continuation), not a control one
                bytesOut += len;
                if ((b0 & 0x80) != 0) {
                    messagesOut++; // FIN: the message's last frame
                }
            }
        } catch (IOException e) {
            setStatus(new CloseStatus(CloseStatus.ABNORMAL, ""));
            endConnection();
            throw e;
        } finally {
            if (held) {
                conn.releaseWriter();
            }
        }
    }

    // ---- state -------------------------------------------------------------------------------

    private void setStatus(CloseStatus s) {
        stateLock.lock();
        try {
            if (status == null) {
                status = s;
            }
        } finally {
            stateLock.unlock();
        }
    }

    /** Closes TCP; the session is over. Any thread, any number of times. */
    private void endConnection() {
        stateLock.lock();
        try {
            if (status == null) {
                status = new CloseStatus(CloseStatus.ABNORMAL, "");
            }
            ended = true;
            closedChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
        conn.close();
    }

    @Override
    public boolean isOpen() {
        return !closeSent && !closeReceived && !ended;
    }

    @Override
    public CloseStatus closeStatus() {
        return isOpen() ? null : status;
    }

    @Override
    public String subprotocol() {
        return info.subprotocol();
    }

    @Override
    public boolean compressed() {
        return deflate != null;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return info.remote();
    }

    @Override
    public String path() {
        return info.path();
    }

    @Override
    public String rawQuery() {
        return info.rawQuery();
    }

    @Override
    public String queryParam(String name) {
        List<String> v = info.query().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public Map<String, List<String>> queryParams() {
        return info.query();
    }

    @Override
    public String header(String name) {
        List<String> v = info.headers().get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public Map<String, List<String>> headers() {
        return info.headers();
    }

    @Override
    public long connectionId() {
        return info.connectionId();
    }

    @Override
    public String toString() {
        return "WebSocketSession[conn " + conn.id() + " " + info.path() + (isOpen() ? " open" : " " + status) + "]";
    }
}
