package dev.weft.core.internal;

import dev.weft.core.ShutdownReport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.FlightRecorder;

/**
 * The drain: stop accepting, close idle connections at once, let
 * busy ones finish until the grace ends, close the rest by force, then wait for every thread.
 */
final class GracefulShutdown {

    /** How often to name a connection thread that ignores being closed while we wait for it. */
    private static final Duration STUCK_REPORT = Duration.ofSeconds(5);
    /** How long, after a drain delay, the acceptor may take to accept its queue and close the listener. */
    static final Duration ACCEPTOR_STOP = Duration.ofMillis(250);

    private final Engine engine;

    GracefulShutdown(Engine engine) {
        this.engine = engine;
    }

    ShutdownReport run(Duration grace) {
        long start = System.nanoTime();
        // Only when JFR is up: loading an event class brings up the JFR machinery, which a
        // server nobody records must not pay for at shutdown. Once per shutdown otherwise.
        ShutdownEvent jfr = null;
        if (FlightRecorder.isInitialized()) {
            jfr = new ShutdownEvent();
            jfr.begin();
        }
        Thread self = Thread.currentThread();
        engine.beginDraining();

        // 0. The drain delay: keep accepting and serving (every response asks its client to move)
        // while load balancers notice that readiness went 503 and stop sending. Not when the
        // acceptor has already ended (it shuts down itself after a VirtualMachineError).
        Duration delay = engine.config().drainDelay();
        long delayed = 0;
        if (!delay.isZero() && engine.listener().isOpen() && engine.acceptorThread() != self) {
            Engine.LOG.info("port {} draining: still accepting for {} (drainDelay) so that load balancers move away",
                    engine.port(), Engine.readable(delay));
            long delayStart = System.nanoTime();
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                // The caller wants it over: end the delay, and the grace too (as in step 3).
                Thread.currentThread().interrupt();
            }
            delayed = System.nanoTime() - delayStart;
        }
        engine.beginClosing();
        long graceStart = System.nanoTime();

        // 1. Stop accepting. After a drain delay the acceptor takes what the kernel has queued and
        // closes the listener itself (see Acceptor.acceptQueuedAndClose), if it comes round within
        // ACCEPTOR_STOP: blocked in accept() with nothing arriving, it has nothing queued either.
        // Then (or without a delay) closing unblocks a blocked accept(); the interrupt ends a wait
        // at maxConnections.
        if (delayed > 0) {
            engine.requestStopAccepting();
            try {
                engine.acceptorThread().join(ACCEPTOR_STOP);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
        long stoppedAccepting = System.nanoTime() - start;

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
            // Not one accepted during the delay that has yet to receive its first unit of work: its
            // client may be sending it now, and a close would reset it (see freshWhileDraining).
            if (!keep[i] && !c.freshWhileDraining() && c.closeIfIdle()) {
                idleClosed++;
            } else if (c.thread() != self) {
                busy.add(c);
            }
        }
        Engine.LOG.info("port {} draining: {} idle closed, {} busy given up to {} to finish", engine.port(),
                idleClosed, busy.size(), Engine.readable(grace));

        // 3. Let the busy ones finish (or go idle, which closes them) until the grace ends.
        long deadline = graceStart + grace.toNanos();
        for (ConnectionImpl c : busy) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                c.joinUntil(deadline); // also across a hibernation (a WebSocket saying goodbye)
            } catch (InterruptedException e) {
                // Interrupted: treat as the end of the grace.
                Thread.currentThread().interrupt();
                break;
            }
        }

        long drained = System.nanoTime() - start;

        // 4. Force what is left.
        long completed = 0;
        long forced = 0;
        List<Long> forcedIds = new ArrayList<>();
        for (ConnectionImpl c : busy) {
            if (c.closedAsIdle()) {
                continue;
            }
            if (c.thread().isAlive() || c.isHibernated()) {
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
        // Every connection thread has ended: a protocol counted each of its streams before its thread did.
        ShutdownReport report = new ShutdownReport(completed, engine.closedIdleCount(), forced, elapsed, forcedIds,
                Duration.ofNanos(delayed), engine.acceptedDuringDelay(), engine.streamsCompleted(), engine.streamsReset());
        long streams = report.streamsCompleted() + report.streamsReset();
        Engine.LOG.info("port {} shut down in {}: {} completed, {} closed idle, {} forced{}{}{}", engine.port(),
                Engine.readable(elapsed), completed, report.closedIdle(), forced,
                forced == 0 ? "" : " (conn " + joined(forcedIds) + ")",
                streams == 0 ? "" : "; streams: " + report.streamsCompleted() + " completed, " + report.streamsReset() + " reset",
                delayed == 0 ? "" : "; drain delay " + Engine.readable(report.drainDelay()) + ", "
                        + report.acceptedDuringDelay() + " accepted during it");
        if (jfr != null) {
            record(jfr, engine.port(), grace, stoppedAccepting, drained, report, forcedIds);
        }
        return report;
    }

    private static void record(ShutdownEvent jfr, int port, Duration grace, long stoppedAccepting, long drained,
            ShutdownReport report, List<Long> forcedIds) {
        jfr.end();
        if (jfr.shouldCommit()) {
            jfr.port = port;
            jfr.grace = grace.toNanos();
            jfr.stopAccepting = stoppedAccepting;
            jfr.drain = drained;
            jfr.completed = report.completed();
            jfr.closedIdle = report.closedIdle();
            jfr.forced = report.forced();
            jfr.forcedIds = joined(forcedIds);
            jfr.streamsCompleted = report.streamsCompleted();
            jfr.streamsReset = report.streamsReset();
            jfr.commit();
        }
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
