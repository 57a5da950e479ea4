package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ShutdownReport;
import dev.weft.core.TcpServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EchoServerTest extends EchoContract {

    private TcpServer server;

    @Override
    int startServer() {
        server = EchoServer.start(0);
        return server.port();
    }

    @Override
    void stopServer() {
        server.shutdown(Duration.ofSeconds(2));
    }

    @Test
    void shutdownClosesAWaitingClientAtOnce() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            // The echo is done and the server waits for more: idle, so nothing makes it wait the grace.
            ShutdownReport report = server.shutdown(Duration.ofSeconds(30));
            assertEquals(1, report.closedIdle(), report.toString());
            assertEquals(0, report.forced(), report.toString());
            assertTrue(report.elapsed().compareTo(Duration.ofSeconds(10)) < 0, report.toString());
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void countsTheBytesItEchoes() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(new byte[1000]);
            s.shutdownOutput();
            assertEquals(1000, s.getInputStream().readAllBytes().length);
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                server.stats().bytesIn() == 1000 && server.stats().bytesOut() == 1000 && server.stats().active() == 0);
    }
}
