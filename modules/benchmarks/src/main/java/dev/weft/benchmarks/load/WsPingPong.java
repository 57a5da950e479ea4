package dev.weft.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * WebSocket ping-pong load on {@link TcpPingPong}'s selector loop: N sessions (opening handshake
 * to PATH, no extension offered), each sends one masked binary message and waits for its
 * unmasked echo before sending the next. For an echo endpoint such as HttpDemo's
 * {@code /ws/echo} or {@code /ws/listener-echo}.
 *
 * <p>Usage: {@code WsPingPong HOST PORT PATH CONNECTIONS MESSAGE_BYTES WARMUP_SECONDS SECONDS}
 * (MESSAGE_BYTES at most 125: one frame header form). Prints one line:
 * {@code round_trips_per_sec=… round_trips=… errors=…}.
 */
public final class WsPingPong {

    public static void main(String[] args) throws IOException {
        if (args.length != 7) {
            throw new IllegalArgumentException(
                    "usage: WsPingPong HOST PORT PATH CONNECTIONS MESSAGE_BYTES WARMUP_SECONDS SECONDS");
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String path = args[2];
        int size = Integer.parseInt(args[4]);
        if (size < 0 || size > 125) {
            throw new IllegalArgumentException("MESSAGE_BYTES: 0 to 125, got " + size);
        }
        byte[] payload = new byte[size];
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        byte[] message = new byte[6 + size];
        message[0] = (byte) 0x82; // FIN, binary
        message[1] = (byte) (0x80 | size); // masked (RFC 6455 §5.1: every client frame)
        System.arraycopy(mask, 0, message, 2, 4);
        byte[] answer = new byte[2 + size];
        answer[0] = (byte) 0x82;
        answer[1] = (byte) size; // a server never masks
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) ('a' + i % 26);
            message[6 + i] = (byte) (payload[i] ^ mask[i & 3]);
            answer[2 + i] = payload[i];
        }
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        TcpPingPong.Result r = TcpPingPong.run(new InetSocketAddress(host, port), Integer.parseInt(args[3]), message, answer,
                ch -> handshake(ch, request), Double.parseDouble(args[5]), Double.parseDouble(args[6]));
        System.out.printf("round_trips_per_sec=%.1f round_trips=%d errors=%d%n", r.roundTripsPerSecond(), r.roundTrips(), r.errors());
    }

    /** Blocking: the request, then the 101's head up to its blank line (nothing after it yet: the client has sent nothing). */
    private static void handshake(SocketChannel ch, String request) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        while (out.hasRemaining()) {
            ch.write(out);
        }
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder head = new StringBuilder();
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) {
            one.clear();
            if (ch.read(one) < 0) {
                throw new IOException("closed inside the handshake's answer");
            }
            int b = one.get(0) & 0xFF;
            head.append((char) b);
            last4 = (last4 << 8) | b;
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("not a 101: " + head);
        }
    }

    private WsPingPong() {}
}
