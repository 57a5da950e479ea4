package dev.weft.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A raw HTTP/1.1 client for tests: bytes out, parsed responses in, and "did the server close?". */
final class Raw implements AutoCloseable {

    /** A parsed response. Header names lower case; for repeated names the last value wins. */
    record Reply(int status, String statusLine, Map<String, String> headers, byte[] body, Map<String, String> trailers) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    final Socket socket;
    final InputStream in;
    final OutputStream out;

    Raw(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Sends bytes; a server that already closed (after rejecting) is not an error here. */
    Raw send(byte[] b) {
        try {
            out.write(b);
            out.flush();
        } catch (IOException e) {
            // The server may close before reading everything; the response is what we assert.
        }
        return this;
    }

    Raw send(String s) {
        return send(bytes(s));
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new java.io.EOFException("closed inside a line: " + b);
            }
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        if (!s.endsWith("\r")) {
            throw new IOException("line without CRLF: " + s);
        }
        return s.substring(0, s.length() - 1);
    }

    private Map<String, String> fields() throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        String l;
        while (!(l = line()).isEmpty()) {
            int colon = l.indexOf(':');
            h.put(l.substring(0, colon).toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        return h;
    }

    /** Reads one response; {@code head} says it answers a HEAD request (no body). */
    Reply read(boolean head) throws IOException {
        String statusLine = line();
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> h = fields();
        if (status == 100) {
            return new Reply(100, statusLine, h, new byte[0], Map.of());
        }
        byte[] body = new byte[0];
        Map<String, String> trailers = Map.of();
        if (!head && status != 204 && status != 304) {
            if (h.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(h.get("content-length")));
            } else if ("chunked".equals(h.get("transfer-encoding"))) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                while (true) {
                    int size = Integer.parseInt(line(), 16);
                    if (size == 0) {
                        break;
                    }
                    b.write(in.readNBytes(size));
                    if (!line().isEmpty()) {
                        throw new IOException("chunk not followed by CRLF");
                    }
                }
                trailers = fields();
                body = b.toByteArray();
            } else {
                body = in.readAllBytes();
            }
        }
        return new Reply(status, statusLine, h, body, trailers);
    }

    Reply read() throws IOException {
        return read(false);
    }

    /** What arrived until the connection ended, and whether it ended with a reset rather than a clean FIN. */
    record End(byte[] bytes, boolean reset) {
        String text() {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    /** Reads until the server ends the connection; a reset is recorded, not thrown. */
    End readToEnd() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                b.write(buf, 0, n);
            }
            return new End(b.toByteArray(), false);
        } catch (java.net.SocketException e) {
            return new End(b.toByteArray(), true); // "Connection reset"
        }
    }

    /** True when the server closed the connection (EOF or reset) within the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
