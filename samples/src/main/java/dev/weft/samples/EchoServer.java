package dev.weft.samples;

import dev.weft.core.Connection;
import dev.weft.core.SocketInput;
import dev.weft.core.SocketOutput;
import dev.weft.core.TcpServer;
import java.io.IOException;
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

    private static final int BULK_BYTES = 64 * 1024;

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
        byte[] chunk = new byte[8192];
        // While the peer streams (the last read filled the array), a bigger one for that spell:
        // reads and writes at least the size of the server's buffers bypass them, so this is one
        // read and one write syscall per 64 KiB. Dropped at the first short read.
        byte[] bulk = null;
        while (true) {
            if (in.buffered() == 0) {
                // Nothing more is buffered: send what we have before we may wait for the peer.
                out.flush();
                conn.markIdle();
                if (conn.isClosed()) {
                    return; // shutdown closed us while idle: nothing was in flight
                }
            }
            byte[] into = bulk != null ? bulk : chunk;
            int n = in.read(into);
            if (n < 0) {
                // The client's FIN: every byte before it has been echoed (or is buffered and
                // flushed by the return); returning closes, which sends our FIN.
                out.flush();
                return;
            }
            if (conn.isIdle() && !conn.markBusy()) {
                return;
            }
            out.write(into, 0, n);
            if (n < into.length) {
                bulk = null;
            } else if (bulk == null) {
                bulk = new byte[BULK_BYTES];
            }
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
