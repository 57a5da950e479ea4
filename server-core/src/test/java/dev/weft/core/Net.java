package dev.weft.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Test helpers: a loopback builder, client sockets, descriptor and thread counts, log capture. */
final class Net {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private Net() {
    }

    static TcpServer.Builder builder() {
        return TcpServer.builder().bindAddress(LOOPBACK).shutdownGrace(java.time.Duration.ofSeconds(2));
    }

    static Socket connect(TcpServer server) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(LOOPBACK, server.port()), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** The exception {@code f} failed with, within 10 s; an AssertionError if it completed normally. */
    static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static String readAll(Socket s) throws IOException {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** True once the peer has closed: read gives -1 (or a reset). */
    static boolean closedByPeer(InputStream in) {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    /** True once the peer has closed after sending at most {@code limit} more bytes (a TLS alert, say). */
    static boolean closedAfterAtMost(InputStream in, int limit) {
        try {
            for (int i = 0; i <= limit; i++) {
                if (in.read() == -1) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    static long openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Our platform threads (acceptor, watchdog): virtual ones are not listed by getAllStackTraces. */
    static long weftPlatformThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("weft-")).count();
    }

    /**
     * Captures what slf4j-simple prints (it looks System.err up on every message), for tests
     * that assert what is logged and how loudly.
     */
    static final class LogCapture implements AutoCloseable {
        private final PrintStream saved = System.err;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        LogCapture() {
            System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() {
            System.setErr(saved);
            saved.print(text());
        }
    }
}
