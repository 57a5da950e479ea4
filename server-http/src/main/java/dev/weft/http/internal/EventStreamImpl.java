package dev.weft.http.internal;

import dev.weft.http.EventStream;
import dev.weft.http.ServerSentEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link EventStream} over a response's chunked body. Other threads than the handler's may
 * write: a small virtual thread of the stream's own (heartbeats), and one started by the
 * connection's drain action (the clean end when a graceful shutdown begins), so every write
 * holds {@link #lock}. They live exactly as long as the stream: {@link #stop()}, called by the
 * connection when the handler returned, ends them before the message is finished.
 */
final class EventStreamImpl implements EventStream, Runnable {

    private static final byte[] HEARTBEAT = {':', '\n', '\n'};

    private final HttpConnection c;
    private final ResponseBody body;
    private final String lastEventId;
    private final long heartbeatNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private Thread heartbeat;
    private volatile long lastWrite = System.nanoTime();
    private volatile boolean open = true;
    /** The stream was ended cleanly because the server began to drain. */
    volatile boolean endedByShutdown;
    private IOException failure;

    EventStreamImpl(HttpConnection c, ResponseImpl res, String lastEventId, long heartbeatNanos) throws IOException {
        this.c = c;
        this.lastEventId = lastEventId;
        this.heartbeatNanos = heartbeatNanos;
        res.contentType("text/event-stream; charset=utf-8");
        res.header("Cache-Control", "no-cache");
        res.header("X-Accel-Buffering", "no"); // nginx: pass each event on, do not buffer the stream
        this.body = (ResponseBody) res.outputStream();
        body.ownBuffer();
        body.flush(); // the head goes now: the client sees the stream open before the first event
        if (heartbeatNanos > 0) {
            heartbeat = Thread.ofVirtual().name("weft-sse-" + c.conn.id()).start(this);
        }
        // Not on the shutdown thread itself: a client that does not read must not hold up the drain.
        c.conn.onDraining(() -> Thread.ofVirtual().name("weft-sse-end-" + c.conn.id()).start(this::endForShutdown));
    }

    /** The server began to drain: end the chunked body after the last whole event, so the client sees a complete stream. */
    private void endForShutdown() {
        lock.lock();
        try {
            if (!open) {
                return;
            }
            endedByShutdown = true;
            open = false;
            body.finish();
            c.out.flush();
        } catch (IOException e) {
            failure = e;
        } finally {
            lock.unlock();
        }
        Thread t = heartbeat;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void send(ServerSentEvent event) throws IOException {
        write(event.wireFormat().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void send(String data) throws IOException {
        send(ServerSentEvent.of(data));
    }

    @Override
    public void comment(String text) throws IOException {
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\r' || ch == '\n') {
                throw new IllegalArgumentException("comment holds a line break at " + i);
            }
        }
        write((": " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    private void write(byte[] bytes) throws IOException {
        lock.lock();
        try {
            if (!open) {
                throw failure != null ? failure
                        : new IOException(endedByShutdown ? "event stream ended: the server is shutting down"
                                : "event stream ended: the handler returned");
            }
            try {
                body.write(bytes, 0, bytes.length);
                body.flush();
                lastWrite = System.nanoTime();
            } catch (IOException e) {
                failure = e;
                open = false;
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String lastEventId() {
        return lastEventId;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Heartbeats while the handler is quiet. */
    @Override
    public void run() {
        while (open) {
            long wait = heartbeatNanos - (System.nanoTime() - lastWrite);
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
            }
            lock.lock();
            try {
                if (!open) {
                    return;
                }
                if (System.nanoTime() - lastWrite >= heartbeatNanos) {
                    body.write(HEARTBEAT, 0, HEARTBEAT.length);
                    body.flush();
                    lastWrite = System.nanoTime();
                }
            } catch (IOException e) {
                failure = e;
                open = false;
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /** The handler returned (or failed): no more writes from the heartbeat thread. Waits for it to end. */
    void stop() {
        lock.lock();
        try {
            open = false;
        } finally {
            lock.unlock();
        }
        Thread t = heartbeat;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
