package dev.weft.core.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The accept loop, on one platform thread. maxConnections is a semaphore of connection slots.
 * At the limit the loop accepts one more newcomer and holds it unserved while it makes room:
 * it closes the longest-idle connection (see {@link Engine#evictLongestIdle}); with every
 * connection busy it waits for a slot, and the kernel backlog queues the rest. Accept errors (EMFILE and
 * the like) never end the loop: logged at most once a second, then a short back-off. A closed
 * listener ends it.
 *
 * <p>An {@code Error} thrown while accepting or launching a connection is one of two kinds:
 * <ul>
 *   <li>a {@link VirtualMachineError} (out of memory, stack overflow, an internal error): the JVM
 *       itself is failing, and retrying would leave a listener that looks alive while nothing is
 *       served. So the acceptor closes the listener (newcomers are refused instead of hanging in
 *       the backlog), logs ERROR, and shuts the server down gracefully with its shutdownGrace;
 *       {@code awaitTermination} then throws, so a {@code main} waiting on it ends and a
 *       supervisor can restart the process;</li>
 *   <li>any other {@code Error} (an assertion, a linkage error from a lazily loaded class): one
 *       connection could not be set up. Logged at ERROR (rate-limited like accept errors), then
 *       the same back-off, and accepting goes on: the server keeps serving what it can.</li>
 * </ul>
 */
final class Acceptor implements Runnable {

    /** Long enough for a connection to end and free a descriptor, short enough not to be noticed. */
    private static final long BACKOFF_MILLIS = 75;
    private static final long LOG_EVERY_NANOS = 1_000_000_000L;
    /** At the limit with every connection busy: how often to look again for one gone idle. */
    private static final long ROOM_RECHECK_MILLIS = 50;

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
        } catch (VirtualMachineError e) {
            engine.acceptorFailed(e);
        } finally {
            Engine.LOG.debug("acceptor on port {} ended", engine.port());
        }
    }

    private void loop() throws InterruptedException {
        while (listener.isOpen()) {
            if (engine.stopAcceptingRequested()) {
                acceptQueuedAndClose();
                return;
            }
            // At the limit, accept anyway (the newcomer leaves the backlog but is not served yet):
            // only a newcomer actually waiting is worth closing an idle connection for.
            boolean permit = permits.tryAcquire();
            if (!permit) {
                engine.counters().waitedAtLimit.increment();
            }
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (ClosedChannelException e) {
                if (permit) {
                    permits.release();
                }
                return;
            } catch (VirtualMachineError e) {
                if (permit) {
                    permits.release();
                }
                throw e;
            } catch (IOException | RuntimeException | Error e) {
                if (permit) {
                    permits.release();
                }
                if (!listener.isOpen()) {
                    return;
                }
                logRateLimited(e);
                Thread.sleep(BACKOFF_MILLIS);
                continue;
            }
            if (!permit) {
                try {
                    awaitRoom();
                } catch (InterruptedException | RuntimeException | Error e) {
                    closeQuietly(ch); // shutdown: the kernel would have reset it in the backlog too
                    throw e;
                }
            }
            boolean launched = false;
            try {
                launched = engine.launch(ch);
            } catch (VirtualMachineError e) {
                throw e; // launch closed the channel and gave back the registry entry
            } catch (RuntimeException | Error e) {
                logRateLimited(e);
                Thread.sleep(BACKOFF_MILLIS);
            } finally {
                if (!launched) {
                    permits.release();
                }
            }
        }
    }

    /**
     * A newcomer is accepted at maxConnections: close the longest-idle connection to make room
     * (busy ones are never closed), and wait for a permit. One eviction at a time: another only
     * once the evicted connection's thread has ended and still no permit came (a busy one took
     * it), so one newcomer never empties the server of idle connections.
     */
    private void awaitRoom() throws InterruptedException {
        ConnectionImpl evicted = null;
        while (true) {
            if (!engine.isClosing() && (evicted == null || !evicted.thread().isAlive())) {
                evicted = engine.evictLongestIdle();
            }
            if (permits.tryAcquire(ROOM_RECHECK_MILLIS, TimeUnit.MILLISECONDS)) {
                return;
            }
        }
    }

    /**
     * The end of a drain delay: accept every connection the kernel has already queued (each is
     * served its first request, answered with Connection: close), then close the listener from
     * this thread, so that only a connection arriving between the last accept and the close is
     * reset by the kernel, not the whole queue. Bounded: a flood cannot keep it going.
     */
    private void acceptQueuedAndClose() {
        int accepted = 0;
        try {
            listener.configureBlocking(false);
            for (int i = 0; i < 2 * engine.config().backlog(); i++) {
                SocketChannel ch = listener.accept();
                if (ch == null) {
                    break;
                }
                if (!permits.tryAcquire()) {
                    closeQuietly(ch); // at maxConnections while leaving: what the kernel's close would do
                    continue;
                }
                boolean launched = false;
                try {
                    launched = engine.launch(ch);
                    accepted++;
                } finally {
                    if (!launched) {
                        permits.release();
                    }
                }
            }
        } catch (Throwable e) {
            // Not rethrown: the shutdown in progress waits for this thread (acceptorFailed would wait for it in turn).
            Engine.LOG.debug("accepting the queue before closing port {}: {}", engine.port(), e.toString());
        } finally {
            try {
                listener.close();
            } catch (IOException | RuntimeException ignored) {
                // Closing is all that was wanted; a failure leaves it closed.
            }
            Engine.LOG.debug("port {}: {} queued connections accepted before the listener closed", engine.port(), accepted);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Nothing more to free.
        }
    }

    private void logRateLimited(Throwable e) {
        long now = System.nanoTime();
        if (lastLog == 0 || now - lastLog >= LOG_EVERY_NANOS) {
            String more = suppressed > 0 ? " (" + suppressed + " more failures since the last report)" : "";
            if (e instanceof Error) {
                // Not an everyday failure like EMFILE: the stack trace says where it came from.
                Engine.LOG.error("accepting on port {} failed{}; retrying in {} ms", engine.port(), more, BACKOFF_MILLIS, e);
            } else {
                Engine.LOG.warn("accept on port {} failed{}; retrying in {} ms: {}",
                        engine.port(), more, BACKOFF_MILLIS, e.toString());
            }
            lastLog = now;
            suppressed = 0;
        } else {
            suppressed++;
        }
    }
}
