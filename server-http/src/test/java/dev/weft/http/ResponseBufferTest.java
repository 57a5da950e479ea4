package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A streamed response's buffer comes from the connection's pool and goes back when the exchange
 * ends: a handler that kept its stream cannot write into a buffer another response holds by then.
 */
class ResponseBufferTest {

    @Test
    void aStreamKeptPastTheExchangeCannotWriteAndLaterResponsesAreIntact() throws Exception {
        AtomicReference<OutputStream> kept = new AtomicReference<>();
        try (HttpServer server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .accessLog(false)
                .get("/keep", (req, res) -> {
                    OutputStream out = res.outputStream();
                    out.write("first".getBytes(StandardCharsets.US_ASCII));
                    kept.set(out);
                })
                .get("/n/{n}", (req, res) -> {
                    byte[] b = ("body " + req.pathParam("n")).repeat(300).getBytes(StandardCharsets.US_ASCII);
                    try (OutputStream out = res.outputStream()) {
                        out.write(b, 0, 1000);
                        out.write(b, 1000, b.length - 1000);
                    }
                })
                .start();
             Raw raw = new Raw(server.port())) {
            raw.send("GET /keep HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("first", new String(raw.read().body(), StandardCharsets.US_ASCII));
            // The exchange is over: the kept stream refuses, it never reaches the pooled buffer.
            IOException e = assertThrows(IOException.class, () -> kept.get().write(new byte[] {'X'}));
            assertEquals("response body stream is closed", e.getMessage());
            for (int i = 0; i < 20; i++) {
                raw.send("GET /n/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals(("body " + i).repeat(300), new String(raw.read().body(), StandardCharsets.US_ASCII));
            }
        }
    }
}
