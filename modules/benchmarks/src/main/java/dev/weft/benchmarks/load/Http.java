package dev.weft.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** The smallest HTTP/1.1 client the harness needs: one GET on an open socket, status and body length checked. */
public final class Http {
    private static final int MAX_HEAD = 8192;

    /** A response as far as the harness cares: its status and whether the server announced it will close. */
    public record Response(int status, boolean closing) {}

    /** One GET on a fresh connection, closed afterwards: the start-up probe. */
    public static int get(InetSocketAddress target, String path, int timeoutMillis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(target, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            return exchange(s.getInputStream(), s.getOutputStream(), target, path).status();
        }
    }

    /** Writes a keep-alive GET and reads exactly one response (head and Content-Length body). */
    public static Response exchange(InputStream socketIn, OutputStream out, InetSocketAddress target, String path) throws IOException {
        // Only one response is read per call, so over-reading into this buffer loses nothing.
        InputStream in = new BufferedInputStream(socketIn, 512);
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + target.getHostString() + ":" + target.getPort() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readHead(in);
        int status = parseStatus(head);
        long length = -1;
        boolean closing = false;
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                closing = true;
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                throw new IOException("the harness expects Content-Length responses, got Transfer-Encoding: " + value);
            }
        }
        if (length < 0) {
            throw new IOException("response to GET " + path + " has no Content-Length: " + head.lines().findFirst().orElse(""));
        }
        in.skipNBytes(length);
        return new Response(status, closing);
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder(256);
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) { // the head ends at the first CRLF CRLF
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.length() + " bytes of response head");
            }
            head.append((char) b);
            last4 = (last4 << 8) | b;
            if (head.length() > MAX_HEAD) {
                throw new IOException("response head longer than " + MAX_HEAD + " bytes");
            }
        }
        return head.toString();
    }

    private static int parseStatus(String head) throws IOException {
        // "HTTP/1.1 200 OK"
        if (head.length() < 12 || !head.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + head.lines().findFirst().orElse(""));
        }
        try {
            return Integer.parseInt(head.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("bad status code in: " + head.lines().findFirst().orElse(""), e);
        }
    }

    private Http() {}
}
