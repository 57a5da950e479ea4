package dev.weft.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import dev.weft.testing.TestTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** curl (libcurl on nghttp2), a client we did not write, and one port serving HTTP/1.1 and h2c. */
class CurlAndSharedPortTest {

    private static final Path CURL = Path.of("/usr/bin/curl");

    private static String curl(String... args) throws Exception {
        if (!Files.isExecutable(CURL)) {
            org.junit.jupiter.api.Assertions.assertNull(System.getenv("CI"), "CI must install curl (.ci/run does)");
            org.junit.jupiter.api.Assumptions.abort("no /usr/bin/curl on this machine");
        }
        List<String> cmd = new ArrayList<>(List.of(CURL.toString(), "-sS", "--max-time", "10"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "curl did not finish");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void curlWithPriorKnowledge() throws Exception {
        try (HttpServer server = Apps.start()) {
            String base = "http://127.0.0.1:" + server.port();
            assertEquals("2 hello HTTP/2.0", curl("--http2-prior-knowledge", "-w", "%{http_version} ", "-o", "/dev/null", base + "/hello")
                    + curl("--http2-prior-knowledge", base + "/hello"));
            assertEquals("hello über null", curl("--http2-prior-knowledge", base + "/hello/%C3%BCber"));
            assertEquals("posted over h2", curl("--http2-prior-knowledge", "--data-binary", "posted over h2", base + "/echo"));
            // Not several URLs here: curl 7.88 (Debian 12's) fails reusing a prior-knowledge connection on its
            // own side (curl issue 10634, fixed in 8.0); the TLS test below reuses one connection instead.
        }
    }

    @Test
    void curlOverTlsNegotiatesH2ByAlpn(@TempDir Path dir) throws Exception {
        TestTls tls = TestTls.in(dir);
        try (HttpServer server = Apps.builder(Http2Options.defaults()).tls(tls.server()).start()) {
            String url = "https://127.0.0.1:" + server.port() + "/hello";
            assertEquals("2 hello HTTP/2.0", curl("-k", "--http2", "-w", "%{http_version} ", "-o", "/dev/null", url)
                    + curl("-k", "--http2", url));
            assertEquals("hello HTTP/1.1", curl("-k", "--http1.1", url));
            // Several URLs on the one h2 connection.
            assertEquals("hello HTTP/2.0hello HTTP/2.0hello HTTP/2.0", curl("-k", "--http2", url, url, url));
        }
    }

    @Test
    void curlUpgradesToH2c() throws Exception {
        try (HttpServer server = Apps.start()) {
            assertEquals("2 hello HTTP/2.0", curl("--http2", "-w", "%{http_version} ", "-o", "/dev/null",
                    "http://127.0.0.1:" + server.port() + "/hello") + curl("--http2", "http://127.0.0.1:" + server.port() + "/hello"));
        }
    }

    @Test
    void curlUpgradesAPostWithItsBody() throws Exception {
        try (HttpServer server = Apps.start()) {
            String url = "http://127.0.0.1:" + server.port() + "/echo";
            assertEquals("upgraded body 2", curl("--http2", "--data-binary", "upgraded body", "-w", " %{http_version}", url));
        }
    }

    @Test
    void curlWithExpectContinueOverH2() throws Exception {
        try (HttpServer server = Apps.start()) {
            String url = "http://127.0.0.1:" + server.port() + "/count";
            // curl asks for 100-continue on bodies over 1 MiB (7.88), and waits for it before sending.
            byte[] big = new byte[2 << 20];
            Path file = Files.createTempFile("weft-h2", ".bin");
            try {
                Files.write(file, big);
                assertEquals(Integer.toString(big.length), curl("--http2-prior-knowledge", "-H", "Expect: 100-continue",
                        "--expect100-timeout", "5", "--data-binary", "@" + file, url));
            } finally {
                Files.delete(file);
            }
        }
    }

    @Test
    void onePortServesHttp11AndH2c() throws Exception {
        try (HttpServer server = Apps.start()) {
            assertEquals("hello HTTP/1.1", curl("--http1.1", "http://127.0.0.1:" + server.port() + "/hello"));
            assertEquals("hello HTTP/2.0", curl("--http2-prior-knowledge", "http://127.0.0.1:" + server.port() + "/hello"));
        }
    }

    /** Without the protocol registered, the preface is still the 505 it always was. */
    @Test
    void withoutTheModuleThePrefaceIs505() throws IOException {
        try (HttpServer server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .get("/hello", (req, res) -> res.send("hello")).start();
                Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            assertEquals("HTTP/1.1 505", head);
        }
    }

    @Test
    void priorKnowledgeOffIs505() throws IOException {
        try (HttpServer server = Apps.builder(Http2Options.defaults().withPriorKnowledge(false)).start();
                Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertEquals("HTTP/1.1 505", new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1));
        }
    }

    /** The preface's request line, then something else: not the preface, so HTTP/1.1 answers it, 505. */
    @Test
    void aBrokenPrefaceIsHttp11s505() throws IOException {
        try (HttpServer server = Apps.start(); Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertEquals("HTTP/1.1 505", new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1));
        }
    }
}
