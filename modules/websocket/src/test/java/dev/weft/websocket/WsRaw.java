package dev.weft.websocket;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A raw WebSocket client for tests: any bytes out (masked or not, any length form), frames in. */
final class WsRaw implements AutoCloseable {

    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    /** A frame as received: the first byte and the payload. */
    record Frame(int b0, byte[] payload) {
        int opcode() {
            return b0 & 0x0F;
        }

        boolean fin() {
            return (b0 & 0x80) != 0;
        }

        boolean rsv1() {
            return (b0 & 0x40) != 0;
        }

        /** The close code, -1 for an empty close payload. */
        int closeCode() {
            return payload.length < 2 ? -1 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    final Socket socket;
    final InputStream in;
    final OutputStream out;
    int status;
    final Map<String, String> headers = new LinkedHashMap<>();

    WsRaw(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Connects and completes the handshake (extra header lines end in CRLF each); asserts 101. */
    static WsRaw open(int port, String path, String extraHeaders) throws IOException {
        WsRaw c = new WsRaw(port);
        c.handshake(path, extraHeaders);
        if (c.status != 101) {
            throw new AssertionError("handshake answered " + c.status + " " + c.headers);
        }
        return c;
    }

    void handshake(String path, String extraHeaders) throws IOException {
        send(("GET " + path + " HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        readHead();
    }

    void readHead() throws IOException {
        String statusLine = line();
        status = Integer.parseInt(statusLine.substring(9, 12));
        String l;
        while (!(l = line()).isEmpty()) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
    }

    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("closed inside a line: " + b);
            }
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    WsRaw send(byte[] b) {
        try {
            out.write(b);
            out.flush();
        } catch (IOException e) {
            // The server may already have failed the connection; what it sent is what we assert.
        }
        return this;
    }

    /** A masked frame with the payload's minimal length form. */
    static byte[] frame(int b0, byte[] payload) {
        return frame(b0, payload, true, payload.length <= 125 ? 0 : payload.length <= 0xFFFF ? 2 : 8);
    }

    static byte[] frame(int b0, String text) {
        return frame(b0, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A frame with any length form: {@code lengthBytes} 0 (7-bit), 2 or 8, and masked or not.
     * The mask key is fixed (tests must not depend on it being random).
     */
    static byte[] frame(int b0, byte[] payload, boolean masked, int lengthBytes) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(b0);
        int m = masked ? 0x80 : 0;
        long len = payload.length;
        if (lengthBytes == 0) {
            b.write(m | (int) len);
        } else if (lengthBytes == 2) {
            b.write(m | 126);
            b.write((int) (len >> 8));
            b.write((int) len);
        } else {
            b.write(m | 127);
            for (int i = 7; i >= 0; i--) {
                b.write((int) (len >> (8 * i)));
            }
        }
        byte[] key = {0x37, (byte) 0xfa, 0x21, 0x3d};
        if (masked) {
            b.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++) {
            b.write(masked ? payload[i] ^ key[i & 3] : payload[i]);
        }
        return b.toByteArray();
    }

    static byte[] close(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return frame(0x88, p);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    static byte[] hex(String s) {
        s = s.replace(" ", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    /** The next frame from the server; asserts it is not masked (RFC 6455 §5.1). */
    Frame read() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            throw new EOFException("closed, no frame");
        }
        int b1 = in.read();
        if ((b1 & 0x80) != 0) {
            throw new AssertionError("a server frame was masked");
        }
        long len = b1 & 0x7F;
        if (len == 126) {
            len = ((in.read() & 0xFF) << 8) | (in.read() & 0xFF);
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | (in.read() & 0xFF);
            }
        }
        byte[] p = in.readNBytes((int) len);
        if (p.length != len) {
            throw new EOFException("closed inside a frame");
        }
        return new Frame(b0, p);
    }

    /** True if the server closed the connection (EOF or reset) before any further byte. */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
