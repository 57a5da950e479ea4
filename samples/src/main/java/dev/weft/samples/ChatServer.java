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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A line-based chat room. On connect a client sends its nick; after that every line it sends
 * goes to everyone else as {@code <nick> line}. {@code /who} lists who is here, {@code /quit}
 * leaves. Server lines start with {@code * } (news) or {@code ERR } (a mistake of yours).
 *
 * <p>Two virtual threads per client, and no lock held across I/O anywhere:
 * <ul>
 *   <li>the connection's own thread blocks in {@code readLine} most of the time (hundreds of
 *       them, all parked, cost a few KB each);
 *   <li>a writer thread owns the socket's output and drains the client's bounded outbox.
 * </ul>
 * A broadcast only {@code offer}s one shared byte array to each outbox, which never blocks, so
 * one client's slow network never delays anyone else's message.
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
                if (!left.isNegative() && c.writer != null) {
                    c.writer.join(left);
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
        boolean linger = false;
        try {
            linger = chat(me);
        } catch (IOException e) {
            if (!conn.isClosed()) {
                throw e; // unexpected; the server logs it with the connection id
            }
            // Closed by us (dropped as too slow, or shutdown): nothing to report.
        } finally {
            clients.remove(me.nick, me);
            broadcast(me, line("* " + me.nick + " left"));
            me.finish();
        }
        if (linger) {
            lingeringClose(conn);
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
            // From here only the writer touches out: Thread.start publishes our writes to it.
            me.writer = Thread.ofVirtual().name("chat-writer-" + conn.id()).start(me::drainOutbox);
            return me;
        }
        send(out, "ERR too many attempts; bye");
        return null;
    }

    /** Reads lines until the client leaves. True when it must be closed lingering (it sent too much). */
    private boolean chat(Client me) throws IOException {
        Connection conn = me.conn;
        while (true) {
            conn.markIdle(); // waiting for a human: shutdown may close us at once
            String text;
            try {
                text = conn.in().readLine(MAX_LINE);
            } catch (LimitExceededException e) {
                // The rest of that line is still coming and would read as a new line: stop here.
                me.outbox.offer(line("ERR line longer than " + MAX_LINE + " bytes; bye"));
                return true;
            } catch (EOFException e) {
                return false; // FIN in the middle of a line: the half line is dropped
            }
            if (text == null || !conn.markBusy()) {
                return false;
            }
            if (text.equals("/quit")) {
                me.outbox.offer(line("* bye"));
                return false;
            } else if (text.equals("/who")) {
                me.outbox.offer(line("* here: " + String.join(", ", nicks())));
            } else if (text.startsWith("/")) {
                me.outbox.offer(line("ERR unknown command " + text.split(" ", 2)[0] + "; try /who or /quit"));
            } else if (!text.isBlank()) {
                broadcast(me, line("<" + me.nick + "> " + text));
            }
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
            if (c != from && !c.outbox.offer(message) && clients.remove(c.nick, c)) {
                log.info("dropping {}: {} messages unread", c.nick, outboxCapacity);
                // Abort, not close: close would try to flush into a socket that is not draining,
                // and from this thread, while the writer owns the output.
                c.conn.abort();
            }
        }
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
        volatile Thread writer;

        Client(String nick, Connection conn, int capacity) {
            this.nick = nick;
            this.conn = conn;
            this.outbox = new ArrayBlockingQueue<>(capacity);
        }

        /** The writer thread: the only one that writes to this client after it joined. */
        void drainOutbox() {
            SocketOutput out = conn.out();
            try {
                while (true) {
                    byte[] message = outbox.take();
                    if (message == END) {
                        out.flush();
                        return;
                    }
                    out.write(message);
                    if (outbox.isEmpty()) {
                        out.flush(); // one flush (one write syscall) per burst, not per message
                    }
                }
            } catch (InterruptedException e) {
                // finish() found the outbox full: what is queued is not worth waiting for.
            } catch (IOException e) {
                // The peer is gone, or writeTimeout cut a write: end the reader too.
                log.debug("{}: write failed: {}", nick, e.toString());
                conn.abort();
            }
        }

        /** Lets the writer send what is queued, then waits for it (bounded). */
        void finish() {
            if (!outbox.offer(END)) {
                writer.interrupt(); // a virtual thread interrupted in socket I/O closes the socket
            }
            try {
                // writeTimeout bounds each write the writer can still be in; this bounds the rest.
                if (!writer.join(Duration.ofSeconds(5))) {
                    conn.abort();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                conn.abort();
            }
        }
    }
}
