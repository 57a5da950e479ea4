package dev.weft.http2.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A raw HTTP/2 client over a plain socket (prior knowledge): frames in, frames out, nothing checked for us. */
final class H2Raw implements AutoCloseable {

    record Frame(int type, int flags, int stream, byte[] payload, List<String> fields) {
        int code() {
            return type == H2Connection.GOAWAY ? H2Connection.int32(payload, 4) : H2Connection.int32(payload, 0);
        }

        boolean endStream() {
            return (flags & H2Connection.END_STREAM) != 0 && (type == H2Connection.DATA || type == H2Connection.HEADERS);
        }
    }

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Hpack.Decoder decoder = new Hpack.Decoder(4096);

    private H2Raw(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(5000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Preface and SETTINGS exchanged (ours empty unless given), the server's SETTINGS acknowledged. */
    static H2Raw open(int port, byte[]... settings) throws IOException {
        H2Raw r = connect(port);
        r.out.write(Http2Protocol.PREFACE);
        r.frame(H2Connection.SETTINGS, 0, 0, settings.length == 0 ? new byte[0] : settings[0]);
        Frame f = r.next();
        if (f.type != H2Connection.SETTINGS || (f.flags & 1) != 0) {
            throw new IOException("expected the server's SETTINGS first, got type " + f.type);
        }
        r.frame(H2Connection.SETTINGS, 1, 0, new byte[0]);
        return r;
    }

    static H2Raw connect(int port) throws IOException {
        return new H2Raw(port);
    }

    void raw(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    void frame(int type, int flags, int stream, byte[] p) throws IOException {
        byte[] h = new byte[9];
        h[0] = (byte) (p.length >>> 16);
        h[1] = (byte) (p.length >>> 8);
        h[2] = (byte) p.length;
        h[3] = (byte) type;
        h[4] = (byte) flags;
        h[5] = (byte) (stream >>> 24);
        h[6] = (byte) (stream >>> 16);
        h[7] = (byte) (stream >>> 8);
        h[8] = (byte) stream;
        out.write(h);
        out.write(p);
        out.flush();
    }

    /** HEADERS with END_HEADERS (and END_STREAM if {@code end}) holding {@code fields} as literals. */
    void headers(int stream, boolean end, String... fields) throws IOException {
        frame(H2Connection.HEADERS, H2Connection.END_HEADERS | (end ? H2Connection.END_STREAM : 0), stream, block(fields));
    }

    void get(int stream, String path) throws IOException {
        headers(stream, true, ":method", "GET", ":scheme", "http", ":path", path, ":authority", "127.0.0.1");
    }

    /** Literal fields without indexing, no Huffman (RFC 7541 §6.2.2). */
    static byte[] block(String... fields) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < fields.length; i += 2) {
            b.write(0);
            str(b, fields[i]);
            str(b, fields[i + 1]);
        }
        return b.toByteArray();
    }

    static void str(ByteArrayOutputStream b, String s) {
        byte[] raw = s.getBytes(StandardCharsets.ISO_8859_1);
        Hpack.Encoder.integer(b, 0, 7, raw.length);
        b.write(raw, 0, raw.length);
    }

    static byte[] int32(int v) {
        return H2Connection.int32(v);
    }

    static byte[] setting(int id, int value) {
        byte[] p = new byte[6];
        p[0] = (byte) (id >>> 8);
        p[1] = (byte) id;
        System.arraycopy(int32(value), 0, p, 2, 4);
        return p;
    }

    /** Frames a {@link #response} read for other streams, handed out first by {@link #next}. */
    private final java.util.ArrayDeque<Frame> pending = new java.util.ArrayDeque<>();

    /** The next frame; EOFException when the server closed. */
    Frame next() throws IOException {
        if (!pending.isEmpty()) {
            return pending.poll();
        }
        return read();
    }

    private Frame read() throws IOException {
        byte[] h = new byte[9];
        in.readFully(h);
        int len = ((h[0] & 0xFF) << 16) | ((h[1] & 0xFF) << 8) | (h[2] & 0xFF);
        byte[] p = new byte[len];
        in.readFully(p);
        int type = h[3] & 0xFF;
        List<String> fields = null;
        if (type == H2Connection.HEADERS) {
            // Every header block, even one a test skips: the decoder's table must stay in step with the server's encoder.
            fields = new ArrayList<>();
            try {
                decoder.decode(p, 0, p.length, Long.MAX_VALUE, fields);
            } catch (HpackException e) {
                throw new IOException("the server's header block does not decode", e);
            }
        }
        return new Frame(type, h[4] & 0xFF, H2Connection.int31(h, 5), p, fields);
    }

    /** The next frame of {@code type} (on {@code stream}, or any if negative), skipping others; null at EOF. */
    Frame until(int type, int stream) throws IOException {
        try {
            while (true) {
                Frame f = next();
                if (f.type == type && (stream < 0 || f.stream == stream)) {
                    return f;
                }
            }
        } catch (EOFException | SocketException e) {
            return null;
        }
    }

    /** The GOAWAY's error code; fails if the connection ends without one. */
    int goAway() throws IOException {
        Frame f = until(H2Connection.GOAWAY, 0);
        if (f == null) {
            throw new AssertionError("connection closed without GOAWAY");
        }
        return f.code();
    }

    /** True once the server has closed the connection (EOF or reset), within the socket timeout. */
    boolean closed() throws IOException {
        try {
            while (true) {
                next();
            }
        } catch (EOFException | SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** A whole response on {@code stream}: status and body, or "RST <code>" if it was reset. */
    String response(int stream) throws IOException, HpackException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String status = null;
        java.util.Iterator<Frame> held = pending.iterator();
        while (true) {
            Frame f;
            if (held.hasNext()) {
                f = held.next();
                if (f.stream != stream) {
                    continue;
                }
                held.remove();
            } else {
                f = read();
                if (f.stream != stream) {
                    if (f.stream != 0) {
                        pending.add(f); // another stream's: kept for its own response()
                    }
                    continue;
                }
            }
            if (f.type == H2Connection.HEADERS) {
                List<String> fields = f.fields();
                status = fields.get(1);
            } else if (f.type == H2Connection.DATA) {
                body.write(f.payload, 0, f.payload.length);
            } else if (f.type == H2Connection.RST_STREAM) {
                return "RST " + H2Error.name(f.code());
            }
            if (f.endStream()) {
                return status + " " + body.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /**
     * PING, and its ACK: the server's reader handles frames in order, so every frame sent before
     * has been handled by then (a RST_STREAM has reached its stream).
     */
    void sync() throws IOException {
        byte[] opaque = {1, 2, 3, 4, 5, 6, 7, 8};
        frame(H2Connection.PING, 0, 0, opaque);
        while (true) {
            Frame f = next();
            if (f.type == H2Connection.PING && (f.flags & H2Connection.ACK) != 0 && java.util.Arrays.equals(f.payload, opaque)) {
                return;
            }
            if (f.stream != 0) {
                pending.add(f);
            }
        }
    }

    /**
     * Shuts {@code server} down while this connection is open and returns once the server closed
     * it: the last GOAWAY goes out only after every stream's handler thread ended, so whatever
     * they record (access log, JFR) has been recorded.
     */
    dev.weft.core.ShutdownReport drain(dev.weft.http.HttpServer server) throws Exception {
        java.util.concurrent.CompletableFuture<dev.weft.core.ShutdownReport> report =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> server.shutdown(java.time.Duration.ofSeconds(10)));
        if (!closed()) {
            throw new AssertionError("the server did not close the connection");
        }
        socket.shutdownOutput(); // as clients do after the final GOAWAY
        return report.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
