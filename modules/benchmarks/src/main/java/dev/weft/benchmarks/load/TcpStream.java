package dev.weft.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * TCP streaming load: one connection; a writer thread sends BYTES while this thread reads the echo
 * back. Throughput is BYTES over the time until the last echoed byte arrived, in GB/s (10^9 bytes).
 *
 * <p>Usage: {@code TcpStream HOST PORT BYTES WARMUP_BYTES TIMEOUT_SECONDS}. The warm-up streams
 * WARMUP_BYTES over its own connection first.
 * Prints {@code gb_per_sec=… bytes=… seconds=… complete=… errors=…}.
 */
public final class TcpStream {

    /**
     * What one stream measured. {@code complete} is false when the echo of all BYTES did not arrive
     * before the timeout (the figure is then what did arrive, over the time waited); {@code errors}
     * counts a connection that failed outright.
     */
    public record Result(double gigabytesPerSecond, long bytes, double seconds, boolean complete, long errors) {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            throw new IllegalArgumentException("usage: TcpStream HOST PORT BYTES WARMUP_BYTES TIMEOUT_SECONDS");
        }
        var target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        long bytes = Long.parseLong(args[2]);
        long warmup = Long.parseLong(args[3]);
        double timeout = Double.parseDouble(args[4]);
        if (warmup > 0) {
            stream(target, warmup, timeout);
        }
        Result r = stream(target, bytes, timeout);
        System.out.printf("gb_per_sec=%.6f bytes=%d seconds=%.3f complete=%b errors=%d%n", r.gigabytesPerSecond(), r.bytes(),
                r.seconds(), r.complete(), r.errors());
    }

    public static Result stream(InetSocketAddress target, long bytes, double timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
        try (SocketChannel ch = SocketChannel.open(target)) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            long start = System.nanoTime();
            Thread writer = Thread.ofPlatform().name("stream-writer").start(() -> {
                ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
                long left = bytes;
                try {
                    while (left > 0 && System.nanoTime() < deadline) {
                        chunk.clear();
                        if (left < chunk.capacity()) {
                            chunk.limit((int) left);
                        }
                        left -= ch.write(chunk);
                    }
                } catch (IOException e) {
                    writeFailure.set(e);
                }
            });
            // Closing the channel unblocks a read stuck on a server that stopped echoing.
            AtomicBoolean timedOut = new AtomicBoolean();
            Thread watchdog = Thread.ofPlatform().daemon().name("stream-watchdog").start(() -> {
                try {
                    Thread.sleep(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                    timedOut.set(true);
                    ch.close();
                } catch (InterruptedException | IOException e) {
                    // Interrupted: the stream finished in time.
                }
            });
            ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
            long received = 0;
            boolean failed = false;
            try {
                while (received < bytes) {
                    in.clear();
                    int n = ch.read(in);
                    if (n < 0) {
                        failed = true; // the server closed before echoing everything
                        break;
                    }
                    received += n;
                }
            } catch (IOException e) {
                // Closed by the watchdog (reported as incomplete) or reset by the server.
                failed = !timedOut.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            watchdog.interrupt();
            ch.close();
            writer.join(10_000);
            boolean complete = received == bytes;
            long errors = failed || (writeFailure.get() != null && !timedOut.get()) || received == 0 ? 1 : 0;
            return new Result(received / seconds / 1e9, received, seconds, complete, errors);
        }
    }

    private TcpStream() {}
}
