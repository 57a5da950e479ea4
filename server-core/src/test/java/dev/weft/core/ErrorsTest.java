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
