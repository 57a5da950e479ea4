package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EchoTest {

    @Test
    void echoesUntilThePeerHalfCloses() throws Exception {
        try (TcpServer server = TcpServer.builder()
                .bindAddress(InetAddress.getLoopbackAddress())
                .handler(conn -> conn.in().transferTo(conn.out()))
                .start();
             Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), in.readNBytes(5));
            out.write(" world".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertArrayEquals(" world".getBytes(StandardCharsets.US_ASCII), in.readAllBytes());
            assertEquals(-1, in.read());
        }
    }
}
