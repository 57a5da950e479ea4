package dev.weft.samples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HttpDemo's --tls, --cert and --key: the flags, the self-signed certificate, and the process serving HTTPS. */
class HttpDemoTlsTest {

    @TempDir
    Path dir;

    @Test
    void flags() {
        HttpDemo.TlsFlags none = HttpDemo.TlsFlags.parse(new String[] {"--port", "0"});
        assertEquals(false, none.tls());
        assertArrayEquals(new String[] {"--port", "0"}, none.rest(), "the rest goes to SampleArgs unchanged");
        HttpDemo.TlsFlags self = HttpDemo.TlsFlags.parse(new String[] {"--tls", "--port=0"});
        assertTrue(self.tls());
        assertNull(self.cert());
        assertArrayEquals(new String[] {"--port=0"}, self.rest());
        HttpDemo.TlsFlags files = HttpDemo.TlsFlags.parse(new String[] {"--cert", "c.pem", "--key=k.pem"});
        assertTrue(files.tls(), "the files imply --tls");
        assertEquals(Path.of("c.pem"), files.cert());
        assertEquals(Path.of("k.pem"), files.key());
        String[][] bad = {
            {"--cert", "c.pem"}, {"--key", "k.pem", "--tls"}, {"--cert"}, {"--cert="}, {"--cert", "a", "--cert", "b", "--key", "k"},
        };
        String[] why = {"--cert and --key go together", "--cert and --key go together", "--cert needs a file", "--cert needs a file",
            "--cert given twice"};
        for (int i = 0; i < bad.length; i++) {
            String[] args = bad[i];
            String message = assertThrows(IllegalArgumentException.class, () -> HttpDemo.TlsFlags.parse(args)).getMessage();
            assertTrue(message.startsWith(why[i]), message);
        }
    }

    /** Trusts any server, as curl -k does: the point is to see what certificate the demo made. */
    private static SSLContext trustingAnything() throws Exception {
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return c;
    }

    @Test
    void selfSignedCertificateForLocalhost() throws Exception {
        try (HttpServer server = HttpDemo.start(0, HttpDemo.selfSigned());
                SSLSocket s = (SSLSocket) trustingAnything().getSocketFactory().createSocket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(reply.startsWith("HTTP/1.1 200 OK\r\n") && reply.endsWith("\r\n\r\nHello, World!"), reply);
            X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
            assertEquals("CN=localhost", cert.getSubjectX500Principal().getName());
            assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(n -> n.get(1).equals("127.0.0.1")));
            try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                assertTrue(left.noneMatch(f -> Files.exists(f.resolve("self-signed.p12"))), "the key file is deleted once read");
            }
        }
    }

    private Process launch(Path output, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "dev.weft.samples.HttpDemo"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().remove("PORT");
        return pb.start();
    }

    @Test
    void mainServesHttpsWithTls() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        Path output = dir.resolve("output.txt");
        Process p = launch(output, "--tls", "--port", "0");
        try {
            Matcher banner = Pattern.compile("listening on port (\\d+)").matcher("");
            await().atMost(Duration.ofSeconds(30)).until(() -> banner.reset(Files.readString(output)).find() || !p.isAlive());
            assertTrue(p.isAlive(), Files.readString(output));
            int port = Integer.parseInt(banner.group(1));
            assertTrue(Files.readString(output).contains("try curl -k https://localhost:" + port + "/plaintext"), Files.readString(output));
            if (Files.isExecutable(curl)) {
                Process c = new ProcessBuilder(curl.toString(), "-sSk", "--max-time", "10", "https://localhost:" + port + "/plaintext")
                        .redirectErrorStream(true).start();
                assertEquals("Hello, World!", new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                assertTrue(c.waitFor(20, TimeUnit.SECONDS));
                Process plain = new ProcessBuilder(curl.toString(), "-sS", "--max-time", "10", "http://localhost:" + port + "/plaintext")
                        .redirectErrorStream(true).start();
                assertEquals("plain HTTP sent to an HTTPS port\n", new String(plain.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                assertTrue(plain.waitFor(20, TimeUnit.SECONDS));
                // The same port speaks h2 by ALPN (curl offers h2 first) and HTTP/1.1 to who asks for it.
                for (String[] v : new String[][] {{"--http2", "2"}, {"--http1.1", "1.1"}}) {
                    Process h = new ProcessBuilder(curl.toString(), "-sSk", v[0], "--max-time", "10", "-w", " %{http_version}",
                            "https://localhost:" + port + "/json").redirectErrorStream(true).start();
                    assertEquals("{\"message\":\"Hello, World!\"} " + v[1],
                            new String(h.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                    assertTrue(h.waitFor(20, TimeUnit.SECONDS));
                }
            } else {
                assertNull(System.getenv("CI"), "CI must install curl (.ci/run does)");
            }
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void aMissingPemFileIsNamed() throws Exception {
        Path output = dir.resolve("missing.txt");
        Process p = launch(output, "--cert", dir.resolve("nope.pem").toString(), "--key", dir.resolve("nope-key.pem").toString());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), Files.readString(output));
        assertTrue(Files.readString(output).contains("nope.pem: no such certificate file"), Files.readString(output));
        Path usage = dir.resolve("usage.txt");
        Process u = launch(usage, "--cert", "only.pem");
        assertTrue(u.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, u.exitValue());
        assertTrue(Files.readString(usage).contains("--cert and --key go together"), Files.readString(usage));
        assertTrue(Files.readString(usage).contains("--cert FILE --key FILE"), Files.readString(usage));
    }
}
