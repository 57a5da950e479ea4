package dev.weft.samples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ShutdownReport;
import dev.weft.core.TcpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChatServerTest {

    private ChatServer chat;
    private final List<Client> clients = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Client c : clients) {
            c.socket.close();
        }
        if (chat != null) {
            chat.shutdown(Duration.ofSeconds(2));
        }
    }

    /** A chat client speaking the protocol line by line. */
    final class Client {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Client(int receiveBuffer) throws IOException {
            socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer); // before connect, so the window is small from the start
            }
            socket.connect(new InetSocketAddress("127.0.0.1", chat.port()), 5_000);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
            clients.add(this);
        }

        void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String read() throws IOException {
            return in.readLine();
        }
    }

    private Client join(String nick) throws IOException {
        Client c = new Client(0);
        assertTrue(c.read().startsWith("* welcome to weft chat; your nick?"));
        c.send(nick);
        String hello = c.read();
        assertTrue(hello.startsWith("* hello " + nick + "; here: "), hello);
        return c;
    }

    @Test
    void twoClientsChat() throws IOException {
        chat = ChatServer.start(0);
        Client alice = join("alice");
        Client bob = join("bob");
        assertEquals("* bob joined", alice.read());
        alice.send("hi bob, ünïcödé too");
        assertEquals("<alice> hi bob, ünïcödé too", bob.read());
        bob.send("hi alice");
        assertEquals("<bob> hi alice", alice.read());
        // Senders do not get their own lines back: the next line alice sees is her /who answer.
        alice.send("/who");
        assertEquals("* here: alice, bob", alice.read());
        bob.send("/dance");
        assertEquals("ERR unknown command /dance; try /who or /quit", bob.read());
    }

    @Test
    void aLineReachesEveryoneInABigRoom() throws IOException {
        chat = ChatServer.start(0);
        List<Client> room = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            room.add(join("user" + i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> chat.nicks().size() == 100);
        room.get(0).send("hello, room");
        for (Client c : room.subList(1, room.size())) {
            String line;
            // Skip the join news of those who came later.
            while ((line = c.read()).endsWith(" joined")) {
                // next
            }
            assertEquals("<user0> hello, room", line);
        }
    }

    @Test
    void helloListsWhoIsHere() throws IOException {
        chat = ChatServer.start(0);
        join("alice");
        Client bob = new Client(0);
        bob.read();
        bob.send("bob");
        assertEquals("* hello bob; here: alice; /who lists, /quit leaves", bob.read());
    }

    @Test
    void badAndTakenNicksAreRefusedWithAReason() throws IOException {
        chat = ChatServer.start(0);
        join("alice");
        Client c = new Client(0);
        c.read();
        c.send("not a nick!");
        assertEquals("ERR nick must be 1-16 of a-z A-Z 0-9 _ -; your nick?", c.read());
        c.send("");
        assertEquals("ERR nick must be 1-16 of a-z A-Z 0-9 _ -; your nick?", c.read());
        c.send("x".repeat(17));
        assertEquals("ERR nick must be 1-16 of a-z A-Z 0-9 _ -; your nick?", c.read());
        c.send("alice");
        assertEquals("ERR nick alice is taken; your nick?", c.read());
        c.send("carol");
        assertTrue(c.read().startsWith("* hello carol; here: alice;"));
        assertEquals(List.of("alice", "carol"), chat.nicks());
    }

    @Test
    void tooManyNickAttemptsEndTheConnection() throws IOException {
        chat = ChatServer.start(0);
        Client c = new Client(0);
        c.read();
        for (int i = 0; i < 5; i++) {
            c.send("?");
            assertTrue(c.read().startsWith("ERR nick must be"));
        }
        // The fifth refusal was the last: the server says so and closes.
        assertEquals("ERR too many attempts; bye", c.read());
        assertNull(c.read());
    }

    @Test
    void quitSaysByeClosesAndTellsTheOthers() throws IOException {
        chat = ChatServer.start(0);
        Client alice = join("alice");
        Client bob = join("bob");
        alice.read(); // * bob joined
        bob.send("/quit");
        assertEquals("* bye", bob.read());
        assertNull(bob.read(), "EOF after /quit");
        assertEquals("* bob left", alice.read());
        await().atMost(Duration.ofSeconds(5)).until(() -> chat.nicks().equals(List.of("alice")));
    }

    @Test
    void aClientThatHangsUpLeaves() throws IOException {
        chat = ChatServer.start(0);
        Client alice = join("alice");
        Client bob = join("bob");
        alice.read(); // * bob joined
        bob.out.write("half a li".getBytes(StandardCharsets.UTF_8)); // no LF
        bob.socket.shutdownOutput(); // FIN inside a line: the half line is not broadcast
        assertEquals("* bob left", alice.read());
        assertNull(bob.read());
    }

    @Test
    void anOverLongLineGetsAnErrorAndADisconnect() throws IOException {
        chat = ChatServer.start(0);
        Client alice = join("alice");
        Client bob = join("bob");
        alice.read(); // * bob joined
        bob.send("y".repeat(5000));
        assertEquals("ERR line longer than 1024 bytes; bye", bob.read());
        assertNull(bob.read(), "EOF after the error");
        // None of it reached the room, not even the tail read as a new line.
        assertEquals("* bob left", alice.read());
        alice.send("/who");
        assertEquals("* here: alice", alice.read());
    }

    @Test
    void aLineOfExactlyTheLimitIsFine() throws IOException {
        chat = ChatServer.start(0);
        Client alice = join("alice");
        Client bob = join("bob");
        alice.read(); // * bob joined
        String text = "z".repeat(ChatServer.MAX_LINE - 1); // plus the LF: exactly MAX_LINE bytes
        bob.send(text);
        assertEquals("<bob> " + text, alice.read());
    }

    @Test
    void anOverLongNickLineIsRefusedToo() throws IOException {
        chat = ChatServer.start(0);
        Client c = new Client(0);
        c.read();
        c.send("n".repeat(3000));
        assertEquals("ERR line longer than 1024 bytes; bye", c.read());
        assertNull(c.read());
    }

    @Test
    void aClientThatNeverReadsIsDroppedAndTheRoomGoesOn() throws IOException {
        // Small buffers everywhere, so the slow client's backlog reaches its outbox quickly.
        chat = ChatServer.start(TcpServer.builder().port(0).sendBufferSize(4096), 32);
        Client slow = new Client(4096);
        slow.read();
        slow.send("slow");
        slow.read(); // from here on it never reads
        Client fast = join("fast");
        Client other = join("other");
        fast.read(); // * other joined
        String filler = "f".repeat(1000);
        boolean sawLeft = false;
        // Bounded: at most ~5 MB, far more than the slow client's small buffers and outbox hold.
        // Rounds of 16 lines that "other" reads before the next round: it never falls behind.
        for (int round = 0; round < 300 && !sawLeft; round++) {
            for (int i = 0; i < 16; i++) {
                fast.send(filler);
            }
            for (int got = 0; got < 16; ) {
                String line = other.read();
                if (line.equals("* slow left")) {
                    sawLeft = true;
                } else {
                    assertEquals("<fast> " + filler, line);
                    got++;
                }
            }
        }
        if (!sawLeft) {
            assertEquals("* slow left", other.read()); // the drop came with the last round
        }
        assertFalse(chat.nicks().contains("slow"), "slow client dropped");
        fast.send("still here");
        assertEquals("<fast> still here", other.read());
        assertEquals(List.of("fast", "other"), chat.nicks());
    }

    @Test
    void shutdownTellsEveryoneAndClosesWaitingClientsAtOnce() throws IOException {
        chat = ChatServer.start(0);
        Client alice = join("alice");
        Client bob = join("bob");
        alice.read(); // * bob joined
        ShutdownReport report = chat.shutdown(Duration.ofSeconds(30));
        assertEquals("* server shutting down", alice.read());
        assertNull(alice.read());
        assertEquals("* server shutting down", bob.read());
        assertNull(bob.read());
        assertEquals(2, report.closedIdle(), report.toString());
        assertEquals(0, report.forced(), report.toString());
        assertTrue(report.elapsed().compareTo(Duration.ofSeconds(10)) < 0, report.toString());
        chat = null;
    }
}
