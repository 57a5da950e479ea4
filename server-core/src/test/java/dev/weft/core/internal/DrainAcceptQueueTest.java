package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ShutdownReport;
import dev.weft.core.TcpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * At the end of a drain delay the connections the kernel has queued but the acceptor has not
 * taken yet are accepted and served, not reset by the listener's close.
 */
class DrainAcceptQueueTest {

    /** A listener whose acceptor does not come round until the drain delay is over. */
    static final class StarvedListener extends ServerSocketChannel {
        private final ServerSocketChannel real;
        volatile Engine engine;

        StarvedListener(ServerSocketChannel real) {
            super(real.provider());
            this.real = real;
        }

        @Override
        public SocketChannel accept() throws IOException {
            // Plays an acceptor starved of CPU under load while clients queue up in the kernel:
            // it gets to accept() again only once the shutdown has asked it to stop accepting.
            while (engine == null || !engine.stopAcceptingRequested()) {
                if (!isOpen()) {
                    throw new java.nio.channels.ClosedChannelException();
                }
                LockSupport.parkNanos(1_000_000);
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
    void theQueuedConnectionsAreAcceptedAndServedWhenTheDelayEnds() throws Exception {
        StarvedListener listener = new StarvedListener(ServerSocketChannel.open());
        Engine engine = Engine.start(TcpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .drainDelay(Duration.ofMillis(500)).handler(conn -> { }).build(), conn -> {
                    String line = conn.in().readLine(100);
                    conn.out().write(("ok " + line + (conn.isDraining() ? " draining" : "") + "\n")
                            .getBytes(StandardCharsets.US_ASCII));
                }, listener);
        listener.engine = engine;
        List<Socket> clients = new ArrayList<>();
        try {
            CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> engine.shutdown(Duration.ofSeconds(5)));
            // In the kernel's accept queue: connected (the kernel did the handshake) and sent.
            for (int i = 0; i < 5; i++) {
                Socket s = new Socket();
                clients.add(s);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), engine.port()), 5_000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("hello " + i + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            for (int i = 0; i < 5; i++) {
                BufferedReader r = new BufferedReader(new InputStreamReader(clients.get(i).getInputStream(), StandardCharsets.US_ASCII));
                assertEquals("ok hello " + i + " draining", r.readLine(), "queued connection " + i + " was served, not reset");
                assertEquals(null, r.readLine());
            }
            ShutdownReport done = report.get(10, TimeUnit.SECONDS);
            assertEquals(5, done.acceptedDuringDelay(), done.toString());
            assertEquals(0, done.forced(), done.toString());
            assertTrue(!engine.listener().isOpen());
        } finally {
            for (Socket s : clients) {
                s.close();
            }
            engine.shutdown(Duration.ZERO);
        }
    }
}
