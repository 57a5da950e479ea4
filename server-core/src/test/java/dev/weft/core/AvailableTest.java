package dev.weft.core;

import static dev.weft.core.Net.ascii;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link SocketInput#available()}: what can be read without blocking, buffered bytes first, else
 * what has arrived on the socket; never a wait, never a read.
 */
class AvailableTest {

    @Test
    void countsWhatArrivedBeforeAnyReadThenWhatIsBuffered() throws Exception {
        CompletableFuture<List<Integer>> seen = new CompletableFuture<>();
        CompletableFuture<Void> sendMore = new CompletableFuture<>();
        try (TcpServer server = Net.builder().handler(conn -> {
            SocketInput in = conn.in();
            List<Integer> r = new ArrayList<>();
            r.add(in.available()); // nothing sent yet: 0, and no wait
            sendMore.complete(null);
            await().atMost(Duration.ofSeconds(5)).until(() -> in.available() == 5);
            r.add(in.buffered()); // counted on the socket, not read: still nothing buffered
            r.add(in.read());
            r.add(in.available()); // the rest came in with that read: buffered now
            r.add(in.buffered());
            r.add(in.readExactly(4).length);
            r.add(in.available());
            seen.complete(r);
        }).start(); Socket s = Net.connect(server)) {
            sendMore.get(5, TimeUnit.SECONDS);
            s.getOutputStream().write(ascii("hello"));
            assertEquals(List.of(0, 0, (int) 'h', 4, 4, 4, 0), seen.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void isZeroAtEndOfStreamAndAfterATimeout() throws Exception {
        CompletableFuture<List<Object>> seen = new CompletableFuture<>();
        try (TcpServer server = Net.builder().readTimeout(Duration.ofMillis(200)).handler(conn -> {
            SocketInput in = conn.in();
            List<Object> r = new ArrayList<>();
            conn.markBusy(); // the read below is bounded by readTimeout
            try {
                in.read();
            } catch (IOException e) {
                r.add(e);
            }
            r.add(in.available()); // the timeout shut the input down: nothing, not an exception
            seen.complete(r);
        }).start(); Socket s = Net.connect(server)) {
            List<Object> r = seen.get(10, TimeUnit.SECONDS);
            assertInstanceOf(ConnectionTimeoutException.class, r.get(0));
            assertEquals(0, r.get(1));
        }
        CompletableFuture<Integer> atEnd = new CompletableFuture<>();
        try (TcpServer server = Net.builder().handler(conn -> {
            int n = conn.in().read();
            atEnd.complete(n < 0 ? conn.in().available() : -2);
        }).start(); Socket s = Net.connect(server)) {
            s.shutdownOutput();
            assertEquals(0, atEnd.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aClosedConnectionSaysSo() throws Exception {
        CompletableFuture<Object> seen = new CompletableFuture<>();
        try (TcpServer server = Net.builder().handler(conn -> {
            conn.close();
            try {
                seen.complete("no exception, available() = " + conn.in().available());
            } catch (IOException e) {
                seen.complete(e);
            }
        }).start(); Socket s = Net.connect(server)) {
            assertInstanceOf(IOException.class, seen.get(10, TimeUnit.SECONDS));
        }
    }
}
