package dev.weft.core;

import static dev.weft.core.Net.ascii;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Big streams through small buffers: partial writes, the writen loop, and zero-copy file sends. */
class LargeTransferTest {

    private static final int SIXTEEN_MIB = 16 * 1024 * 1024;

    @Test
    void a16MibEchoToASlowReaderArrivesIntact() throws Exception {
        try (TcpServer server = Net.builder().sendBufferSize(16 * 1024).receiveBufferSize(16 * 1024)
                .handler(conn -> conn.in().transferTo(conn.out())).start();
             Socket s = new Socket()) {
            s.setReceiveBufferSize(16 * 1024);
            s.connect(new InetSocketAddress(Net.LOOPBACK, server.port()), 5_000);
            s.setSoTimeout(20_000);
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    Random random = new Random(42);
                    byte[] chunk = new byte[64 * 1024];
                    for (int written = 0; written < SIXTEEN_MIB; written += chunk.length) {
                        random.nextBytes(chunk);
                        sent.update(chunk);
                        out.write(chunk);
                    }
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            InputStream in = s.getInputStream();
            byte[] b = new byte[4096];
            long total = 0;
            int reads = 0;
            for (int n; (n = in.read(b)) != -1; ) {
                received.update(b, 0, n);
                total += n;
                if (++reads % 256 == 0) {
                    Thread.sleep(1); // a slow reader: the server's writes back up and complete in parts
                }
            }
            writer.get(20, TimeUnit.SECONDS);
            assertEquals(SIXTEEN_MIB, total);
            assertArrayEquals(sent.digest(), received.digest());
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().bytesOut() == SIXTEEN_MIB);
            assertEquals(SIXTEEN_MIB, server.stats().bytesIn());
        }
    }

    @Test
    void transferFromSendsAFileAfterTheBufferedHead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.bin");
        byte[] data = new byte[5 * 1024 * 1024 + 17];
        new Random(1).nextBytes(data);
        Files.write(file, data);
        long[] sent = new long[2];
        try (TcpServer server = Net.builder().handler(conn -> {
            try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ)) {
                conn.out().write(ascii("HEAD"));
                sent[0] = conn.out().transferFrom(fc, 0, data.length);
                sent[1] = conn.out().transferFrom(fc, data.length - 10, 100); // past the end: what the file has
            }
        }).start(); Socket s = Net.connect(server)) {
            byte[] got = s.getInputStream().readAllBytes();
            assertEquals(4 + data.length + 10, got.length);
            assertArrayEquals(ascii("HEAD"), java.util.Arrays.copyOf(got, 4));
            MessageDigest a = MessageDigest.getInstance("SHA-256");
            a.update(data);
            MessageDigest b = MessageDigest.getInstance("SHA-256");
            b.update(got, 4, data.length);
            assertArrayEquals(a.digest(), b.digest());
            assertEquals(data.length, sent[0]);
            assertEquals(10, sent[1]);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().bytesOut() == 4L + data.length + 10);
        }
    }
}
