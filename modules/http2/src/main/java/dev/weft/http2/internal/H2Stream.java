package dev.weft.http2.internal;

import dev.weft.http.Headers;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One stream: the request body as it arrives (bounded by the window this server granted, so
 * the reader never blocks on a handler), and the send window its response writes wait on
 * (guarded by the connection's flow lock).
 */
final class H2Stream {

    final int id;
    final H2Connection c;

    // Receive side, under lock: the reader appends, the handler takes.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    /** Body chunks not yet read; made with the first DATA (most requests have none). */
    private ArrayDeque<byte[]> chunks;
    private int chunkPos;
    /** END_STREAM received: the request is complete. */
    boolean remoteClosed;
    /** DATA payload received so far, padding not counted (the content-length check). */
    long received;
    long declaredLength = -1;
    /** What the client may still send on this stream before we grant more. */
    int recvWindow;
    private int consumedUngranted;
    private IOException readFailure;
    Headers trailers;

    /** Send side, under the connection's flow lock. */
    long sendWindow;
    /** RST_STREAM sent or received: no more frames either way. */
    volatile boolean reset;
    volatile int resetCode = -1;
    /** END_STREAM sent. */
    volatile boolean localClosed;
    /** True while the stream counts against SETTINGS_MAX_CONCURRENT_STREAMS (H2Connection#leaveConcurrency). */
    volatile boolean counted;
    /** The handler thread has ended (the stream no longer counts against the concurrency bound). */
    volatile boolean done;

    H2Stream(H2Connection c, int id, int recvWindow, long sendWindow) {
        this.c = c;
        this.id = id;
        this.recvWindow = recvWindow;
        this.sendWindow = sendWindow;
    }

    /**
     * The reader: DATA for this stream ({@code flowLength} counts padding too, §6.9.1).
     *
     * @throws H2Error a stream error: over the window, or more than content-length
     */
    void data(byte[] payload, int off, int len, int flowLength, boolean end) throws H2Error {
        int grantPadding;
        lock.lock();
        try {
            if (flowLength > recvWindow) {
                throw H2Error.stream(id, H2Error.FLOW_CONTROL_ERROR, "DATA of " + flowLength + " bytes over the stream window of " + recvWindow);
            }
            recvWindow -= flowLength;
            grantPadding = flowLength - len;
            received += len;
            if (declaredLength >= 0 && (received > declaredLength || (end && received != declaredLength))) {
                throw H2Error.stream(id, H2Error.PROTOCOL_ERROR, "DATA of " + received + " bytes disagrees with content-length "
                        + declaredLength + " (RFC 9113 §8.1.1)");
            }
            if (len > 0) {
                if (chunks == null) {
                    chunks = new ArrayDeque<>();
                }
                chunks.add(off == 0 && len == payload.length ? payload : java.util.Arrays.copyOfRange(payload, off, off + len));
            }
            if (end) {
                remoteClosed = true;
            }
            if (grantPadding > 0) {
                recvWindow += grantPadding;
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        if (grantPadding > 0 && !end) {
            c.windowUpdateQuietly(id, grantPadding); // padding is never read by the handler: give it back now
        }
    }

    /** END_STREAM on trailers. */
    void endWithTrailers(Headers t) throws H2Error {
        lock.lock();
        try {
            if (declaredLength >= 0 && received != declaredLength) {
                throw H2Error.stream(id, H2Error.PROTOCOL_ERROR, "DATA of " + received + " bytes disagrees with content-length "
                        + declaredLength + " (RFC 9113 §8.1.1)");
            }
            trailers = t;
            remoteClosed = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The stream ended abnormally: a blocked body read fails with {@code e}. */
    void fail(IOException e) {
        lock.lock();
        try {
            if (readFailure == null) {
                readFailure = e;
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** DATA payload bytes received (the request body off the wire). */
    long received() {
        lock.lock();
        try {
            return received;
        } finally {
            lock.unlock();
        }
    }

    boolean remoteClosed() {
        lock.lock();
        try {
            return remoteClosed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The handler reads body bytes; consumed bytes are granted back to the client once half a
     * window collects, so a handler that reads slowly slows only its own stream.
     *
     * @param deadlineNanos System.nanoTime() bound, or 0 for none
     * @return bytes read, or -1 at the end of the body
     */
    int read(byte[] b, int off, int len, long deadlineNanos) throws IOException {
        int n;
        int grant = 0;
        lock.lock();
        try {
            while (chunks == null || chunks.isEmpty()) {
                if (readFailure != null) {
                    throw readFailure;
                }
                if (remoteClosed) {
                    return -1;
                }
                try {
                    if (deadlineNanos == 0) {
                        arrived.await();
                    } else {
                        long left = deadlineNanos - System.nanoTime();
                        if (left <= 0) {
                            throw new BodyTimeoutException();
                        }
                        arrived.await(left, TimeUnit.NANOSECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading the request body");
                }
            }
            byte[] head = chunks.peek();
            n = Math.min(len, head.length - chunkPos);
            System.arraycopy(head, chunkPos, b, off, n);
            chunkPos += n;
            if (chunkPos == head.length) {
                chunks.poll();
                chunkPos = 0;
            }
            consumedUngranted += n;
            if (!remoteClosed && consumedUngranted >= c.options.initialWindowSize() / 2) {
                grant = consumedUngranted;
                consumedUngranted = 0;
                recvWindow += grant;
            }
        } finally {
            lock.unlock();
        }
        if (grant > 0) {
            c.windowUpdate(id, grant);
        }
        return n;
    }

    /** The body's bound in time passed. */
    static final class BodyTimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTimeoutException() {
            super("request body not received within bodyTimeout");
        }
    }
}
