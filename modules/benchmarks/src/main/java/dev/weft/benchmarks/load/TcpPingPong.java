package dev.weft.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * TCP ping-pong load: N connections, each sends one message and waits for the same bytes to come
 * back before sending the next. One selector thread drives all connections, so the client spends
 * one {@code epoll_wait} on many ready sockets and stays cheaper than the server it measures.
 *
 * <p>Usage: {@code TcpPingPong HOST PORT CONNECTIONS MESSAGE_BYTES WARMUP_SECONDS SECONDS}.
 * Prints one line: {@code round_trips_per_sec=… round_trips=… errors=…}.
 */
public final class TcpPingPong {

    /** What one run measured; errors are echoes whose bytes differed or connections the server closed. */
    public record Result(double roundTripsPerSecond, long roundTrips, long errors) {}

    private static final class Conn {
        final SocketChannel channel;
        final ByteBuffer in;
        Conn(SocketChannel channel, int size) {
            this.channel = channel;
            this.in = ByteBuffer.allocate(size);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 6) {
            throw new IllegalArgumentException("usage: TcpPingPong HOST PORT CONNECTIONS MESSAGE_BYTES WARMUP_SECONDS SECONDS");
        }
        Result r = run(new InetSocketAddress(args[0], Integer.parseInt(args[1])), Integer.parseInt(args[2]),
                Integer.parseInt(args[3]), Double.parseDouble(args[4]), Double.parseDouble(args[5]));
        System.out.printf("round_trips_per_sec=%.1f round_trips=%d errors=%d%n", r.roundTripsPerSecond(), r.roundTrips(), r.errors());
    }

    public static Result run(InetSocketAddress target, int connections, int size, double warmupSeconds, double seconds)
            throws IOException {
        byte[] message = new byte[size];
        for (int i = 0; i < size; i++) {
            message[i] = (byte) ('a' + i % 26);
        }
        return run(target, connections, message, message, ch -> { }, warmupSeconds, seconds);
    }

    /** What a connection does, blocking, before the ping-pong starts (a protocol's handshake). */
    @FunctionalInterface
    public interface Opening {
        void open(SocketChannel channel) throws IOException;
    }

    /**
     * The general form: each connection, once {@code opening} has run on it, sends
     * {@code message} and waits for exactly {@code answer} before sending it again.
     */
    public static Result run(InetSocketAddress target, int connections, byte[] message, byte[] answer, Opening opening,
                             double warmupSeconds, double seconds) throws IOException {
        int size = answer.length;
        ByteBuffer out = ByteBuffer.allocateDirect(message.length);
        List<Conn> conns = new ArrayList<>();
        long errors = 0;
        long roundTrips = 0;
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < connections; i++) {
                SocketChannel ch = SocketChannel.open(target);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                opening.open(ch);
                ch.configureBlocking(false);
                Conn c = new Conn(ch, size);
                conns.add(c);
                ch.register(selector, SelectionKey.OP_READ, c);
            }
            for (Conn c : conns) {
                send(c.channel, out, message);
            }
            long start = System.nanoTime();
            long measureFrom = start + (long) (warmupSeconds * 1e9);
            long end = measureFrom + (long) (seconds * 1e9);
            long measuredStart = 0;
            boolean measuring = false;
            long now;
            while ((now = System.nanoTime()) < end && !conns.isEmpty()) {
                if (!measuring && now >= measureFrom) {
                    measuring = true;
                    measuredStart = now;
                    roundTrips = 0;
                }
                selector.select(100);
                for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    Conn c = (Conn) key.attachment();
                    int n;
                    try {
                        n = c.channel.read(c.in);
                    } catch (IOException e) {
                        n = -1;
                    }
                    if (n < 0) {
                        errors++;
                        key.cancel();
                        c.channel.close();
                        conns.remove(c);
                        continue;
                    }
                    if (!c.in.hasRemaining()) {
                        if (!Arrays.equals(c.in.array(), answer)) {
                            errors++;
                        }
                        roundTrips++;
                        c.in.clear();
                        send(c.channel, out, message);
                    }
                }
            }
            double elapsed = (System.nanoTime() - measuredStart) / 1e9;
            if (!measuring || elapsed <= 0) {
                return new Result(0, 0, errors + 1);
            }
            return new Result(roundTrips / elapsed, roundTrips, errors);
        } finally {
            for (Conn c : conns) {
                c.channel.close();
            }
        }
    }

    private static void send(SocketChannel ch, ByteBuffer out, byte[] message) throws IOException {
        out.clear();
        out.put(message).flip();
        // A 64-byte message into an idle socket's send buffer: the kernel takes it whole.
        // The loop only guards the impossible partial write without spinning forever.
        for (int spins = 0; out.hasRemaining(); spins++) {
            if (spins > 1_000_000) {
                throw new IOException("could not write a " + message.length + "-byte message: send buffer stayed full");
            }
            ch.write(out);
        }
    }

    private TcpPingPong() {}
}
