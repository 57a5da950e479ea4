package dev.weft.core;

import static dev.weft.core.Net.ascii;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS over the same connection model: handshake on the connection's thread, bounded; copy-loop transferFrom. */
class TlsTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;

    private static SSLContext serverContext;
    private static SSLContext clientContext;

    /** A fresh self-signed EC key made with the JDK's keytool: no committed secrets, no network. */
    @BeforeAll
    static void makeKeystore() throws Exception {
        Path store = dir.resolve("test.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "weft", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tmf.getTrustManagers(), null);
    }

    private static SSLSocket tlsConnect(TcpServer server) throws Exception {
        SSLSocket s = (SSLSocket) clientContext.getSocketFactory().createSocket(Net.LOOPBACK, server.port());
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    @Test
    void echoesOverTls() throws Exception {
        CompletableFuture<Boolean> secure = new CompletableFuture<>();
        try (TcpServer server = Net.builder().tls(serverContext).handler(conn -> {
            secure.complete(conn.isSecure());
            conn.in().transferTo(conn.out());
        }).start(); SSLSocket s = tlsConnect(server)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] big = new byte[200_000];
            new Random(7).nextBytes(big);
            for (int i = 0; i < 3; i++) {
                out.write(ascii("line " + i + "\n"));
                assertEquals("line " + i + "\n", new String(in.readNBytes(7), java.nio.charset.StandardCharsets.US_ASCII));
            }
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    out.write(big);
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertArrayEquals(big, in.readNBytes(big.length));
            writer.get(10, TimeUnit.SECONDS);
            assertTrue(secure.get(1, TimeUnit.SECONDS));
        }
    }

    /** The ByteBuffer calls on TLS: a direct buffer goes through the connection's buffers and the records, not the channel. */
    @Test
    void aDirectBufferEchoesOverTls() throws Exception {
        try (TcpServer server = Net.builder().tls(serverContext)
                .handler(ByteBufferIoTest.echoThrough(64 * 1024, true, new CompletableFuture<>())).start();
             SSLSocket s = tlsConnect(server)) {
            OutputStream out = s.getOutputStream();
            byte[] big = new byte[1024 * 1024 + 5];
            new Random(9).nextBytes(big);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    out.write(big);
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertArrayEquals(big, s.getInputStream().readNBytes(big.length));
            writer.get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().bytesOut() >= big.length);
        }
    }

    @Test
    void transferFromFallsBackToACopyLoopOnTls() throws Exception {
        Path file = dir.resolve("payload.bin");
        byte[] data = new byte[300_000];
        new Random(3).nextBytes(data);
        Files.write(file, data);
        try (TcpServer server = Net.builder().tls(serverContext).handler(conn -> {
            try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ)) {
                conn.out().write(ascii("head"));
                long sent = conn.out().transferFrom(fc, 100, data.length - 100);
                conn.out().write(ascii(sent + "\n"));
            }
        }).start(); SSLSocket s = tlsConnect(server)) {
            byte[] got = s.getInputStream().readAllBytes();
            String tail = (data.length - 100) + "\n";
            assertEquals(4 + data.length - 100 + tail.length(), got.length);
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 100, data.length), java.util.Arrays.copyOfRange(got, 4, 4 + data.length - 100));
        }
    }

    /** Like Go's "TLS handshake error from …": visible without DEBUG, and rate-limited against scanners. */
    @Test
    void failedHandshakesAreLoggedAtInfoAtMostOnceASecond() throws Exception {
        try (Net.LogCapture log = new Net.LogCapture();
             TcpServer server = Net.builder().tls(serverContext).handler(conn -> { }).start()) {
            for (int i = 0; i < 5; i++) {
                try (Socket plain = Net.connect(server)) {
                    plain.getOutputStream().write(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); // not a ClientHello
                    try {
                        plain.getInputStream().readAllBytes(); // an alert, perhaps, then the close
                    } catch (java.io.IOException reset) {
                        // or a reset: either way the server is done with us
                    }
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().completed() == 5);
            String text = log.text();
            long lines = text.lines().filter(l -> l.contains("TLS handshake failed")).count();
            assertTrue(lines >= 1 && lines < 5, "rate-limited INFO lines: " + lines + "\n" + text);
            // Which of the five failures gets the line depends on which thread gets there first.
            assertTrue(text.lines().anyMatch(l -> l.contains("INFO") && l.contains("TLS handshake failed")
                    && l.matches(".*conn \\d+ \\(/127\\.0\\.0\\.1:\\d+\\).*")), text);
            assertTrue(!text.contains("WARN"), text);
        }
    }

    @Test
    void aSilentClientHitsTheHandshakeTimeout() throws Exception {
        CompletableFuture<Boolean> handlerRan = new CompletableFuture<>();
        try (TcpServer server = Net.builder().tls(serverContext).handshakeTimeout(Duration.ofMillis(200))
                .handler(conn -> handlerRan.complete(true)).start();
             Socket plain = Net.connect(server)) {
            // Connected at TCP level, never says ClientHello.
            assertTrue(Net.closedByPeer(plain.getInputStream()));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
            assertEquals(1, server.stats().timeouts(ConnectionTimeoutException.Kind.HANDSHAKE));
            assertTrue(!handlerRan.isDone());
        }
    }

    @Test
    void aClientDribblingItsHelloIsCutByTheHandshakeTimeoutAsAWhole() throws Exception {
        try (TcpServer server = Net.builder().tls(serverContext).handshakeTimeout(Duration.ofMillis(300))
                .handler(conn -> { }).start();
             Socket plain = Net.connect(server)) {
            OutputStream out = plain.getOutputStream();
            out.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00}); // a TLS record header announcing 512 bytes
            int sent = 0;
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 1);
            // Each byte comes well within the per-read SO_TIMEOUT; only the total bound can end this.
            for (; sent < 50 && server.stats().active() > 0; sent++) {
                try {
                    out.write(0);
                } catch (java.io.IOException closed) {
                    break;
                }
                Thread.sleep(100); // a slow peer: one byte per 100 ms
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
            assertTrue(sent < 50, "cut before the peer gave up: " + sent);
            assertEquals(1, server.stats().timeouts(ConnectionTimeoutException.Kind.HANDSHAKE));
        }
    }

    @Test
    void aPlainTextClientFailsTheHandshakeQuietly() throws Exception {
        try (Net.LogCapture log = new Net.LogCapture();
             TcpServer server = Net.builder().tls(serverContext).handler(conn -> { }).start();
             Socket plain = Net.connect(server)) {
            plain.getOutputStream().write(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertTrue(Net.closedAfterAtMost(plain.getInputStream(), 1024), "an alert at most, then close");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().active() == 0);
            assertTrue(!log.text().contains("WARN"), log.text());
        }
    }

    @Test
    void halfCloseWorksOverTls() throws Exception {
        CompletableFuture<String> after = new CompletableFuture<>();
        try (TcpServer server = Net.builder().tls(serverContext).handler(conn -> {
            conn.out().write(ascii("bye\n"));
            conn.shutdownOutput();
            after.complete(conn.in().readLine(100));
        }).start(); SSLSocket s = tlsConnect(server)) {
            assertEquals("bye\n", new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().write(ascii("still reading\n"));
            s.getOutputStream().flush();
            assertEquals("still reading", after.get(10, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    /** As on plain TCP (and as SocketInput promises): after a read timeout every later read throws it again. */
    @Test
    void aReadTimeoutEndsTheInputOverTlsAsOverPlainTcp() throws Exception {
        CompletableFuture<Throwable> first = new CompletableFuture<>();
        CompletableFuture<Void> clientSent = new CompletableFuture<>();
        CompletableFuture<Object> second = new CompletableFuture<>();
        try (TcpServer server = Net.builder().tls(serverContext).readTimeout(Duration.ofMillis(200)).handler(conn -> {
            try {
                conn.in().read();
                first.complete(null);
            } catch (java.io.IOException e) {
                first.complete(e);
            }
            clientSent.get(10, TimeUnit.SECONDS);
            try {
                second.complete(conn.in().read()); // the byte the client sent after the timeout
            } catch (java.io.IOException e) {
                second.complete(e);
            }
            conn.out().write(ascii("still writable\n")); // the output side stays usable
        }).start(); SSLSocket s = tlsConnect(server)) {
            ConnectionTimeoutException e = assertInstanceOf(ConnectionTimeoutException.class, first.get(10, TimeUnit.SECONDS));
            assertEquals(ConnectionTimeoutException.Kind.READ, e.kind());
            s.getOutputStream().write('x');
            s.getOutputStream().flush();
            clientSent.complete(null);
            ConnectionTimeoutException again = assertInstanceOf(ConnectionTimeoutException.class, second.get(10, TimeUnit.SECONDS),
                    "the read after a timeout throws it again instead of reading on");
            assertEquals(ConnectionTimeoutException.Kind.READ, again.kind());
            assertEquals("still writable\n", new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(1, server.stats().timeouts(ConnectionTimeoutException.Kind.READ), "counted once");
        }
    }
}
