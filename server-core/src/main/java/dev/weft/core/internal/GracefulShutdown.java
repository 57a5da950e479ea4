package dev.weft.core.internal;

import dev.weft.core.ShutdownReport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The drain: stop accepting, close idle connections at once, let
 * busy ones finish until the grace ends, close the rest by force, then wait for every thread.
 */
final class GracefulShutdown {

    /** How often to name a connection thread that ignores being closed while we wait for it. */
    private static final Duration STUCK_REPORT = Duration.ofSeconds(5);

    private final Engine engine;

    GracefulShutdown(Engine engine) {
        this.engine = engine;
    }

    ShutdownReport run(Duration grace) {
        long start = System.nanoTime();
        Thread self = Thread.currentThread();
        engine.beginDraining();

        // 1. Stop accepting. Closing unblocks a blocked accept(); the interrupt ends a wait at maxConnections.
        try {
            engine.listener().close();
        } catch (IOException e) {
            Engine.LOG.debug("closing the listener: {}", e.toString());
        }
        if (engine.acceptorThread() != self) {
            // Not when the acceptor itself shuts down after a VirtualMachineError: it has left its loop.
            engine.acceptorThread().interrupt();
            joinUninterruptibly(engine.acceptorThread());
        }

        // 2. Run the protocols' drain actions (a WebSocket's close 1001); close the idle ones at
        // once, except those with such an action, which get the grace. No new connection can
        // appear: the acceptor has ended.
        List<ConnectionImpl> all = new ArrayList<>(engine.connections());
        List<ConnectionImpl> busy = new ArrayList<>();
        int idleClosed = 0;
        boolean[] keep = new boolean[all.size()];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = all.get(i).beginDrain();
        }
        for (int i = 0; i < keep.length; i++) {
            ConnectionImpl c = all.get(i);
            if (!keep[i] && c.closeIfIdle()) {
                idleClosed++;
            } else if (c.thread() != self) {
                busy.add(c);
            }
        }
        Engine.LOG.info("port {} draining: {} idle closed, {} busy given up to {} to finish", engine.port(),
                idleClosed, busy.size(), Engine.readable(grace));

        // 3. Let the busy ones finish (or go idle, which closes them) until the grace ends.
        long deadline = start + grace.toNanos();
        for (ConnectionImpl c : busy) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                c.thread().join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                // Interrupted: treat as the end of the grace.
                Thread.currentThread().interrupt();
                break;
            }
        }

        // 4. Force what is left.
        long completed = 0;
        long forced = 0;
        List<Long> forcedIds = new ArrayList<>();
        for (ConnectionImpl c : busy) {
            if (c.closedAsIdle()) {
                continue;
            }
            if (c.thread().isAlive()) {
                forced++;
                forcedIds.add(c.id());
                c.closeFromOutside();
                // A virtual thread interrupted in socket I/O closes the socket; in a lock or queue wait it wakes.
                c.thread().interrupt();
            } else {
                completed++;
            }
        }
        boolean interrupted = Thread.interrupted();
        for (ConnectionImpl c : all) {
            if (c.thread() != self) {
                joinReporting(c);
            }
        }
        try {
            engine.watchdog().stop();
        } catch (InterruptedException e) {
            interrupted = true;
        }
        try {
            engine.hibernator().stop();
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        ShutdownReport report = new ShutdownReport(completed, engine.closedIdleCount(), forced, elapsed, forcedIds);
        Engine.LOG.info("port {} shut down in {}: {} completed, {} closed idle, {} forced{}", engine.port(),
                Engine.readable(elapsed), completed, report.closedIdle(), forced,
                forced == 0 ? "" : " (conn " + joined(forcedIds) + ")");
        return report;
    }

    /** "3, 7, 12", at most 20 ids and then how many more: one line, however many were forced. */
    private static String joined(List<Long> ids) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ids.size() && i < 20; i++) {
            b.append(i == 0 ? "" : ", ").append(ids.get(i));
        }
        if (ids.size() > 20) {
            b.append(" and ").append(ids.size() - 20).append(" more");
        }
        return b.toString();
    }

    private static void joinReporting(ConnectionImpl c) {
        boolean interrupted = false;
        while (true) {
            try {
                if (c.thread().join(STUCK_REPORT)) {
                    break;
                }
                Engine.LOG.warn("{}: its thread still runs after the connection was closed; waiting for it", c.describe());
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinUninterruptibly(Thread t) {
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
    }
}
