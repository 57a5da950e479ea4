package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Opt-in decoding of compressed request bodies, bounded after inflation. */
class RequestDecodingTest {

    private static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    private static byte[] zlib(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(out)) {
            d.write(b);
        }
        return out.toByteArray();
    }

    private static Raw.Reply post(HttpServer server, String coding, byte[] body) throws Exception {
        try (Raw c = new Raw(server.port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Encoding: " + coding + "\r\nContent-Length: " + body.length + "\r\n\r\n");
            c.send(body);
            return c.read();
        }
    }

    private static HttpServer start(boolean decode) {
        return HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress())
                .maxBodyBytes(100_000).decodeRequestBodies(decode).compression(false)
                .post("/echo", (req, res) -> res.send(req.bodyBytes()))
                .start();
    }

    @Test
    void gzipAndDeflateBodiesAreDecodedWhenAskedFor() throws Exception {
        byte[] text = "hello, decoded world\n".repeat(100).getBytes(StandardCharsets.US_ASCII);
        try (HttpServer server = start(true)) {
            assertEquals(new String(text, StandardCharsets.US_ASCII), post(server, "gzip", gzip(text)).text());
            assertEquals(new String(text, StandardCharsets.US_ASCII), post(server, "deflate", zlib(text)).text());
        }
        try (HttpServer server = start(false)) {
            byte[] gz = gzip(text);
            assertEquals(gz.length, post(server, "gzip", gz).body().length, "off by default: passed on as sent");
        }
    }

    @Test
    void aGzipBombIs413AndBrokenOrUnknownCodingsAreErrors() throws Exception {
        try (HttpServer server = start(true)) {
            byte[] bomb = gzip(new byte[10_000_000]); // ~10 KB on the wire, 10 MB inflated
            Raw.Reply r = post(server, "gzip", bomb);
            assertEquals(413, r.status());
            assertEquals("close", r.header("Connection"));
            byte[] broken = gzip("abc".getBytes(StandardCharsets.US_ASCII));
            broken[broken.length - 9] ^= 0x55; // corrupt the deflate data / checksum
            assertEquals(400, post(server, "gzip", broken).status());
            assertEquals(400, post(server, "gzip", "not gzip at all".getBytes(StandardCharsets.US_ASCII)).status());
            assertEquals(415, post(server, "br", new byte[] {1, 2, 3}).status());
        }
    }
}
