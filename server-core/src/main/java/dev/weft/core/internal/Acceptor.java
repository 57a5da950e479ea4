package dev.weft.core.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Semaphore;

/**
 * The accept loop, on one platform thread. maxConnections is a semaphore taken BEFORE accept:
 * at the limit the loop waits and the kernel backlog queues newcomers. Accept errors (EMFILE and
 * the like) never end the loop: logged at most once a second, then a short back-off. Only a
 * closed listener ends it.
 */
final class Acceptor implements Runnable {

    /** Long enough for a connection to end and free a descriptor, short enough not to be noticed. */
    private static final long BACKOFF_MILLIS = 75;
    private static final long LOG_EVERY_NANOS = 1_000_000_000L;

    private final Engine engine;
    private final ServerSocketChannel listener;
    private final Semaphore permits;
    private long lastLog;
    private long suppressed;

    Acceptor(Engine engine, ServerSocketChannel listener, Semaphore permits) {
        this.engine = engine;
        this.listener = listener;
        this.permits = permits;
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (InterruptedException e) {
            // Shutdown interrupts a wait at the limit; the listener is closed by then.
        } finally {
            Engine.LOG.debug("acceptor on port {} ended", engine.port());
        }
    }

    private void loop() throws InterruptedException {
        while (listener.isOpen()) {
            if (!permits.tryAcquire()) {
                engine.counters().waitedAtLimit.increment();
                permits.acquire();
            }
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (ClosedChannelException e) {
                permits.release();
                return;
            } catch (IOException | RuntimeException e) {
                permits.release();
                if (!listener.isOpen()) {
                    return;
                }
                logRateLimited(e);
                Thread.sleep(BACKOFF_MILLIS);
                continue;
            }
            if (!engine.launch(ch)) {
                permits.release();
            }
        }
    }

    private void logRateLimited(Exception e) {
        long now = System.nanoTime();
        if (lastLog == 0 || now - lastLog >= LOG_EVERY_NANOS) {
            if (suppressed > 0) {
                Engine.LOG.warn("accept on port {} failed ({} more failures since the last report); retrying in {} ms: {}",
                        engine.port(), suppressed, BACKOFF_MILLIS, e.toString());
            } else {
                Engine.LOG.warn("accept on port {} failed; retrying in {} ms: {}", engine.port(), BACKOFF_MILLIS, e.toString());
            }
            lastLog = now;
            suppressed = 0;
        } else {
            suppressed++;
        }
    }
}
