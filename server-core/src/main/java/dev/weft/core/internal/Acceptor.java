package dev.weft.core.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Semaphore;

/**
 * The accept loop, on one platform thread. maxConnections is a semaphore taken BEFORE accept:
 * at the limit the loop waits and the kernel backlog queues newcomers. Accept errors (EMFILE and
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
            } catch (VirtualMachineError e) {
                permits.release();
                throw e;
            } catch (IOException | RuntimeException | Error e) {
                permits.release();
                if (!listener.isOpen()) {
                    return;
                }
                logRateLimited(e);
                Thread.sleep(BACKOFF_MILLIS);
                continue;
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
