package dev.weft.samples;

import dev.weft.core.Connection;
import dev.weft.core.LimitExceededException;
import dev.weft.core.ShutdownReport;
import dev.weft.core.SocketInput;
import dev.weft.core.SocketOutput;
import dev.weft.core.TcpServer;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A line-based chat room. On connect a client sends its nick; after that every line it sends
 * goes to everyone else as {@code <nick> line}. {@code /who} lists who is here, {@code /quit}
 * leaves. Server lines start with {@code * } (news) or {@code ERR } (a mistake of yours).
 *
 * <p>Two virtual threads per client, and no lock held across I/O anywhere:
 * <ul>
 *   <li>a reader blocks in {@code readLine} most of the time (hundreds of them, all parked,
 *       cost a few KB each);
 *   <li>the connection's own thread is the writer: it drains the client's bounded outbox.
 * </ul>
 * A broadcast only {@code offer}s one shared byte array to each outbox, which never blocks, so
 * one client's slow network never delays anyone else's message.
 *
 * <p>Weft lets only one thread use each stream of a connection, and the connection's thread owns
 * the buffers (marking it idle from that thread may hand the output buffer back to the pool).
 * So the writer is the connection's thread, and the input belongs to the reader from the moment
 * it starts until the writer has joined it.
 *
 * <pre>
 * java -cp samples/target/weft-samples.jar dev.weft.samples.ChatServer --port 7070
 * nc 127.0.0.1 7070
 * </pre>
 */
public final class ChatServer {

    /** The port {@code main} listens on without {@code --port} or {@code PORT}. */
    public static final int DEFAULT_PORT = 7070;
    /** The longest line a client may send, its LF included; longer ends the connection. */
    public static final int MAX_LINE = 1024;
    /** Messages waiting for one client before it counts as too slow and is dropped. */
    public static final int DEFAULT_OUTBOX = 256;
    private static final int MAX_NICK = 16;
    private static final int NICK_ATTEMPTS = 5;
    // Chatters are silent for minutes; an idle connection here is normal, not a leak.
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(30);
    // Identity matters: the writer ends on this very array, never on a message that looks like it.
    private static final byte[] END = new byte[0];

    private static final Logger log = LoggerFactory.getLogger(ChatServer.class);

    private final ConcurrentHashMap<String, Client> clients = new ConcurrentHashMap<>();
    private final int outboxCapacity;
    private volatile boolean closing;
    private TcpServer server;

    private ChatServer(int outboxCapacity) {
        this.outboxCapacity = outboxCapacity;
    }

    public static void main(String[] args) throws InterruptedException {
        int port = SampleArgs.portOrExit("ChatServer", args, DEFAULT_PORT);
        ChatServer chat = start(port);
        // Our own hook instead of registerShutdownHook: the room is told before the server
        // closes the (idle) connections, and the report is logged before the JVM halts.
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> log.info("shut down: {}", chat.shutdown(Duration.ofSeconds(5))), "chat-shutdown"));
        log.info("chat server listening on port {} (Ctrl-C to stop)", chat.port());
        chat.server.awaitTermination();
    }

    /** Starts a chat server on {@code port} (0 = ephemeral), without a shutdown hook. */
    public static ChatServer start(int port) {
        return start(TcpServer.builder().port(port), DEFAULT_OUTBOX);
    }

    /** For tests: a server with other transport options or a smaller outbox. */
    static ChatServer start(TcpServer.Builder builder, int outboxCapacity) {
        ChatServer chat = new ChatServer(outboxCapacity);
        chat.server = builder.idleTimeout(IDLE_TIMEOUT).handler(chat::serve).start();
        return chat;
    }

    /** The port bound. */
    public int port() {
        return server.port();
    }

    /** The nicks in the room now, sorted. */
    public List<String> nicks() {
        List<String> nicks = new ArrayList<>();
        for (Client c : clients.values()) {
            nicks.add(c.nick);
        }
        Collections.sort(nicks);
        return nicks;
    }

    /**
     * Tells everyone the server is going away, gives their writers a moment to send that, then
     * shuts the server down gracefully (readers waiting for a line are idle: closed at once).
     */
    public ShutdownReport shutdown(Duration grace) {
        closing = true;
        byte[] bye = line("* server shutting down");
        List<Client> all = new ArrayList<>(clients.values());
        for (Client c : all) {
            c.outbox.offer(bye);
            c.outbox.offer(END);
        }
        Instant until = Instant.now().plus(grace.compareTo(Duration.ofSeconds(1)) < 0 ? grace : Duration.ofSeconds(1));
        try {
            for (Client c : all) {
                Duration left = Duration.between(Instant.now(), until);
                if (!left.isNegative()) {
                    c.sentAll.await(left.toNanos(), TimeUnit.NANOSECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return server.shutdown(grace);
    }

    /** One client: the connection's thread runs this from connect to close. */
    private void serve(Connection conn) throws IOException {
        Client me = join(conn);
        if (me == null) {
            return;
        }
        log.debug("{} joined from {}", me.nick, conn.remoteAddress());
        broadcast(me, line("* " + me.nick + " joined"));
        // Thread.start publishes everything this thread did with the input to the reader.
        Thread reader = Thread.ofVirtual().name("chat-reader-" + conn.id()).start(() -> readLines(me));
        try {
            writeOutbox(me);
        } catch (IOException e) {
            // The peer is gone, writeTimeout cut a write, or we dropped it: the reader's read
            // fails now too, since the socket is closed.
            log.debug("{}: write failed: {}", me.nick, e.toString());
            conn.abort();
        } finally {
            me.sentAll.countDown();
            clients.remove(me.nick, me);
            if (!closing) {
                // During shutdown everyone is leaving: "* server shutting down" said it all.
                broadcast(me, line("* " + me.nick + " left"));
            }
            awaitReader(me, reader);
        }
        if (me.lingering && !conn.isClosed()) {
            lingeringClose(conn);
        }
    }

    /** The writer: sends what the outbox holds until END. */
    private static void writeOutbox(Client me) throws IOException {
        SocketOutput out = me.conn.out();
        try {
            while (true) {
                byte[] message = me.outbox.take();
                if (message == END) {
                    out.flush();
                    return;
                }
                out.write(message);
                if (me.outbox.isEmpty()) {
                    out.flush(); // one flush (one write syscall) per burst, not per message
                }
            }
        } catch (InterruptedException e) {
            // An interrupt means stop now (a virtual thread interrupted in socket I/O closes it).
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for the reader, so the input has one user at a time: the reader, then (for the
     * lingering close, and Weft's own cleanup) this thread again. Normally the reader has ended
     * or its socket is closed; a shutdown closes it once it is idle in {@code readLine}.
     */
    private static void awaitReader(Client me, Thread reader) {
        try {
            if (!reader.join(Duration.ofSeconds(5))) {
                me.conn.abort(); // a blocked read fails at once (closing a socket unblocks a read on it)
                reader.join();
            }
        } catch (InterruptedException e) {
            me.conn.abort();
            Thread.currentThread().interrupt();
        }
    }

    /** Asks for a nick until a free one comes; null if the client left or gave up. */
    private Client join(Connection conn) throws IOException {
        SocketInput in = conn.in();
        SocketOutput out = conn.out();
        send(out, "* welcome to weft chat; your nick? (1-" + MAX_NICK + " of a-z A-Z 0-9 _ -)");
        for (int attempt = 0; attempt < NICK_ATTEMPTS; attempt++) {
            conn.markIdle();
            String nick;
            try {
                nick = in.readLine(MAX_LINE);
            } catch (LimitExceededException e) {
                send(out, "ERR line longer than " + MAX_LINE + " bytes; bye");
                lingeringClose(conn);
                return null;
            } catch (EOFException e) {
                return null;
            }
            if (nick == null || !conn.markBusy()) {
                return null;
            }
            nick = nick.strip();
            if (closing) {
                send(out, "* server shutting down");
                return null;
            }
            if (!validNick(nick)) {
                send(out, "ERR nick must be 1-" + MAX_NICK + " of a-z A-Z 0-9 _ -; your nick?");
                continue;
            }
            Client me = new Client(nick, conn, outboxCapacity);
            // Queued before the room can see us, so it is the first line after the prompt.
            me.outbox.offer(line("* hello " + nick + "; here: " + String.join(", ", nicks())
                    + "; /who lists, /quit leaves"));
            if (clients.putIfAbsent(nick, me) != null) {
                send(out, "ERR nick " + nick + " is taken; your nick?");
                continue;
            }
            return me;
        }
        send(out, "ERR too many attempts; bye");
        return null;
    }

    /** The reader thread: reads lines until the client leaves, then tells the writer to finish. */
    private void readLines(Client me) {
        Connection conn = me.conn;
        try {
            while (true) {
                conn.markIdle(); // waiting for a human: shutdown may close us at once
                String text;
                try {
                    text = conn.in().readLine(MAX_LINE);
                } catch (LimitExceededException e) {
                    // The rest of that line is still coming and would read as a new line: stop here.
                    me.lingering = true;
                    reply(me, "ERR line longer than " + MAX_LINE + " bytes; bye");
                    return;
                } catch (EOFException e) {
                    return; // FIN in the middle of a line: the half line is dropped
                }
                if (text == null || !conn.markBusy()) {
                    return;
                }
                if (text.equals("/quit")) {
                    reply(me, "* bye");
                    return;
                } else if (text.equals("/who")) {
                    reply(me, "* here: " + String.join(", ", nicks()));
                } else if (text.startsWith("/")) {
                    reply(me, "ERR unknown command " + text.split(" ", 2)[0] + "; try /who or /quit");
                } else if (!text.isBlank()) {
                    broadcast(me, line("<" + me.nick + "> " + text));
                }
            }
        } catch (IOException e) {
            if (!conn.isClosed()) {
                log.debug("{}: read failed: {}", me.nick, e.toString());
            }
            // Closed by us (dropped as too slow, a failed write, or shutdown): nothing to report.
        } catch (RuntimeException e) {
            log.warn("{}: reader failed", me.nick, e);
        } finally {
            if (!me.outbox.offer(END)) {
                drop(me); // the writer is stuck on a peer that does not read: unblock it
            }
        }
    }

    /** A line for this client only; a client too far behind to take it is dropped. */
    private void reply(Client me, String text) {
        if (!me.outbox.offer(line(text))) {
            drop(me);
        }
    }

    /**
     * Puts {@code message} in every other client's outbox. A client whose outbox is full is
     * dropped: it has not read {@code outboxCapacity} messages while the others have, so it is
     * either gone without a FIN or too slow for this room. The alternatives are worse: blocking
     * here would let one stalled client freeze the whole room (every sender waits on it), and an
     * unbounded outbox would let it grow the server's heap without limit.
     */
    private void broadcast(Client from, byte[] message) {
        for (Client c : clients.values()) {
            if (c != from && !c.outbox.offer(message)) {
                drop(c);
            }
        }
    }

    private void drop(Client c) {
        if (clients.remove(c.nick, c)) {
            log.info("dropping {}: {} messages unread", c.nick, outboxCapacity);
        }
        // Abort, not close: close would flush into a socket that is not draining, and from a
        // thread that does not own the output. Its writer's blocked write fails at once.
        c.conn.abort();
    }

    private static boolean validNick(String nick) {
        if (nick.isEmpty() || nick.length() > MAX_NICK) {
            return false;
        }
        for (int i = 0; i < nick.length(); i++) {
            char ch = nick.charAt(i);
            boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || ch == '_' || ch == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static byte[] line(String text) {
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void send(SocketOutput out, String text) throws IOException {
        out.write(line(text));
        out.flush();
    }

    /**
     * Sends FIN, then reads and discards what the client still sends (bounded) before closing.
     * Closing with unread bytes in the receive buffer makes the kernel send RST, and an RST can
     * destroy our last line before the client has read it (RFC 1122 4.2.2.13, RFC 9112 9.6).
     */
    private static void lingeringClose(Connection conn) {
        try {
            conn.shutdownOutput();
            SocketInput in = conn.in();
            in.deadline(Instant.now().plusSeconds(1));
            byte[] sink = new byte[4096];
            long discarded = 0;
            int n;
            while (discarded < 64 * 1024 && (n = in.read(sink)) >= 0) {
                discarded += n;
            }
        } catch (IOException e) {
            log.debug("lingering close of connection {}: {}", conn.id(), e.toString());
        }
    }

    /** One client in the room. */
    private static final class Client {
        final String nick;
        final Connection conn;
        final BlockingQueue<byte[]> outbox;
        /** Counted down when the writer has flushed its last message (or given up). */
        final CountDownLatch sentAll = new CountDownLatch(1);
        /** Set by the reader before END: close lingering, the client sent more than we read. */
        volatile boolean lingering;

        Client(String nick, Connection conn, int capacity) {
            this.nick = nick;
            this.conn = conn;
            this.outbox = new ArrayBlockingQueue<>(capacity);
        }
    }
}
