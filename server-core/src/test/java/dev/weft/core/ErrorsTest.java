package dev.weft.core;

import static dev.weft.core.Net.ascii;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A failing handler or a rude peer ends one connection, logged once and at the right level. */
class ErrorsTest {

    @Test
    void aHandlerExceptionEndsOnlyItsConnectionAndIsLoggedOnceWithItsId() throws Exception {
        try (Net.LogCapture log = new Net.LogCapture();
             TcpServer server = Net.builder().handler(conn -> {
                 String line = conn.in().readLine(100);
                 if ("boom".equals(line)) {
                     throw new IllegalStateException("handler bug on purpose");
                 }
                 conn.out().write(ascii("echo " + line + "\n"));
             }).start()) {
            try (Socket s = Net.connect(server)) {
                s.getOutputStream().write(ascii("boom\n"));
                assertTrue(Net.closedByPeer(s.getInputStream()));
            }
            try (Socket s = Net.connect(server)) {
                s.getOutputStream().write(ascii("fine\n"));
                assertEquals("echo fine\n", Net.readAll(s));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().completed() == 2);
            String text = log.text();
            assertEquals(1, text.split("handler failed", -1).length - 1, text);
            assertTrue(text.contains("WARN") && text.contains("conn 1 (") && text.contains("handler bug on purpose"), text);
            assertFalse(text.contains("conn 2 ("), text);
        }
    }

    /** Only our own socket's failures are the peer's doing: a handler's own IOException is a WARN with a stack trace. */
    @Test
    void aHandlersOwnIoExceptionIsAWarnEvenIfItsMessageSaysClosed() throws Exception {
        try (Net.LogCapture log = new Net.LogCapture();
             TcpServer server = Net.builder().handler(conn -> {
                 conn.in().readLine(100);
                 throw new IOException("backend closed the connection");
             }).start()) {
            try (Socket s = Net.connect(server)) {
                s.getOutputStream().write(ascii("go\n"));
                assertTrue(Net.closedByPeer(s.getInputStream()));
            }
            // The stack trace names the handler's own frame.
            await().atMost(Duration.ofSeconds(5)).until(() -> log.text().contains("dev.weft.core.ErrorsTest.lambda"));
            String text = log.text();
            assertTrue(text.contains("WARN") && text.contains("handler failed")
                    && text.contains("java.io.IOException: backend closed the connection"), text);
        }
    }

    /** A handler's own SocketException (say, from a backend it calls) is not mistaken for the client leaving. */
    @Test
    void aHandlersOwnSocketExceptionIsAWarnToo() throws Exception {
        try (Net.LogCapture log = new Net.LogCapture();
             TcpServer server = Net.builder().handler(conn -> {
                 conn.in().readLine(100);
                 throw new java.net.SocketException("Connection reset");
             }).start()) {
            try (Socket s = Net.connect(server)) {
                s.getOutputStream().write(ascii("go\n"));
                assertTrue(Net.closedByPeer(s.getInputStream()));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> log.text().contains("handler failed"));
            assertTrue(log.text().contains("WARN"), log.text());
        }
    }

    /** What our own streams throw when the peer leaves mid-message stays quiet, wrapped or not. */
    @Test
    void ourStreamsFailuresStayQuietEvenWhenTheHandlerWrapsThem() throws Exception {
        try (Net.LogCapture log = new Net.LogCapture();
             TcpServer server = Net.builder().handler(conn -> {
                 try {
                     conn.in().readExactly(100); // the peer sends 3 bytes and leaves
                 } catch (IOException e) {
                     throw new java.io.UncheckedIOException("reading the frame", e);
                 }
             }).start()) {
            try (Socket s = Net.connect(server)) {
                s.getOutputStream().write(ascii("abc"));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().completed() == 1);
            assertFalse(log.text().contains("WARN") || log.text().contains("ERROR"), log.text());
        }
    }

    @Test
    void aClientResetIsHandledQuietly() throws Exception {
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        try (Net.LogCapture log = new Net.LogCapture();
             TcpServer server = Net.builder().handler(conn -> {
                 try {
                     conn.in().transferTo(conn.out());
                     seen.complete(null);
                 } catch (IOException e) {
                     seen.complete(e);
                     throw e;
                 }
             }).start()) {
            Socket s = Net.connect(server);
            s.getOutputStream().write(ascii("x"));
            assertEquals('x', s.getInputStream().read());
            s.setSoLinger(true, 0);
            s.close(); // RST
            Throwable t = seen.get(10, TimeUnit.SECONDS);
            assertTrue(t instanceof IOException, String.valueOf(t));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
            assertFalse(log.text().contains("WARN") || log.text().contains("ERROR"), log.text());
        }
    }

    @Test
    void aResetDuringALargeWriteIsQuietToo() throws Exception {
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        try (Net.LogCapture log = new Net.LogCapture();
             TcpServer server = Net.builder().handler(conn -> {
                 try {
                     conn.in().read();
                     byte[] chunk = new byte[64 * 1024];
                     for (int i = 0; i < 2048; i++) { // bounded: 128 MiB
                         conn.out().write(chunk);
                     }
                     seen.complete(null);
                 } catch (IOException e) {
                     seen.complete(e);
                     throw e;
                 }
             }).start()) {
            Socket s = Net.connect(server);
            s.getOutputStream().write(1);
            s.getInputStream().readNBytes(100_000);
            s.setSoLinger(true, 0);
            s.close();
            Throwable t = seen.get(10, TimeUnit.SECONDS);
            assertTrue(t instanceof IOException, String.valueOf(t));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
            assertFalse(log.text().contains("WARN") || log.text().contains("ERROR"), log.text());
        }
    }

    @Test
    void abortResetsThePeer() throws Exception {
        try (TcpServer server = Net.builder().handler(conn -> {
            conn.in().read();
            conn.out().write(ascii("partial"));
            conn.out().flush();
            conn.abort();
            assertTrue(conn.isClosed());
            conn.abort(); // idempotent
            conn.close();
        }).start(); Socket s = Net.connect(server)) {
            s.getOutputStream().write(1);
            // The peer sees a reset (or, if the data won the race, the data and then the reset), never a clean EOF.
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    if (s.getInputStream().read() == -1) {
                        return;
                    }
                }
            });
        }
    }
}
