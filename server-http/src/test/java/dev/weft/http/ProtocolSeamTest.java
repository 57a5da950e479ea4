package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.Connection;
import dev.weft.testing.TestTls;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The protocol seam on its own (HTTP/2 is its first user): a toy protocol taken over by preface and by Upgrade. */
class ProtocolSeamTest {

    /** Answers one line: how the connection came to it, and the upgraded request's target and body. */
    static final class Toy implements HttpProtocol {
        @Override
        public String alpnId() {
            return "toy";
        }

        @Override
        public byte[] preface() {
            return "TOY/1\r\n".getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        public String upgradeToken() {
            return "toy";
        }

        @Override
        public boolean acceptsUpgrade(Request request) {
            return request.header("x-toy") != null;
        }

        @Override
        public void serve(Connection connection, Handoff handoff) throws Exception {
            String line = handoff.via() + (handoff.upgradeRequest() == null ? ""
                    : " " + handoff.upgradeRequest().method() + " " + handoff.upgradeRequest().target() + " "
                    + new String(handoff.upgradeRequest().body(), StandardCharsets.UTF_8));
            connection.out().write((line + " max=" + handoff.dispatcher().maxBodyBytes() + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private static HttpServer server() {
        return HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .maxBodyBytes(1000).protocol(new Toy()).get("/hello", (req, res) -> res.send("hello")).start();
    }

    @Test
    void prefaceHandsTheConnectionOver() throws Exception {
        try (HttpServer server = server(); Raw raw = new Raw(server.port())) {
            raw.send("TOY/1\r\n");
            assertEquals("PRIOR_KNOWLEDGE max=1000\n", new String(raw.readToEnd().bytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void upgradeSendsThe101AndHandsTheRequestOver() throws Exception {
        try (HttpServer server = server(); Raw raw = new Raw(server.port())) {
            raw.send("POST /x?y HTTP/1.1\r\nHost: a\r\nUpgrade: toy\r\nConnection: Upgrade\r\nX-Toy: 1\r\nContent-Length: 4\r\n\r\nbody");
            String all = new String(raw.readToEnd().bytes(), StandardCharsets.UTF_8);
            assertTrue(all.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), all);
            assertTrue(all.endsWith("\r\n\r\nUPGRADE POST /x?y body max=1000\n"), all);
        }
    }

    @Test
    void anUpgradeTheProtocolRefusesIsServedAsHttp11() throws Exception {
        try (HttpServer server = server(); Raw raw = new Raw(server.port())) {
            raw.send("GET /hello HTTP/1.1\r\nHost: a\r\nUpgrade: toy\r\nConnection: Upgrade\r\n\r\n");
            Raw.Reply r = raw.read();
            assertEquals(200, r.status());
            assertEquals("hello", new String(r.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void otherBytesAreHttp11AsEver() throws Exception {
        try (HttpServer server = server(); Raw raw = new Raw(server.port())) {
            raw.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("hello", new String(raw.read().body(), StandardCharsets.UTF_8));
        }
    }

    /** ALPN over a real handshake: the protocol's id first, HTTP/1.1 for the rest, and none in common is refused. */
    @Test
    void alpnChoosesTheProtocolThenHttp11AndRefusesNoneInCommon(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        TestTls tls = TestTls.in(dir);
        try (HttpServer server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .protocol(new Toy()).tls(tls.server()).get("/hello", (req, res) -> res.send("hello")).start()) {
            assertEquals("toy", negotiated(tls, server.port(), "http/1.1", "toy"));
            assertEquals("http/1.1", negotiated(tls, server.port(), "http/1.1"));
            org.junit.jupiter.api.Assertions.assertThrows(javax.net.ssl.SSLHandshakeException.class,
                    () -> negotiated(tls, server.port(), "spdy/3"));
            assertEquals("", negotiated(tls, server.port())); // a client without ALPN is served, no protocol agreed
        }
    }

    private static String negotiated(TestTls tls, int port, String... offered) throws Exception {
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) tls.client().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            if (offered.length > 0) {
                javax.net.ssl.SSLParameters p = s.getSSLParameters();
                p.setApplicationProtocols(offered);
                s.setSSLParameters(p);
            }
            s.startHandshake();
            return s.getApplicationProtocol();
        }
    }
}
