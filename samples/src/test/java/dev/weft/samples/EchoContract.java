package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every echo server here must do; one subclass per implementation. */
abstract class EchoContract {

    static final int SIZE = 4 << 20;

    /** Starts the server under test on an ephemeral port and returns the port. */
    abstract int startServer();

    abstract void stopServer();

    int port;

    @BeforeEach
    void start() {
        port = startServer();
    }

    @AfterEach
    void stop() {
        stopServer();
    }

    Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(10_000); // a broken server fails the test instead of hanging it
        return s;
    }

    @Test
    void echoesARoundTrip() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("hello\n", new String(s.getInputStream().readNBytes(6), StandardCharsets.US_ASCII));
            s.getOutputStream().write("again".getBytes(StandardCharsets.US_ASCII));
            assertEquals("again", new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void halfCloseGetsTheRestThenEof() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write("last words".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput(); // FIN: the server must echo what came before, then close
            assertEquals("last words", new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void halfCloseWithNothingSentIsAnEmptyReply() throws IOException {
        try (Socket s = connect()) {
            s.shutdownOutput();
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void largeEchoMatchesByHashWhileTheClientReadsLate() throws Exception {
        byte[] data = new byte[SIZE];
        new Random(42).nextBytes(data);
        try (Socket s = connect()) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    // Uneven chunks, so reads and writes on the server never line up.
                    for (int off = 0, step = 1000; off < data.length; off += step, step = step * 7 % 65_521 + 1) {
                        out.write(data, off, Math.min(step, data.length - off));
                    }
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            // A slow peer: the server's writes fill the kernel buffers and go partial.
            Thread.sleep(300);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                digest.update(buf, 0, n);
                total += n;
            }
            writer.get(10, TimeUnit.SECONDS);
            assertEquals(SIZE, total);
            assertEquals(sha256(data), HexFormat.of().formatHex(digest.digest()));
        }
    }

    @Test
    void streamsThenAnswersEveryRoundTripAtOnceThenStreamsAgain() throws Exception {
        Random random = new Random(5);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int round = 0; round < 2; round++) {
                // A stream: the server's reads fill its arrays, and it gathers what arrives.
                byte[] stream = new byte[3 << 20];
                random.nextBytes(stream);
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        out.write(stream);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                assertEquals(sha256(stream), sha256(in.readNBytes(stream.length)));
                writer.get(10, TimeUnit.SECONDS);
                // Then messages the client waits on: each echoed whole while nothing more comes,
                // the sizes around a full array of the server's among them.
                for (int size : new int[] {8192, 8192, 1, 8191, 8193, 16_384, 65_536, 3}) {
                    byte[] message = new byte[size];
                    random.nextBytes(message);
                    out.write(message);
                    assertArrayEquals(message, in.readNBytes(size), "a round trip of " + size + " bytes");
                }
            }
        }
    }

    @Test
    void servesManyClientsAtOnce() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                sockets.add(connect());
            }
            for (int i = 0; i < sockets.size(); i++) {
                sockets.get(i).getOutputStream().write(("client " + i + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            for (int i = 0; i < sockets.size(); i++) {
                byte[] expected = ("client " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                assertArrayEquals(expected, sockets.get(i).getInputStream().readNBytes(expected.length));
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
