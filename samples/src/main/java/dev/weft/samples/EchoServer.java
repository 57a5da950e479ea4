package dev.weft.samples;

import dev.weft.core.Connection;
import dev.weft.core.SocketInput;
import dev.weft.core.SocketOutput;
import dev.weft.core.TcpServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Echoes every byte it receives. When the client half-closes (sends FIN), it finishes echoing
 * what came before and closes.
 *
 * <p>The whole protocol is {@link #echo}: a plain loop on the connection's own virtual thread.
 * Compare {@link EventLoopEchoServer}, which has to keep the same state by hand.
 *
 * <pre>
 * java -cp samples/target/weft-samples.jar dev.weft.samples.EchoServer --port 7007
 * nc 127.0.0.1 7007
 * </pre>
 */
public final class EchoServer {

    /** The port {@code main} listens on without {@code --port} or {@code PORT}. */
    public static final int DEFAULT_PORT = 7007;

    private static final int CHUNK_BYTES = 8192;
    private static final int BULK_BYTES = 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(EchoServer.class);

    private EchoServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = SampleArgs.portOrExit("EchoServer", args, DEFAULT_PORT);
        TcpServer server = builder(port).registerShutdownHook(true).start();
        logReportAtExit(server, log);
        log.info("echo server listening on port {} (Ctrl-C to stop)", server.port());
        server.awaitTermination();
    }

    /** Starts an echo server on {@code port} (0 = ephemeral), without a shutdown hook. */
    public static TcpServer start(int port) {
        return builder(port).start();
    }

    private static TcpServer.Builder builder(int port) {
        return TcpServer.builder().port(port).handler(EchoServer::echo);
    }

    /**
     * The echo protocol. Idle while waiting for the client (so a shutdown closes it at once),
     * busy from the moment bytes arrive until they are flushed back.
     */
    static void echo(Connection conn) throws IOException {
        SocketInput in = conn.in();
        SocketOutput out = conn.out();
        // Per connection, for its whole life: the "read until EAGAIN" state an event loop keeps
        // per key is just this array plus the stack.
        byte[] chunk = new byte[CHUNK_BYTES];
        // While the peer streams (a read filled the array), a direct buffer for that spell (see
        // Bulk); given back at the first batch shorter than the array.
        ByteBuffer bulk = null;
        try {
            while (true) {
                if (in.buffered() == 0) {
                    // Nothing more is buffered: send what we have before we may wait for the peer.
                    out.flush();
                    conn.markIdle();
                    if (conn.isClosed()) {
                        return; // shutdown closed us while idle: nothing was in flight
                    }
                }
                int n;
                if (bulk == null) {
                    n = in.read(chunk);
                } else {
                    bulk.clear();
                    n = in.read(bulk);
                }
                if (n < 0) {
                    // The client's FIN: every byte before it has been echoed (or is buffered and
                    // flushed by the return); returning closes, which sends our FIN.
                    out.flush();
                    return;
                }
                if (conn.isIdle() && !conn.markBusy()) {
                    return;
                }
                if (bulk == null) {
                    out.write(chunk, 0, n);
                    if (n == chunk.length) {
                        bulk = Bulk.take();
                    }
                    continue;
                }
                // Take what else has arrived by now into the same write, as an event loop reads
                // until the socket is drained before it flushes: one large write instead of a
                // write per read. Only bytes that are there (available() asks the kernel), so this
                // never waits while the peer waits for its echo.
                while (bulk.hasRemaining() && in.available() > 0 && in.read(bulk) > 0) {
                    // the read advanced bulk's position
                }
                n = bulk.position();
                bulk.flip();
                out.write(bulk);
                if (n < chunk.length) {
                    Bulk.give(bulk);
                    bulk = null;
                }
            }
        } finally {
            if (bulk != null) {
                Bulk.give(bulk);
            }
        }
    }

    /**
     * The direct buffers of the connections that stream. Direct, because the server reads into a
     * direct buffer and writes from it with no copy, where a heap array goes through a temporary
     * direct buffer of the JDK's both ways; large, because one write per MiB
     * is what makes a stream fast on loopback (the kernel's cost is per write and per
     * segment more than per byte). Shared, because the memory of a direct buffer comes back only
     * with a GC: a connection holds one while it streams and gives it back for the next, so a
     * server allocates one per stream at a time, not one per spell, and keeps at most one spare
     * per CPU.
     */
    private static final class Bulk {

        private static final ConcurrentLinkedQueue<ByteBuffer> SPARE = new ConcurrentLinkedQueue<>();
        private static final AtomicInteger SPARES = new AtomicInteger();
        private static final int MAX_SPARES = Runtime.getRuntime().availableProcessors();

        static ByteBuffer take() {
            ByteBuffer b = SPARE.poll();
            if (b == null) {
                return ByteBuffer.allocateDirect(BULK_BYTES);
            }
            SPARES.decrementAndGet();
            return b;
        }

        static void give(ByteBuffer b) {
            if (SPARES.incrementAndGet() <= MAX_SPARES) {
                SPARE.offer(b);
            } else {
                SPARES.decrementAndGet(); // enough spares: this one goes with the next GC
            }
        }

        private Bulk() {
        }
    }

    /**
     * Logs the {@code ShutdownReport} when the JVM exits (Ctrl-C, SIGTERM). The server's own hook
     * ({@code registerShutdownHook}) drains it; a second {@code shutdown()} waits for that one and
     * returns the same report. Logging from a hook, not from {@code main} after
     * {@code awaitTermination()}, because the JVM halts once its hooks are done.
     */
    static void logReportAtExit(TcpServer server, Logger log) {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> log.info("shut down: {}", server.shutdown()), "weft-sample-shutdown-log"));
    }
}
