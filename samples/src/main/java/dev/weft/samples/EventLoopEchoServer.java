package dev.weft.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The same echo as {@link EchoServer}, written the event-loop way: one thread, one
 * {@link Selector}, non-blocking channels. Plain JDK, no Weft. It is here as the contrast.
 *
 * <p>What the blocking version gets from its stack, this one must keep by hand per connection:
 * <ul>
 *   <li>a buffer of bytes read but not yet written (a partial write leaves some behind);
 *   <li>whether the peer has sent FIN (then: finish writing, then close);
 *   <li>which events to wait for: OP_READ while there is room, OP_WRITE while bytes are
 *       pending, and not OP_READ while the buffer is full (that is the back-pressure the
 *       blocking {@code write} gives for free).
 * </ul>
 * And one slow handler stalls every connection, since they all share this thread.
 *
 * <pre>
 * java -cp samples/target/weft-samples.jar dev.weft.samples.EventLoopEchoServer --port 7008
 * </pre>
 */
public final class EventLoopEchoServer implements AutoCloseable {

    /** The port {@code main} listens on without {@code --port} or {@code PORT}. */
    public static final int DEFAULT_PORT = 7008;

    private static final Logger log = LoggerFactory.getLogger(EventLoopEchoServer.class);

    /** Per connection: what the blocking echo keeps in local variables. */
    private static final class Conn {
        // 64 KiB: large enough that a read rarely fills it, so we rarely stop reading.
        final ByteBuffer buf = ByteBuffer.allocate(64 * 1024); // write mode: bytes read, not yet echoed
        boolean eof;                                           // the peer sent FIN
    }

    private final Selector selector;
    private final ServerSocketChannel listener;
    private final Thread loop;
    // Written by shutdown(), read by the loop: the System.nanoTime() at which the grace ends,
    // then the flag (volatile write after it, so the loop sees both).
    private volatile long drainUntil;
    private volatile boolean draining;
    private int forced; // written by the loop thread only; loop.join() publishes it

    private EventLoopEchoServer(int port) throws IOException {
        selector = Selector.open();
        listener = ServerSocketChannel.open();
        listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        listener.bind(new InetSocketAddress(port), 1024);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        loop = Thread.ofPlatform().name("event-loop").unstarted(this::run);
    }

    /** Binds {@code port} (0 = ephemeral) and starts the loop thread. */
    public static EventLoopEchoServer start(int port) {
        try {
            EventLoopEchoServer server = new EventLoopEchoServer(port);
            server.loop.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port + ": " + e.getMessage(), e);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        int port = SampleArgs.portOrExit("EventLoopEchoServer", args, DEFAULT_PORT);
        EventLoopEchoServer server = start(port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            int left = server.shutdown(Duration.ofSeconds(10));
            log.info("shut down; {} connection(s) closed by force", left);
        }, "event-loop-shutdown"));
        log.info("event-loop echo server listening on port {} (Ctrl-C to stop)", server.port());
        server.loop.join();
    }

    /** The port bound. */
    public int port() {
        return listener.socket().getLocalPort();
    }

    /**
     * Stops accepting, closes connections with nothing in flight at once, lets the others
     * finish for up to {@code grace}, then closes the rest and waits for the loop to end.
     *
     * @return how many connections were still busy at the end of the grace
     */
    public int shutdown(Duration grace) {
        drainUntil = System.nanoTime() + grace.toNanos();
        draining = true;
        selector.wakeup();
        try {
            loop.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return forced;
    }

    /** True until the loop thread has ended. */
    boolean isRunning() {
        return loop.isAlive();
    }

    /** {@code shutdown(Duration.ofSeconds(1))}. */
    @Override
    public void close() {
        shutdown(Duration.ofSeconds(1));
    }

    private void run() {
        try {
            while (true) {
                if (draining && drain()) {
                    return;
                }
                // While draining, wake up now and then to check the grace.
                selector.select(draining ? 50 : 0);
                for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (key.isAcceptable()) {
                        accept();
                        continue;
                    }
                    try {
                        echo(key);
                    } catch (IOException e) {
                        // A reset or broken pipe ends that connection only.
                        log.debug("connection error: {}", e.toString());
                        closeKey(key);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            log.error("event loop failed", e);
        } finally {
            for (SelectionKey key : selector.keys()) {
                closeKey(key);
            }
            try {
                selector.close();
            } catch (IOException e) {
                log.debug("selector close: {}", e.toString());
            }
        }
    }

    private void accept() {
        try {
            // Accept everything queued: accept returns null (EAGAIN) once the backlog is empty.
            SocketChannel ch;
            while ((ch = listener.accept()) != null) {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.register(selector, SelectionKey.OP_READ, new Conn());
            }
        } catch (IOException e) {
            // E.g. too many open files. The listener stays ready, so the loop spins on this until
            // a descriptor frees up: a real event loop needs a back-off timer here (Weft's acceptor has one).
            log.warn("accept failed: {}", e.toString());
        }
    }

    /** One readiness event: read what is there, write what we can, decide what to wait for next. */
    private void echo(SelectionKey key) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        Conn c = (Conn) key.attachment();
        // Bounded, so one fast peer cannot keep the loop from the others.
        for (int round = 0; round < 16; round++) {
            // Read until the kernel has nothing more (read returns 0: EAGAIN) or the buffer is full.
            int n = 0;
            while (!c.eof && c.buf.hasRemaining() && (n = ch.read(c.buf)) > 0) {
                // keep reading
            }
            if (n < 0) {
                c.eof = true;
            }
            // Write until the kernel takes no more (a partial write) or nothing is left.
            c.buf.flip();
            while (c.buf.hasRemaining() && ch.write(c.buf) > 0) {
                // keep writing
            }
            c.buf.compact();
            boolean pending = c.buf.position() > 0;
            if (pending || c.eof || n == 0) {
                break; // blocked on the peer, or done: let the selector say when to go on
            }
        }
        boolean pending = c.buf.position() > 0;
        if (c.eof && !pending) {
            // FIN in, everything echoed: close, which sends our FIN.
            closeKey(key);
            return;
        }
        int ops = 0;
        if (!c.eof && c.buf.hasRemaining()) {
            ops |= SelectionKey.OP_READ;
        }
        if (pending) {
            ops |= SelectionKey.OP_WRITE;
        }
        key.interestOps(ops);
    }

    /** One drain step; true when the loop may end. */
    private boolean drain() throws IOException {
        if (listener.isOpen()) {
            listener.close();
        }
        boolean graceOver = System.nanoTime() - drainUntil >= 0;
        int busy = 0;
        for (SelectionKey key : selector.keys()) {
            if (!(key.attachment() instanceof Conn c) || !key.isValid()) {
                continue;
            }
            if (c.buf.position() == 0 || graceOver) {
                // Nothing read and not yet echoed: closing loses nothing.
                if (c.buf.position() > 0) {
                    forced++;
                }
                closeKey(key);
            } else {
                busy++;
            }
        }
        return busy == 0;
    }

    private static void closeKey(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException e) {
            log.debug("close: {}", e.toString());
        }
    }
}
