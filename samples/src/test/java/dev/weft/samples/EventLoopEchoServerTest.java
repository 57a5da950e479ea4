package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EventLoopEchoServerTest extends EchoContract {

    private EventLoopEchoServer server;

    @Override
    int startServer() {
        server = EventLoopEchoServer.start(0);
        return server.port();
    }

    @Override
    void stopServer() {
        server.close();
    }

    @Test
    void shutdownClosesAWaitingClientAndEndsTheLoop() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            assertEquals(0, server.shutdown(Duration.ofSeconds(30)), "nothing was pending, nothing forced");
            assertEquals(-1, s.getInputStream().read());
        }
        assertFalse(server.isRunning(), "the loop thread is gone");
    }
}
