package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the API refuses: bad options, close codes and reasons that may not go on the wire, oversized pings. */
class ApiChecksTest {

    @Test
    void optionsAreChecked() {
        WebSocketOptions d = WebSocketOptions.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withMaxMessageBytes(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxFrameBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> d.withFragmentBytes(0));
        assertThrows(IllegalArgumentException.class, () -> d.withIdleTimeout(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> d.withPingInterval(Duration.ofDays(400)));
        assertThrows(IllegalArgumentException.class, () -> d.withSubprotocols("chat v1"));
        assertThrows(IllegalArgumentException.class, () -> d.withSubprotocols(""));
        assertThrows(NullPointerException.class, () -> d.withOriginCheck(null));
        assertEquals(1 << 20, d.maxMessageBytes());
        assertEquals(Duration.ofSeconds(30), d.pingInterval());
        assertEquals(Duration.ofSeconds(60), d.idleTimeout());
        assertEquals(Duration.ofSeconds(5), d.closeTimeout());
        assertTrue(d.compression());
        assertEquals(List.of("a", "b"), d.withSubprotocols("a", "b").subprotocols());
    }

    @Test
    void closeCodesThatMayNotBeSentAndOversizedControlPayloadsAreRefused() throws Exception {
        List<String> refused = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        try (HttpServer server = Servers.builder().get("/ws", WebSocket.endpoint(s -> {
            for (int code : new int[] {999, 1004, 1005, 1006, 1015, 2000, 5000}) {
                try {
                    s.close(code, "");
                } catch (IllegalArgumentException e) {
                    refused.add(String.valueOf(code));
                }
            }
            try {
                s.close(1000, "x".repeat(124));
            } catch (IllegalArgumentException e) {
                refused.add("long reason");
            }
            try {
                s.ping(new byte[126]);
            } catch (IllegalArgumentException e) {
                refused.add("long ping");
            }
            assertTrue(s.isOpen(), "nothing was sent");
            done.countDown();
            s.close(3000, "x".repeat(123));
        })).start(); WsRaw c = WsRaw.open(server.port(), "/ws", "")) {
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertEquals(List.of("999", "1004", "1005", "1006", "1015", "2000", "5000", "long reason", "long ping"), refused);
            WsRaw.Frame f = c.read();
            assertEquals(3000, f.closeCode(), "the first valid close goes out");
            assertEquals(125, f.payload().length);
        }
    }
}
