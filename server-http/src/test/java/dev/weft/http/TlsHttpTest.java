package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.Tls;
import dev.weft.core.TlsInfo;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with Tls: the request's view of it, ALPN, client certificates, plain HTTP on the port; curl and the JDK client. */
class TlsHttpTest {

    @RegisterExtension
    final StderrCapture stderr = new StderrCapture();

    @TempDir
    static Path dir;

    private static Path serverCert;
    private static Path serverKey;
    private static Path clientCert;
    private static Path clientKey;
    private static Path strangerCert;
    private static Path strangerKey;
    private static SSLContext trusting;

    @BeforeAll
    static void keys() throws Exception {
        Path server = keytool("server");
        Path client = keytool("client");
        serverCert = pem(server, "server-cert.pem", false);
        serverKey = pem(server, "server-key.pem", true);
        clientCert = pem(client, "client-cert.pem", false);
        clientKey = pem(client, "client-key.pem", true);
        Path stranger = keytool("stranger");
        strangerCert = pem(stranger, "stranger-cert.pem", false);
        strangerKey = pem(stranger, "stranger-key.pem", true);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("server", load(server).getCertificate("server"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, tmf.getTrustManagers(), null);
    }

    private static Path keytool(String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias", name,
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit",
                "-keypass", "changeit"));
        return store;
    }

    private static KeyStore load(Path p12) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        return ks;
    }

    /** The certificate, or the PKCS#8 key, of a keystore as PEM. */
    private static Path pem(Path p12, String file, boolean key) throws Exception {
        KeyStore ks = load(p12);
        String alias = ks.aliases().nextElement();
        byte[] der = key ? ((PrivateKey) ks.getKey(alias, "changeit".toCharArray())).getEncoded() : ks.getCertificate(alias).getEncoded();
        String label = key ? "PRIVATE KEY" : "CERTIFICATE";
        Path out = dir.resolve(file);
        Files.writeString(out, "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + label + "-----\n");
        return out;
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result run(List<String> command) throws Exception {
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), command + " did not end");
        return new Result(p.exitValue(), out, Files.readString(err));
    }

    private static Result curl(String... args) throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        if (!Files.isExecutable(curl)) {
            org.junit.jupiter.api.Assertions.assertNull(System.getenv("CI"), "CI must install curl (.ci/run does)");
            org.junit.jupiter.api.Assumptions.abort("no /usr/bin/curl on this machine");
        }
        List<String> c = new ArrayList<>(List.of(curl.toString(), "-sS", "--max-time", "10"));
        c.addAll(List.of(args));
        return run(c);
    }

    /** Answers with what the request knows about its TLS. */
    private static void describe(Request req, Response res) throws java.io.IOException {
        String tls = req.tls().map(i -> i.protocol() + " " + i.applicationProtocol() + " "
                + (i.peerCertificates().isEmpty() ? "-" : i.peerCertificates().get(0).getSubjectX500Principal().getName()))
                .orElse("plain");
        res.send(req.isSecure() + " " + tls);
    }

    private static HttpServer start(Tls tls) {
        return HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress()).tls(tls)
                .get("/", TlsHttpTest::describe).post("/", TlsHttpTest::describe).start();
    }

    @Test
    void theRequestSeesItsTlsAndAlpnSaysHttp11ToTheJdkClient() throws Exception {
        HttpServer server = start(Tls.fromPem(serverCert, serverKey));
        try {
            // The JDK's client offers h2 and http/1.1 by ALPN; the server picks http/1.1.
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trusting).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(HttpClient.Version.HTTP_1_1, r.version());
            assertTrue(r.body().matches("true TLSv1\\.3 http/1\\.1 -"), r.body());
            assertEquals(serverCertificate(), r.sslSession().orElseThrow().getPeerCertificates()[0]);
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
        HttpServer plain = HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress()).get("/", TlsHttpTest::describe).start();
        try (Raw raw = new Raw(plain.port())) {
            assertEquals("false plain", raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
        } finally {
            plain.shutdown(Duration.ofSeconds(1));
        }
    }

    private static X509Certificate serverCertificate() throws Exception {
        return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(serverCert));
    }

    /** ALPN as a JDK socket sees it: http/1.1 chosen, and a client offering only h2 refused (the server speaks no h2). */
    @Test
    void alpnFromAJdkSocket() throws Exception {
        HttpServer server = start(Tls.fromPem(serverCert, serverKey));
        try {
            try (javax.net.ssl.SSLSocket s = alpnSocket(server, "h2", "http/1.1")) {
                s.startHandshake();
                assertEquals("http/1.1", s.getApplicationProtocol());
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(reply.endsWith("\r\n\r\ntrue TLSv1.3 http/1.1 -"), reply);
            }
            try (javax.net.ssl.SSLSocket s = alpnSocket(server, "h2")) {
                assertThrows(javax.net.ssl.SSLHandshakeException.class, s::startHandshake);
            }
            logged("no application protocol in common (ALPN): the client offered [h2], the server speaks [http/1.1]");
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }

    private static javax.net.ssl.SSLSocket alpnSocket(HttpServer server, String... protocols) throws Exception {
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", server.port());
        s.setSoTimeout(10_000);
        javax.net.ssl.SSLParameters p = s.getSSLParameters();
        p.setApplicationProtocols(protocols);
        s.setSSLParameters(p);
        return s;
    }

    @Test
    void anExpiredCertificateIsWarnedAboutAtStart() throws Exception {
        Path store = dir.resolve("expired.p12");
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias", "old",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=old", "-startdate", "-10d", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit"));
        HttpServer server = start(Tls.fromPkcs12(store, "changeit".toCharArray()));
        try {
            logged("TLS: the certificate has expired, clients will refuse it: CN=old, serial ");
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }

    /** A Request written elsewhere (an HTTP/2 module's) inherits the defaults: not secure, no TLS. */
    @Test
    void requestDefaultsAreEmpty() {
        Request other = (Request) java.lang.reflect.Proxy.newProxyInstance(Request.class.getClassLoader(),
                new Class<?>[] {Request.class}, (proxy, method, args) -> method.isDefault()
                        ? java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args) : null);
        assertEquals(java.util.Optional.<TlsInfo>empty(), other.tls());
        assertFalse(other.isSecure());
    }

    @Test
    void curlTrustsTheCertificateAndAgreesOnHttp11() throws Exception {
        HttpServer server = start(Tls.fromPem(serverCert, serverKey));
        try {
            Result r = curl("-v", "--cacert", serverCert.toString(), "https://localhost:" + server.port() + "/");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("true TLSv1.3 http/1.1 -"), r.out());
            assertTrue(r.err().contains("ALPN: server accepted http/1.1"), r.err());
            // Without the CA, curl refuses the self-signed certificate, and the server says why in its log.
            Result refused = curl("https://localhost:" + server.port() + "/");
            assertNotEquals(0, refused.exit());
            // Which of the two depends on whether the JDK read curl's unknown_ca alert before it saw the socket close.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertTrue(
                    stderr.text().contains("TLS handshake failed: the client rejected the server's certificate")
                    || stderr.text().contains("TLS handshake failed: the client closed the connection during the handshake"
                            + " (often: it does not trust the server's certificate"), stderr.text()));
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }

    /** The server's log line, which it writes on the connection's thread, once it is there. */
    private void logged(String text) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertTrue(stderr.text().contains(text), stderr.text()));
    }

    @Test
    void clientCertificatesWithCurl() throws Exception {
        HttpServer server = start(Tls.fromPem(serverCert, serverKey).clientAuth(Tls.ClientAuth.NEED).trustPem(clientCert));
        try {
            String url = "https://localhost:" + server.port() + "/";
            Result ok = curl("--cacert", serverCert.toString(), "--cert", clientCert.toString(), "--key", clientKey.toString(), url);
            assertEquals(0, ok.exit(), ok.err());
            assertEquals("true TLSv1.3 http/1.1 CN=client", ok.out());
            Result none = curl("--cacert", serverCert.toString(), url);
            assertNotEquals(0, none.exit(), "no client certificate under NEED: " + none.out());
            logged("TLS handshake failed: the client sent no certificate, and clientAuth is NEED");
            Result again = curl("--cacert", serverCert.toString(), "--cert", clientCert.toString(), "--key", clientKey.toString(), url);
            assertEquals("true TLSv1.3 http/1.1 CN=client", again.out(), "the server goes on serving: " + again.err());
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }

    /** curl sends the certificate it is given, whoever issued it: the server's trust store refuses it, and says so. */
    @Test
    void aClientCertificateFromAnUnknownCa() throws Exception {
        HttpServer server = start(Tls.fromPem(serverCert, serverKey).clientAuth(Tls.ClientAuth.NEED).trustPem(clientCert));
        try {
            Result r = curl("--cacert", serverCert.toString(), "--cert", strangerCert.toString(), "--key", strangerKey.toString(),
                    "https://localhost:" + server.port() + "/");
            assertNotEquals(0, r.exit(), r.out());
            logged("TLS handshake failed: the client's certificate is not issued by a CA in the server's trust store");
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }

    @Test
    void plainHttpOnTheTlsPortGetsAReadable400() throws Exception {
        HttpServer server = start(Tls.fromPem(serverCert, serverKey));
        try {
            String want = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 33\r\n"
                    + "Connection: close\r\n\r\nplain HTTP sent to an HTTPS port\n";
            for (String request : List.of("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
                    "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")) {
                try (Raw raw = new Raw(server.port())) {
                    Raw.End end = raw.send(request).readToEnd();
                    assertEquals(want, end.text(), request);
                    assertFalse(end.reset(), "a FIN after the answer, not a reset that could eat it");
                }
            }
            Result curl = curl("-w", "\n%{http_code}", "http://127.0.0.1:" + server.port() + "/");
            assertEquals(0, curl.exit(), curl.err());
            assertEquals("plain HTTP sent to an HTTPS port\n\n400", curl.out());
            Result post = curl("-w", "\n%{http_code}", "-d", "x=1", "http://127.0.0.1:" + server.port() + "/");
            assertEquals("plain HTTP sent to an HTTPS port\n\n400", post.out());
            // Not HTTP and not TLS: closed without an answer.
            try (Raw raw = new Raw(server.port())) {
                assertEquals("", raw.send(new byte[] {0x00, 0x01, 0x02, 0x03, 0x04, 0x05}).readToEnd().text());
            }
            // And HTTPS still works.
            Result ok = curl("--cacert", serverCert.toString(), "https://localhost:" + server.port() + "/");
            assertEquals("true TLSv1.3 http/1.1 -", ok.out(), ok.err());
            // Handshake failures are logged at most one a second, so which of the plain requests
            // above got its line depends on when the previous second began.
            assertTrue(stderr.text().matches("(?s).*not a TLS record: the client sent plain text starting \"(GET /|OPTIO|POST )\".*"),
                    stderr.text());
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }
}
