package dev.weft.http2.internal;

import dev.weft.http.EventStream;
import dev.weft.http.ServerSentEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Server-Sent Events on one HTTP/2 stream: each event is DATA, flushed; a graceful shutdown ends
 * the stream cleanly. No heartbeat comments of
 * its own: the connection's PINGs keep an h2 connection alive (see docs/http2.md).
 */
final class H2EventStream implements EventStream {

    private final H2Connection c;
    private final H2Stream s;
    private final OutputStream out;
    private final String lastEventId;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean open = true;

    /** Ended cleanly (END_STREAM) because a graceful shutdown began: the handler's end is quiet. */
    volatile boolean endedByShutdown;

    H2EventStream(H2Connection c, H2Stream s, OutputStream out, String lastEventId) {
        this.c = c;
        this.s = s;
        this.out = out;
        this.lastEventId = lastEventId;
    }

    @Override
    public void send(ServerSentEvent event) throws IOException {
        write(event.wireFormat());
    }

    @Override
    public void send(String data) throws IOException {
        send(ServerSentEvent.of(data));
    }

    @Override
    public void comment(String text) throws IOException {
        if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("comment holds a line break");
        }
        write(": " + text + "\n\n");
    }

    private void write(String s) throws IOException {
        lock.lock();
        try {
            if (!open) {
                throw new IOException(endedByShutdown ? "event stream ended: the server is shutting down" : "event stream ended");
            }
            try {
                out.write(s.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
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

    void stop() {
        open = false;
        c.eventStreams.remove(this);
    }

    /** Graceful shutdown began: the stream ends cleanly now (as over HTTP/1.1), and later sends fail. */
    void endForShutdown() {
        lock.lock();
        try {
            if (!open) {
                return;
            }
            open = false;
            endedByShutdown = true;
            try {
                c.writeData(s, new byte[0], 0, 0, true);
            } catch (IOException e) {
                H2Connection.LOG.debug("conn {}: stream {}: event stream end not sent: {}", c.conn.id(), s.id, e.toString());
            }
        } finally {
            lock.unlock();
        }
    }
}
