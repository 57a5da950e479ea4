package dev.weft.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Tls does on the wire: ALPN, TLS versions, client certificates, reloading, plain text on the port. */
class TlsFeaturesTest {

    @TempDir
    static Path dir;

    private static Path server;
    private static Path client;
    private static Path stranger;
    private static Path clientCa;

    @BeforeAll
    static void keys() throws Exception {
        server = TlsFiles.selfSigned(dir, "server", "EC");
        client = TlsFiles.selfSigned(dir, "client", "EC");
        stranger = TlsFiles.selfSigned(dir, "stranger", "EC");
        // The client's self-signed certificate is its own CA: the server trusts exactly it.
        clientCa = TlsFiles.certPem(client, dir.resolve("client-ca.pem"));
    }

    /** A server answering each connection with one line describing its TLS, then echoing. */
    private static TcpServer describing(Tls tls) {
        return Net.builder().tls(tls).handler(conn -> {
            TlsInfo i = conn.tls().orElseThrow();
            String peer = i.peerCertificates().isEmpty() ? "-" : i.peerCertificates().get(0).getSubjectX500Principal().getName();
            conn.out().write((i.protocol() + " " + i.applicationProtocol() + " " + peer + " " + i.serverName() + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
            conn.out().flush();
            conn.in().transferTo(conn.out());
        }).start();
    }

    private static SSLSocket connect(TcpServer s, SSLContext ctx, String... alpn) throws IOException {
        SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket(Net.LOOPBACK, s.port());
        socket.setSoTimeout(10_000);
        if (alpn.length > 0) {
            SSLParameters p = socket.getSSLParameters();
            p.setApplicationProtocols(alpn);
            socket.setSSLParameters(p);
        }
        return socket;
    }

    /** The server's line for one connection. */
    private static String line(TcpServer s, SSLContext ctx, String... alpn) throws IOException {
        try (SSLSocket socket = connect(s, ctx, alpn)) {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = socket.getInputStream().read()) != '\n') {
                if (c < 0) {
                    throw new java.io.EOFException("closed after \"" + b + "\"");
                }
                b.append((char) c);
            }
            return b.toString();
        }
    }

    @Test
    void alpnChoosesTheServersFirstPreferenceTheClientOffers() throws Exception {
        SSLContext ctx = TlsFiles.client(server, null);
        try (TcpServer s = describing(Tls.fromPkcs12(server, TlsFiles.PASSWORD).applicationProtocols("h2", "http/1.1"))) {
            try (SSLSocket socket = connect(s, ctx, "http/1.1", "h2")) {
                socket.startHandshake();
                assertEquals("h2", socket.getApplicationProtocol(), "the server's preference wins");
            }
            assertEquals("TLSv1.3 http/1.1 - ", line(s, ctx, "http/1.1"), "the negotiated protocol is on the Connection");
            assertEquals("TLSv1.3  - ", line(s, ctx), "a client without ALPN is served, with no protocol");
            // Offered only what the server does not speak: RFC 7301 §3.2's no_application_protocol.
            assertThrows(IOException.class, () -> line(s, ctx, "spdy/3"));
            assertEquals("TLSv1.3 http/1.1 - ", line(s, ctx, "http/1.1"), "and the server goes on serving");
        }
        try (TcpServer plainTcp = describing(Tls.fromPkcs12(server, TlsFiles.PASSWORD))) {
            assertEquals("TLSv1.3  - ", line(plainTcp, ctx, "h2"), "a TcpServer announces no ALPN by default");
        }
    }

    @Test
    void sniNameAndVersionsAreVisibleAndEnforced() throws Exception {
        SSLContext ctx = TlsFiles.client(server, null);
        try (TcpServer s = describing(Tls.fromPkcs12(server, TlsFiles.PASSWORD).protocols("TLSv1.2"))) {
            try (SSLSocket socket = connect(s, ctx)) {
                // Set by hand: the JDK sends no SNI for a name without a dot, such as localhost.
                SSLParameters p = socket.getSSLParameters();
                p.setServerNames(List.of(new javax.net.ssl.SNIHostName("localhost")));
                socket.setSSLParameters(p);
                String want = "TLSv1.2  - localhost\n";
                assertEquals(want, new String(socket.getInputStream().readNBytes(want.length()), StandardCharsets.US_ASCII));
            }
            SSLContext only13 = TlsFiles.client(server, null);
            assertThrows(IOException.class, () -> {
                try (SSLSocket socket = connect(s, only13)) {
                    socket.setEnabledProtocols(new String[] {"TLSv1.3"});
                    socket.startHandshake();
                }
            }, "a TLS 1.3-only client meets a TLS 1.2-only server");
        }
    }

    @Test
    void clientCertificateNeeded() throws Exception {
        Tls tls = Tls.fromPkcs12(server, TlsFiles.PASSWORD).clientAuth(Tls.ClientAuth.NEED).trustPem(clientCa);
        try (TcpServer s = describing(tls)) {
            assertEquals("TLSv1.3  CN=client ", line(s, TlsFiles.client(server, client)));
            // TLS 1.3 sends the client's certificate after the server's Finished: the refusal shows on the first read.
            assertThrows(IOException.class, () -> line(s, TlsFiles.client(server, null)), "no certificate");
            assertThrows(IOException.class, () -> line(s, TlsFiles.client(server, stranger)), "a certificate from a CA not trusted");
            assertEquals("TLSv1.3  CN=client ", line(s, TlsFiles.client(server, client)), "the server goes on serving");
        }
    }

    @Test
    void clientCertificateWanted() throws Exception {
        Tls tls = Tls.fromPkcs12(server, TlsFiles.PASSWORD).clientAuth(Tls.ClientAuth.WANT).trustPkcs12(client, TlsFiles.PASSWORD);
        try (TcpServer s = describing(tls)) {
            assertEquals("TLSv1.3  - ", line(s, TlsFiles.client(server, null)), "no certificate: served");
            assertEquals("TLSv1.3  CN=client ", line(s, TlsFiles.client(server, client)));
            // A JDK client sends only a certificate from a CA the server names (RFC 8446 §4.2.4
            // certificate_authorities): one from elsewhere stays home, and WANT serves it anonymously.
            assertEquals("TLSv1.3  - ", line(s, TlsFiles.client(server, stranger)));
        }
    }

    /** The serial of the certificate a fresh client (no session to resume) is shown. */
    private static BigInteger servedSerial(TcpServer s, Path... trusted) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (Path t : trusted) {
            ks.setCertificateEntry(t.getFileName().toString(), TlsFiles.certificate(t));
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket socket = connect(s, ctx)) {
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    @Test
    void reloadsARenewedPkcs12AndKeepsTheOldOneOverABadFile() throws Exception {
        Path live = dir.resolve("live.p12");
        Files.copy(server, live, StandardCopyOption.REPLACE_EXISTING);
        Path renewed = TlsFiles.selfSigned(dir, "renewed", "EC");
        Tls tls = Tls.fromPkcs12(live, TlsFiles.PASSWORD).reloadOnChange(true).reloadCheckInterval(Duration.ZERO);
        try (TcpServer s = Net.builder().tls(tls).handler(conn -> conn.in().transferTo(conn.out())).start()) {
            assertEquals(TlsFiles.serial(server), servedSerial(s, server, renewed));
            Path tmp = dir.resolve("live.tmp");
            Files.copy(renewed, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, live, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            await().atMost(Duration.ofSeconds(10)).until(() -> servedSerial(s, server, renewed).equals(TlsFiles.serial(renewed)));
            // A broken file: logged, and every handshake after it still gets the certificate loaded before.
            Files.writeString(live, "not a keystore");
            for (int i = 0; i < 3; i++) {
                assertEquals(TlsFiles.serial(renewed), servedSerial(s, server, renewed));
            }
            // Fixed again (the old one back): picked up.
            Files.copy(server, live, StandardCopyOption.REPLACE_EXISTING);
            await().atMost(Duration.ofSeconds(10)).until(() -> servedSerial(s, server, renewed).equals(TlsFiles.serial(server)));
        }
    }

    @Test
    void pemReloadWaitsForAKeyThatMatchesTheNewCertificate() throws Exception {
        Path renewed = TlsFiles.selfSigned(dir, "renewed-pem", "EC");
        Path cert = TlsFiles.certPem(server, dir.resolve("live-cert.pem"));
        Path key = TlsFiles.keyPem(server, dir.resolve("live-key.pem"));
        Tls tls = Tls.fromPem(cert, key).reloadOnChange(true).reloadCheckInterval(Duration.ZERO);
        try (TcpServer s = Net.builder().tls(tls).handler(conn -> conn.in().transferTo(conn.out())).start()) {
            assertEquals(TlsFiles.serial(server), servedSerial(s, server, renewed));
            // The certificate is renewed first, the key a moment later (two writes, as a renewal script does).
            TlsFiles.certPem(renewed, cert);
            for (int i = 0; i < 3; i++) {
                assertEquals(TlsFiles.serial(server), servedSerial(s, server, renewed), "a key that does not match: the old pair stays");
            }
            TlsFiles.keyPem(renewed, key);
            await().atMost(Duration.ofSeconds(10)).until(() -> servedSerial(s, server, renewed).equals(TlsFiles.serial(renewed)));
        }
    }

    @Test
    void reloadsARenewedTrustStore() throws Exception {
        Path bundle = dir.resolve("live-ca.pem");
        Files.copy(clientCa, bundle, StandardCopyOption.REPLACE_EXISTING);
        Tls tls = Tls.fromPkcs12(server, TlsFiles.PASSWORD).clientAuth(Tls.ClientAuth.NEED).trustPem(bundle)
                .reloadOnChange(true).reloadCheckInterval(Duration.ZERO);
        try (TcpServer s = describing(tls)) {
            assertEquals("TLSv1.3  CN=client ", line(s, TlsFiles.client(server, client)));
            assertThrows(IOException.class, () -> line(s, TlsFiles.client(server, stranger)));
            // The CA bundle now trusts the stranger instead of the client.
            TlsFiles.certPem(stranger, bundle);
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> line(s, TlsFiles.client(server, stranger)).equals("TLSv1.3  CN=stranger "));
            assertThrows(IOException.class, () -> line(s, TlsFiles.client(server, client)), "the old CA is no longer trusted");
        }
    }

    @Test
    void plainTextOnTheTlsPortOfATcpServerIsClosed() throws Exception {
        CompletableFuture<Boolean> handled = new CompletableFuture<>();
        try (TcpServer s = Net.builder().tls(Tls.fromPkcs12(server, TlsFiles.PASSWORD)).handler(conn -> handled.complete(true)).start();
                Socket raw = new Socket(Net.LOOPBACK, s.port())) {
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // No protocol reply configured (TcpServer has none): closed without a byte, no TLS alert
            // either; a FIN, or a reset, since the rest of the request was never read.
            int first;
            try {
                first = raw.getInputStream().read();
            } catch (java.net.SocketException reset) {
                first = -1;
            }
            assertEquals(-1, first);
            assertTrue(!handled.isDone(), "the handler never runs");
            await().atMost(Duration.ofSeconds(5)).until(() -> s.stats().active() == 0);
            assertEquals(TlsFiles.serial(server), servedSerial(s, server), "still serving");
        }
    }

    @Test
    void tlsInfoIsEmptyOnPlainTcp() throws Exception {
        CompletableFuture<List<Object>> seen = new CompletableFuture<>();
        try (TcpServer s = Net.builder().handler(conn -> seen.complete(List.of(conn.isSecure(), conn.tls().isPresent()))).start();
                Socket raw = new Socket(Net.LOOPBACK, s.port())) {
            assertEquals(List.of(false, false), seen.get(10, TimeUnit.SECONDS));
        }
    }
}
