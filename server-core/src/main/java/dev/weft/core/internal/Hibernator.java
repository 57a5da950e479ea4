package dev.weft.core.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where hibernated connections wait (see {@link dev.weft.core.Connection#awaitIdle}): one
 * selector and one platform thread per server, started by the first idle wait that may hibernate, that wakes a
 * connection when its socket becomes readable and starts a fresh virtual thread for it
 * ({@link ConnectionImpl#resumeFromPoller()}).
 *
 * <p>A platform thread, not a virtual one: {@code Selector.select} blocks in {@code epoll_wait},
 * which on a virtual thread would hold its carrier for the whole wait (on JDK 21 it also pins in
 * the selector's monitor), taking a carrier from the connections for as long as any sleeps.
 *
 * <p>The poller does no timing: the watchdog, which scans every connection anyway, enforces the
 * idle timeout of a hibernated one ({@link ConnectionImpl#checkGuard}). A connection closed while
 * hibernated (by shutdown, eviction, the idle timeout) is ended by the closing thread; the
 * selector is only woken so that it deregisters the key, which is when the JDK really closes the
 * descriptor of a channel that was registered.
 *
 * <p>A writer from another thread ({@link ConnectionImpl#acquireWriter}) wakes a hibernated
 * connection through {@link #wake}: the poller takes it as if it were readable. Writers and
 * shutdown wait for a hibernated connection to change (woken or ended) on one condition per
 * server, signalled only while someone waits.
 */
final class Hibernator implements Runnable {

    /**
     * What a hibernated connection names as its thread: already ended, so joining it returns at
     * once and it is never alive. The ended thread itself is not kept (it would keep its stack).
     */
    static Thread noThread() {
        return NoThread.ENDED;
    }

    /** A holder, so that the thread is made on the first hibernation, not when a server starts. */
    private static final class NoThread {
        static final Thread ENDED = endedThread();

        /** Started and ended: {@code Thread.join(Duration)} refuses a thread never started. */
        private static Thread endedThread() {
            // Not a lambda: its body would be a method of this class, which the thread would have
            // to wait to see initialized, while the initializer waits for the thread. A platform
            // thread: this runs on a virtual one, which waiting inside a class initializer pins
            // (JDK 21), and with one carrier a virtual thread started here could never run.
            Thread t = Thread.ofPlatform().daemon().name("weft-hibernated").start(new Nothing());
            boolean interrupted = false;
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return t;
        }
    }

    private static final class Nothing implements Runnable {
        @Override
        public void run() {
            // The placeholder thread has nothing to do.
        }
    }

    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final Engine engine;
    private final long afterNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Selector selector;
    private Thread thread;
    private volatile boolean stopped;
    /** The selector could not be opened: connections wait with their threads (logged once). */
    private volatile boolean unavailable;
    private long loggedAt;
    private boolean logged;
    /** Connections a writer wants awake; taken by the poller's loop. */
    private final ConcurrentLinkedQueue<ConnectionImpl> wakeups = new ConcurrentLinkedQueue<>();
    private final ReentrantLock changeLock = new ReentrantLock();
    private final Condition change = changeLock.newCondition();
    /** Threads in {@link #awaitChange}: a wake-up or an end signals only if there are any. */
    private volatile int waiting;

    Hibernator(Engine engine, long afterNanos) {
        this.engine = engine;
        this.afterNanos = afterNanos;
    }

    /** {@code hibernateIdleAfter} in nanoseconds; 0 when hibernation is off. */
    long afterNanos() {
        return afterNanos;
    }

    /**
     * True if a connection may hibernate: the selector is open (opened now on first use) and the
     * server is not stopping. Checked before the bounded wait, so that a connection never gives its
     * thread up for a poller that is not there (it waits with its thread instead).
     */
    boolean available() {
        return !stopped && selector() != null;
    }

    /** The selector, opened and its thread started on first use; null once stopped or if it cannot open. */
    private Selector selector() {
        Selector s = selector;
        if (s != null) {
            return s;
        }
        if (unavailable) {
            return null;
        }
        lock.lock();
        try {
            if (stopped || unavailable) {
                return null;
            }
            if (selector == null) {
                Selector opened = Selector.open();
                Thread t = Thread.ofPlatform().daemon().name("weft-hibernator-" + engine.port()).unstarted(this);
                selector = opened;
                thread = t;
                t.start();
            }
            return selector;
        } catch (IOException e) {
            unavailable = true;
            Engine.LOG.warn("cannot open the selector for hibernated connections; connections wait with their threads: {}",
                    e.toString());
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Registers a connection's channel, already in non-blocking mode, for readability.
     *
     * @return false if it could not be registered (closed meanwhile, or the server stops)
     */
    boolean register(ConnectionImpl conn, SocketChannel channel) {
        Selector s = selector();
        if (s == null) {
            return false;
        }
        try {
            channel.register(s, SelectionKey.OP_READ, conn);
        } catch (ClosedChannelException | ClosedSelectorException | java.nio.channels.CancelledKeyException e) {
            return false;
        }
        // The registration takes effect at the selector's next select: wake the one in progress.
        s.wakeup();
        return true;
    }

    /** A hibernated channel was closed: let the selector deregister it, which frees the descriptor. */
    void closed() {
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    /** A writer wants this hibernated connection awake: the poller wakes it as if readable. */
    void wake(ConnectionImpl conn) {
        wakeups.add(conn);
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    /**
     * Waits until {@code conn} is no longer hibernated (woken or ended), at most {@code nanos}.
     *
     * @throws java.io.InterruptedIOException if interrupted (the interrupt stays set)
     */
    void awaitChange(ConnectionImpl conn, long nanos) throws java.io.InterruptedIOException {
        changeLock.lock();
        try {
            waiting++;
            try {
                long left = nanos;
                // No signal is missed (the count is published before the state is read, and a
                // change is published before the count is read); the bounded turns are a safety net.
                while (conn.isHibernated() && left > 0) {
                    long turn = Math.min(left, TimeUnit.SECONDS.toNanos(1));
                    left -= turn - change.awaitNanos(turn);
                }
            } finally {
                waiting--;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a hibernated connection to wake");
        } finally {
            changeLock.unlock();
        }
    }

    /** A hibernated connection woke or ended: tell the waiters, if any. */
    void changed() {
        if (waiting > 0) {
            changeLock.lock();
            try {
                change.signalAll();
            } finally {
                changeLock.unlock();
            }
        }
    }

    /** The writers' wake-ups: the keys of the connections still hibernated, cancelled, into {@code ready}. */
    private void takeWakeups(Selector s, List<ConnectionImpl> ready, List<ConnectionImpl> later) {
        ConnectionImpl c;
        while ((c = wakeups.poll()) != null) {
            if (!c.isHibernated()) {
                continue;
            }
            SelectionKey k = c.channel().keyFor(s);
            if (k == null) {
                // Hibernated a moment ago and not registered yet: its register() wakes the selector again.
                later.add(c);
            } else if (k.isValid()) {
                k.cancel();
                ready.add(c);
            }
        }
        wakeups.addAll(later);
        later.clear();
    }

    @Override
    public void run() {
        Selector s = selector;
        List<ConnectionImpl> ready = new ArrayList<>();
        List<ConnectionImpl> later = new ArrayList<>();
        while (!stopped) {
            try {
                s.select();
                Set<SelectionKey> keys = s.selectedKeys();
                takeWakeups(s, ready, later);
                while (!keys.isEmpty() || !ready.isEmpty()) {
                    for (SelectionKey k : keys) {
                        if (k.isValid()) { // not one a wake-up cancelled already
                            k.cancel();
                            ready.add((ConnectionImpl) k.attachment());
                        }
                    }
                    keys.clear();
                    // Deregisters the cancelled keys now, so that each channel can be registered
                    // again when it next hibernates (a cancelled key that is still registered
                    // makes that throw) and can go back to blocking mode; it may select more,
                    // taken in the next turn.
                    s.selectNow();
                    if (keys.isEmpty()) {
                        break;
                    }
                }
                for (ConnectionImpl c : ready) {
                    try {
                        c.resumeFromPoller();
                    } catch (Throwable t) {
                        failed(t);
                        c.closeFromOutside();
                    }
                }
                ready.clear();
            } catch (ClosedSelectorException e) {
                return;
            } catch (Throwable t) {
                // Nothing may end this thread but stop(): every hibernated connection waits on it.
                for (ConnectionImpl c : ready) {
                    c.closeFromOutside();
                }
                ready.clear();
                failed(t);
            }
        }
    }

    private void failed(Throwable t) {
        long now = System.nanoTime();
        if (logged && now - loggedAt < LOG_INTERVAL_NANOS) {
            return;
        }
        logged = true;
        loggedAt = now;
        try {
            Engine.LOG.error("hibernator: waking a connection failed; it was closed, the others wait on", t);
        } catch (Throwable ignored) {
            // The logger failed: the loop must go on all the same.
        }
    }

    /**
     * At the end of shutdown, when every connection has been closed: stops the thread, closes
     * whatever is still registered, and the selector.
     */
    void stop() throws InterruptedException {
        Thread t;
        Selector s;
        lock.lock();
        try {
            stopped = true;
            t = thread;
            s = selector;
        } finally {
            lock.unlock();
        }
        if (s == null) {
            return;
        }
        s.wakeup();
        t.join();
        try {
            for (SelectionKey k : new ArrayList<>(s.keys())) {
                if (k.attachment() instanceof ConnectionImpl c) {
                    c.closeFromOutside();
                }
            }
            s.close();
        } catch (IOException | ClosedSelectorException e) {
            Engine.LOG.debug("closing the hibernation selector: {}", e.toString());
        }
    }
}
