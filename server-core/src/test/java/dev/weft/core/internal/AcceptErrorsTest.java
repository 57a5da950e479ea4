package dev.weft.core.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.Test;

/** Accept errors (EMFILE and the like) are logged rate-limited, backed off, and never end the loop. */
class AcceptErrorsTest {

    /** A listener whose first accepts fail as they do when the process is out of descriptors. */
    static final class FlakyListener extends ServerSocketChannel {
        private final ServerSocketChannel real;
        final AtomicInteger failuresLeft;

        FlakyListener(ServerSocketChannel real, int failures) {
            super(real.provider());
            this.real = real;
            this.failuresLeft = new AtomicInteger(failures);
        }

        @Override
        public SocketChannel accept() throws IOException {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IOException("Too many open files");
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
}
