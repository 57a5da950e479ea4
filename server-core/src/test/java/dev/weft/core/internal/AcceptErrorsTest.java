package dev.weft.core.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.TcpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Accept errors (EMFILE and the like) are logged rate-limited, backed off, and never end the loop. */
class AcceptErrorsTest {

    /** A listener whose first accepts fail as they do when the process is out of descriptors. */
    static final class FlakyListener extends ServerSocketChannel {
        private final ServerSocketChannel real;
        final AtomicInteger failuresLeft;
        private final Supplier<? extends Throwable> failure;

        FlakyListener(ServerSocketChannel real, int failures) {
            this(real, failures, () -> new IOException("Too many open files"));
        }

        /** A listener whose first {@code failures} accepts throw what {@code failure} makes (an Error, say). */
        FlakyListener(ServerSocketChannel real, int failures, Supplier<? extends Throwable> failure) {
            super(real.provider());
            this.real = real;
            this.failuresLeft = new AtomicInteger(failures);
            this.failure = failure;
        }

        @Override
        public SocketChannel accept() throws IOException {
            if (failuresLeft.getAndDecrement() > 0) {
                Throwable t = failure.get();
                if (t instanceof IOException io) {
                    throw io;
                }
                if (t instanceof RuntimeException r) {
                    throw r;
                }
                throw (Error) t;
            }
            return real.accept();
        }

        @Override
        public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
            real.bind(local, backlog);
            return this;
        }

        @Override
        public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
            real.setOption(name, value);
            return this;
        }

        @Override
        public <T> T getOption(SocketOption<T> name) throws IOException {
            return real.getOption(name);
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return real.supportedOptions();
        }

        @Override
        public ServerSocket socket() {
            return real.socket();
        }

        @Override
        public SocketAddress getLocalAddress() throws IOException {
            return real.getLocalAddress();
        }

        @Override
        protected void implCloseSelectableChannel() throws IOException {
            real.close();
        }

        @Override
        protected void implConfigureBlocking(boolean block) throws IOException {
            real.configureBlocking(block);
        }
    }

    @Test
    void acceptErrorsAreLoggedOnceBackedOffAndSurvived() throws Exception {
        PrintStream saved = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        FlakyListener listener = new FlakyListener(ServerSocketChannel.open(), 3);
        Engine engine = null;
        try {
            engine = Engine.start(TcpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                    .handler(conn -> conn.out().write('!')).build(), conn -> conn.out().write('!'), listener);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), engine.port()), 5_000);
                s.setSoTimeout(10_000);
                assertEquals('!', s.getInputStream().read());
            }
            assertTrue(listener.failuresLeft.get() < 0, "all three failures happened before the accept");
            Engine e = engine;
            await().atMost(Duration.ofSeconds(5)).until(() -> e.stats().completed() == 1);
        } finally {
            if (engine != null) {
                engine.shutdown(Duration.ofSeconds(1));
            }
            System.setErr(saved);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        saved.print(text);
        // Three failures within the back-off window: one report, not three.
        assertEquals(1, text.split("accept on port", -1).length - 1, text);
        assertTrue(text.contains("Too many open files"), text);
    }

    private static Engine start(ServerSocketChannel listener) throws IOException {
        return Engine.start(TcpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .shutdownGrace(Duration.ofSeconds(1)).handler(conn -> conn.out().write('!')).build(),
                conn -> conn.out().write('!'), listener);
    }

    /** An Error that is not the JVM failing (a linkage or assertion error, say) is logged and survived. */
    @Test
    void anErrorInTheAcceptLoopIsLoggedAndSurvived() throws Exception {
        PrintStream saved = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        FlakyListener listener = new FlakyListener(ServerSocketChannel.open(), 1, () -> new AssertionError("injected"));
        Engine engine = null;
        try {
            engine = start(listener);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), engine.port()), 5_000);
                s.setSoTimeout(5_000);
                assertEquals('!', s.getInputStream().read(), "the acceptor still accepts");
            }
            assertTrue(!engine.isDraining());
        } finally {
            if (engine != null) {
                engine.shutdown(Duration.ofSeconds(1));
            }
            System.setErr(saved);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        saved.print(text);
        assertTrue(text.contains("ERROR") && text.contains("java.lang.AssertionError: injected"), text);
    }

    /**
     * A VirtualMachineError (out of memory, say) ends accepting for good: the listener is closed,
     * so clients are refused instead of hanging in the backlog, the server shuts down, and
     * awaitTermination says why.
     */
    @Test
    void aVirtualMachineErrorClosesTheListenerAndFailsLoudly() throws Exception {
        PrintStream saved = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        FlakyListener listener = new FlakyListener(ServerSocketChannel.open(), 1,
                () -> new OutOfMemoryError("injected"));
        Engine engine = start(listener);
        try {
            Engine e = engine;
            java.util.concurrent.CompletableFuture<Throwable> waited = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    e.awaitTermination();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Throwable t = waited.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(t instanceof IllegalStateException, String.valueOf(t));
            IllegalStateException failed = (IllegalStateException) t;
            assertTrue(failed.getCause() instanceof OutOfMemoryError, String.valueOf(failed.getCause()));
            assertTrue(failed.getMessage().contains(String.valueOf(e.port())), failed.getMessage());
            assertTrue(e.isDraining());
            assertTrue(!listener.isOpen(), "the listener is closed");
            assertThrows(java.net.ConnectException.class,
                    () -> new Socket(InetAddress.getLoopbackAddress(), e.port()).close(), "refused, not left hanging");
        } finally {
            engine.shutdown(Duration.ofSeconds(1));
            System.setErr(saved);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        saved.print(text);
        assertTrue(text.contains("ERROR") && text.contains("java.lang.OutOfMemoryError: injected"), text);
    }
}
