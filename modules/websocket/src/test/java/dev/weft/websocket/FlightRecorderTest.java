package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dev.weft.WebSocketSession event, recorded around a session with the JDK's client. */
class FlightRecorderTest {

    @TempDir
    Path dir;

    @Test
    void aSessionIsAnEventWithItsMessagesBytesAndCloseCode() throws Exception {
        Path file = dir.resolve("ws.jfr");
        try (Recording r = new Recording()) {
            r.enable("dev.weft.WebSocketSession");
            r.start();
            try (HttpServer server = Servers.echoServer(WebSocketOptions.defaults())) {
                JdkClientTest.Collector c = new JdkClientTest.Collector();
                java.net.http.WebSocket ws = JdkClientTest.connect(server, "/echo", c);
                ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
                assertEquals("hello", c.next());
                ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), true).get(5, TimeUnit.SECONDS);
                c.next();
                ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
                assertTrue(c.closed.get(5, TimeUnit.SECONDS).startsWith("1000"));
            } // shutdown waits for the connection's thread: the event is committed by then
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.weft.WebSocketSession")).toList();
        assertEquals(1, events.size(), events.toString());
        RecordedEvent e = events.get(0);
        assertEquals("/echo", e.getString("path"));
        assertTrue(e.getLong("connectionId") > 0);
        assertFalse(e.getBoolean("compressed"), "the JDK client does not offer permessage-deflate");
        assertEquals(2, e.getLong("messagesIn"));
        assertEquals(2, e.getLong("messagesOut"));
        assertEquals(9, e.getLong("bytesIn"));
        assertEquals(9, e.getLong("bytesOut"));
        assertEquals(1000, e.getInt("closeCode"));
        assertEquals("done", e.getString("closeReason"));
        assertTrue(e.getDuration().compareTo(Duration.ZERO) > 0);
    }

    @Test
    void aHibernatingListenerSessionIsOneEventFromTheHandshakeToTheClose() throws Exception {
        Path file = dir.resolve("listener.jfr");
        try (Recording r = new Recording()) {
            r.enable("dev.weft.WebSocketSession");
            r.start();
            try (HttpServer server = Servers.builder().hibernateIdleAfter(Duration.ofMillis(20))
                    .get("/l", WebSocket.listener((s, m) -> s.send(m.text()))).start()) {
                JdkClientTest.Collector c = new JdkClientTest.Collector();
                java.net.http.WebSocket ws = JdkClientTest.connect(server, "/l", c);
                for (String m : new String[] {"one", "two"}) {
                    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().hibernated() == 1);
                    ws.sendText(m, true).get(5, TimeUnit.SECONDS);
                    assertEquals(m, c.next());
                }
                ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
                assertTrue(c.closed.get(5, TimeUnit.SECONDS).startsWith("1000"));
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.weft.WebSocketSession")).toList();
        assertEquals(1, events.size(), "one event across the hibernations: " + events);
        RecordedEvent e = events.get(0);
        assertEquals("/l", e.getString("path"));
        assertEquals(2, e.getLong("messagesIn"));
        assertEquals(2, e.getLong("messagesOut"));
        assertEquals(6, e.getLong("bytesIn"));
        assertEquals(1000, e.getInt("closeCode"));
        assertEquals("bye", e.getString("closeReason"));
    }
}
