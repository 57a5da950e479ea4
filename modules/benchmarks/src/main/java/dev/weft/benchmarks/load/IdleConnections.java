package dev.weft.benchmarks.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Opens N keep-alive connections that each make one {@code GET /plaintext} and then stay open and
 * silent: the idle-memory workload. Connections are opened by a few workers in parallel so the
 * server's accept backlog never overflows into SYN retransmits.
 *
 * <p>One client address has only the ephemeral port range ({@code net.ipv4.ip_local_port_range},
 * about 28,000 ports by default) to connect from, so large counts are spread over several source
 * addresses of the loopback network (127.0.0.2, 127.0.0.3, …, all on {@code lo} on Linux): each
 * socket is bound to its source address before it connects.
 */
public final class IdleConnections implements AutoCloseable {
    private static final int WORKERS = 8;
    private final List<SocketChannel> channels;

    private IdleConnections(List<SocketChannel> channels) {
        this.channels = channels;
    }

    public static IdleConnections open(InetSocketAddress target, int count, int timeoutMillis) throws Exception {
        return open(target, count, timeoutMillis, List.of());
    }

    /**
     * The loopback source addresses for {@code count} connections at most {@code perAddress} from
     * each: none (the kernel picks 127.0.0.1) when one address is enough, else 127.0.0.2 onwards.
     */
    public static List<InetAddress> loopbackSources(int count, int perAddress) throws UnknownHostException {
        return loopbackSources(count, perAddress, 2);
    }

    /**
     * As {@link #loopbackSources(int, int)}, from 127.0.0.{@code first} on, wrapping from .254 to .2.
     * A caller that opens and closes many connections moves {@code first} on between runs: the
     * closed ones wait in TIME_WAIT for a minute on the ports of their source address.
     */
    public static List<InetAddress> loopbackSources(int count, int perAddress, int first) throws UnknownHostException {
        if (count <= perAddress) {
            return List.of();
        }
        int n = (count + perAddress - 1) / perAddress;
        if (n > 253) {
            throw new IllegalArgumentException(count + " connections at " + perAddress + " per address need more than 253 loopback addresses");
        }
        List<InetAddress> sources = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int last = 2 + Math.floorMod(first - 2 + i, 253);
            sources.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last}));
        }
        return sources;
    }

    /** Opens {@code count} connections; with {@code sources}, connection i is bound to {@code sources[i % size]} first. */
    public static IdleConnections open(InetSocketAddress target, int count, int timeoutMillis, List<InetAddress> sources)
            throws Exception {
        List<SocketChannel> all = Collections.synchronizedList(new ArrayList<>(count));
        IdleConnections result = new IdleConnections(all);
        try (ExecutorService workers = Executors.newFixedThreadPool(WORKERS)) {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                int share = count / WORKERS + (w < count % WORKERS ? 1 : 0);
                done.add(workers.submit(() -> {
                    for (int i = 0; i < share; i++) {
                        SocketChannel ch = SocketChannel.open();
                        all.add(ch);
                        if (!sources.isEmpty()) {
                            ch.bind(new InetSocketAddress(sources.get((i * WORKERS + worker) % sources.size()), 0));
                        }
                        ch.connect(target);
                        var socket = ch.socket();
                        socket.setSoTimeout(timeoutMillis);
                        Http.Response r = Http.exchange(socket.getInputStream(), socket.getOutputStream(), target, "/plaintext");
                        if (r.status() != 200 || r.closing()) {
                            throw new IOException("idle connection " + all.size() + ": status " + r.status()
                                    + (r.closing() ? ", server announced Connection: close" : ""));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (Exception e) {
            result.close();
            throw e;
        }
        return result;
    }

    public int size() {
        return channels.size();
    }

    /** Connections the server has not closed: a non-blocking read sees no bytes yet and no EOF. */
    public int stillOpen() throws IOException {
        ByteBuffer probe = ByteBuffer.allocate(1);
        int open = 0;
        for (SocketChannel ch : channels) {
            ch.configureBlocking(false);
            probe.clear();
            try {
                if (ch.read(probe) == 0) {
                    open++;
                }
            } catch (IOException reset) {
                // Reset by the server: not open.
            }
        }
        return open;
    }

    @Override
    public void close() {
        for (SocketChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Closing is best effort; the server sees FIN or RST either way.
            }
        }
    }
}
