package dev.weft.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testing.TestTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How file bodies travel: a large file by sendfile on TCP and through the buffer on TLS (the
 * same bytes, checked by hash), a file cut while it is sent (a reset, never a clean end), the
 * channels closed whatever the answer, the default {@link Response#sendFile} of other
 * implementations, and class-path resources from a jar.
 */
class StaticFilesTransferTest {

    static final long BIG = 64L << 20;

    @TempDir
    static Path dir;
    static Path root;
    static Path big;
    static byte[] bigHash;
    static HttpServer plain;
    static HttpServer tls;
    static HttpClient client;
    static HttpClient tlsClient;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createDirectories(dir.resolve("root"));
        big = root.resolve("big.bin");
        // Sparse, with random blocks spread over it, so the hash notices any misplaced byte.
        Random random = new Random(42);
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(BIG);
            byte[] block = new byte[256 << 10];
            for (long at = 0; at < BIG; at += 7L << 20) {
                random.nextBytes(block);
                f.seek(at);
                f.write(block);
            }
        }
        bigHash = sha256(Files.newInputStream(big));
        Files.writeString(root.resolve("small.txt"), "small file\n");
        TestTls keys = TestTls.in(dir);
        plain = builder().start();
        tls = builder().tls(keys.server()).handshakeTimeout(Duration.ofSeconds(5)).start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        tlsClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(keys.client()).build();
    }

    private static HttpServer.Builder builder() {
        return HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress()).accessLog(false)
                .filter((req, res, chain) -> {
                    chain.next();
                    if (!res.isCommitted()) { // a streamed body (the default sendFile) may have gone out
                        res.header("X-After", "filter"); // a recorded file goes out at finish: still open here
                    }
                    if (req.queryParam("fail") != null) {
                        throw new IllegalStateException("filter fails after the file was recorded");
                    }
                })
                .staticFiles("/files", root)
                .get("/too-long", (req, res) -> {
                    FileChannel ch = FileChannel.open(root.resolve(req.queryParam("f")));
                    res.sendFile(ch, 0, ch.size() + 1000); // claims more than the file has
                })
                .get("/wrapped/*", (req, res) -> StaticFiles.directory(root).handle(req, new Wrapped(res)));
    }

    @AfterAll
    static void stop() {
        plain.close();
        tls.close();
    }

    static byte[] sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (in) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) >= 0; ) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    static URI uri(HttpServer s, String path) {
        return URI.create((s == tls ? "https" : "http") + "://127.0.0.1:" + s.port() + path);
    }

    static HttpResponse<InputStream> stream(HttpServer s, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(s, path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return (s == tls ? tlsClient : client).send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void aLargeFileArrivesWholeOverTcpAndTls() throws Exception {
        for (HttpServer s : new HttpServer[] {plain, tls}) {
            HttpResponse<InputStream> r = stream(s, "/files/big.bin");
            assertEquals(200, r.statusCode());
            assertEquals(String.valueOf(BIG), r.headers().firstValue("content-length").orElseThrow());
            assertArrayEquals(bigHash, sha256(r.body()), s == tls ? "TLS" : "TCP");
        }
    }

    @Test
    void aRangeOfTheLargeFileOverTcpAndTls() throws Exception {
        long first = (32L << 20) - 1000;
        long last = first + (3L << 20);
        byte[] expect;
        try (InputStream in = Files.newInputStream(big)) {
            in.skipNBytes(first);
            expect = sha256(new java.io.ByteArrayInputStream(in.readNBytes((int) (last - first + 1))));
        }
        for (HttpServer s : new HttpServer[] {plain, tls}) {
            HttpResponse<InputStream> r = stream(s, "/files/big.bin", "Range", "bytes=" + first + "-" + last);
            assertEquals(206, r.statusCode());
            assertEquals("bytes " + first + "-" + last + "/" + BIG, r.headers().firstValue("content-range").orElseThrow());
            assertArrayEquals(expect, sha256(r.body()), s == tls ? "TLS" : "TCP");
        }
    }

    /**
     * A reader slower than the server fills the socket's send buffer again and again: sendfile
     * finds no room (transferTo gives 0 then), the server waits for room and goes on. Every byte
     * arrives once and in order, over a small receive window and reads with pauses.
     */
    @Test
    void aSlowReaderGetsTheWholeFileOverTcp() throws Exception {
        byte[] data = new byte[6 << 20];
        new Random(7).nextBytes(data);
        Path slow = root.resolve("slow.bin");
        Files.write(slow, data);
        try (java.net.Socket s = new java.net.Socket()) {
            s.setReceiveBufferSize(16 << 10);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", plain.port()));
            s.getOutputStream().write("GET /files/slow.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream(data.length + 1024);
            byte[] piece = new byte[64 << 10];
            for (int n, reads = 0; (n = in.read(piece)) >= 0; reads++) {
                got.write(piece, 0, n);
                if (reads % 8 == 0) {
                    Thread.sleep(2); // plays a slow reader: the server's send buffer fills meanwhile
                }
            }
            byte[] all = got.toByteArray();
            String head = new String(all, 0, 1000, StandardCharsets.ISO_8859_1);
            int bodyAt = head.indexOf("\r\n\r\n") + 4;
            head = head.substring(0, bodyAt);
            assertTrue(head.startsWith("HTTP/1.1 200") && head.contains("Content-Length: " + data.length), head);
            assertEquals(data.length, all.length - bodyAt);
            assertArrayEquals(data, java.util.Arrays.copyOfRange(all, bodyAt, all.length));
        } finally {
            Files.deleteIfExists(slow);
        }
    }

    /** A copy of the big file that the test may cut while it is being sent. */
    private static Path copyOfBig(String name) throws IOException {
        Path p = root.resolve(name);
        Files.copy(big, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return p;
    }

    @Test
    void aFileTruncatedWhileSentResetsTheConnectionOnTcp() throws Exception {
        Path victim = copyOfBig("cut-tcp.bin");
        try (Raw c = new Raw(plain.port())) {
            c.send("GET /files/cut-tcp.bin HTTP/1.1\r\nHost: t\r\n\r\n");
            byte[] first = c.in.readNBytes(1 << 20); // the head and the first MiB: the server is mid-file
            assertTrue(new String(first, 0, 1000, StandardCharsets.ISO_8859_1).contains("Content-Length: " + BIG));
            try (FileChannel ch = FileChannel.open(victim, StandardOpenOption.WRITE)) {
                ch.truncate(0);
            }
            Raw.End end = c.readToEnd();
            assertTrue(end.reset(), "a cut file ends with RST, never a clean FIN");
            assertTrue(first.length + end.bytes().length < BIG, "fewer bytes than announced");
        } finally {
            Files.deleteIfExists(victim);
        }
    }

    @Test
    void aFileTruncatedWhileSentFailsTheTlsClient() throws Exception {
        Path victim = copyOfBig("cut-tls.bin");
        try {
            HttpResponse<InputStream> r = stream(tls, "/files/cut-tls.bin");
            assertEquals(200, r.statusCode());
            try (InputStream in = r.body()) {
                in.readNBytes(1 << 20);
                try (FileChannel ch = FileChannel.open(victim, StandardOpenOption.WRITE)) {
                    ch.truncate(0);
                }
                assertThrows(IOException.class, () -> in.transferTo(OutputStream.nullOutputStream()),
                        "the client must see the cut, not a clean end");
            }
        } finally {
            Files.deleteIfExists(victim);
        }
    }

    @org.junit.jupiter.api.extension.RegisterExtension
    final StderrCapture stderr = new StderrCapture();

    @Test
    void aClientLeavingMidFileIsNoServerError() throws Exception {
        long completed = plain.stats().completed();
        try (Raw c = new Raw(plain.port())) {
            c.send("GET /files/big.bin HTTP/1.1\r\nHost: t\r\n\r\n");
            c.in.readNBytes(1 << 20);
            c.socket.setSoLinger(true, 0); // leave with RST, as a browser tab closed mid-download does
        }
        // The server notices at its next write; its connection then ends and the next request is served.
        await().atMost(Duration.ofSeconds(10)).until(() -> plain.stats().completed() > completed);
        assertTrue(!stderr.text().contains("ERROR"), stderr.text());
    }

    @Test
    void aFileDeletedWhileSentArrivesWholeFromItsOpenChannel() throws Exception {
        // On POSIX an unlinked file lives on while open: the bytes the head announced still come.
        Path victim = copyOfBig("deleted.bin");
        HttpResponse<InputStream> r = stream(plain, "/files/deleted.bin");
        try (InputStream in = r.body()) {
            byte[] head = in.readNBytes(1 << 20);
            Files.delete(victim);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(head);
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) >= 0; ) {
                md.update(buf, 0, n);
            }
            assertArrayEquals(bigHash, md.digest());
        }
    }

    @Test
    void aFileShorterThanItsDeclaredLengthIsAResetOnceItWentOut() throws Exception {
        try (Raw c = new Raw(plain.port())) {
            c.send("GET /too-long?f=big.bin HTTP/1.1\r\nHost: t\r\n\r\n");
            Raw.End end = c.readToEnd();
            assertTrue(end.text().startsWith("HTTP/1.1 200"), end.text().substring(0, 100));
            assertTrue(end.reset(), "1000 bytes short: RST, not a clean end");
        }
        // A small file is read before its head goes out: found short then, it is an error answer.
        try (Raw c = new Raw(plain.port())) {
            Raw.Reply r = c.send("GET /too-long?f=small.txt HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(500, r.status());
            assertEquals("internal server error\n", r.text());
        }
    }

    @Test
    void filtersStillSetHeadersAndAFailingFilterGetsTheErrorAnswer() throws Exception {
        Raw.Reply ok;
        try (Raw c = new Raw(plain.port())) {
            ok = c.send("GET /files/small.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").read();
        }
        assertEquals("filter", ok.header("X-After"));
        assertEquals("small file\n", ok.text());
        try (Raw c = new Raw(plain.port())) {
            Raw.Reply failed = c.send("GET /files/small.txt?fail=1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").read();
            assertEquals(500, failed.status(), "nothing went out yet: the error answer replaces the file");
            assertEquals("internal server error\n", failed.text());
        }
    }

    /** Open descriptors of this JVM on files under the test's directory (Linux /proc). */
    static long openFilesUnder(Path d) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        long n = 0;
        try (var list = Files.list(fds)) {
            for (Path fd : (Iterable<Path>) list::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).startsWith(d)) {
                        n++;
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return n;
    }

    @Test
    void everyAnswerClosesItsFile() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "Linux /proc");
        String etag;
        try (Raw c = new Raw(plain.port())) {
            etag = c.send("HEAD /files/small.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").read(true).header("ETag");
        }
        String[][] requests = {
            {"GET", "/files/small.txt", ""}, {"HEAD", "/files/small.txt", ""},
            {"GET", "/files/small.txt", "If-None-Match: " + etag}, {"GET", "/files/small.txt", "If-Match: \"x\""},
            {"GET", "/files/small.txt", "Range: bytes=500-"}, {"GET", "/files/small.txt", "Range: bytes=0-1"},
            {"GET", "/files/small.txt", "Range: bytes=0-1,5-6"}, {"GET", "/files/small.txt?fail=1", ""},
            {"GET", "/too-long?f=small.txt", ""}, {"GET", "/too-long?f=big.bin", ""}, {"GET", "/wrapped/small.txt", ""},
        };
        for (String[] q : requests) {
            try (Raw c = new Raw(plain.port())) {
                c.send(q[0] + " " + q[1] + " HTTP/1.1\r\nHost: t\r\n" + (q[2].isEmpty() ? "" : q[2] + "\r\n")
                        + "Connection: close\r\n\r\n").readToEnd();
            }
        }
        // The last response is written before its channel is closed: wait for the server's side to end.
        await().atMost(Duration.ofSeconds(5)).until(() -> openFilesUnder(root) == 0);
    }

    @Test
    void theDefaultSendFileStreamsForOtherResponseImplementations() throws Exception {
        try (Raw c = new Raw(plain.port())) {
            Raw.Reply r = c.send("GET /wrapped/small.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("small file\n", r.text());
            assertEquals("11", r.header("Content-Length"));
        }
        HttpResponse<InputStream> r = stream(plain, "/wrapped/big.bin", "Range", "bytes=0-1048575");
        assertEquals(206, r.statusCode());
        byte[] expect;
        try (InputStream in = Files.newInputStream(big)) {
            expect = in.readNBytes(1 << 20);
        }
        assertArrayEquals(expect, r.body().readAllBytes());
    }

    @Test
    void http10GetsTheFileWithItsLength() throws Exception {
        try (Raw c = new Raw(plain.port())) {
            Raw.Reply r = c.send("GET /files/small.txt HTTP/1.0\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("11", r.header("Content-Length"));
            assertEquals("small file\n", r.text());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void classpathResourcesFromAJar() throws Exception {
        Path jar = dir.resolve("web.jar");
        byte[] js = "console.log('from a jar');\n".repeat(50).getBytes(StandardCharsets.UTF_8);
        long time = System.currentTimeMillis() - 60_000;
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String[] e : new String[][] {{"web/", null}, {"web/index.html", "<p>jar index</p>\n"},
                    {"web/sub/", null}, {"web/sub/index.html", "<p>jar sub</p>\n"}, {"web/.hidden", "no\n"}}) {
                JarEntry entry = new JarEntry(e[0]);
                entry.setTime(time);
                out.putNextEntry(entry);
                if (e[1] != null) {
                    out.write(e[1].getBytes(StandardCharsets.UTF_8));
                }
                out.closeEntry();
            }
            JarEntry app = new JarEntry("web/app.js");
            app.setTime(time);
            out.putNextEntry(app);
            out.write(js);
            out.closeEntry();
            JarEntry gz = new JarEntry("web/app.js.gz");
            gz.setTime(time + 2000);
            out.putNextEntry(gz);
            out.write(StaticFilesTest.gzip(js));
            out.closeEntry();
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            HttpServer s = HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress()).accessLog(false)
                    .staticFiles("/", StaticFiles.classpath("/web/", loader).cacheControl("no-cache")).start();
            try {
                HttpClient c = client;
                String base = "http://127.0.0.1:" + s.port();
                HttpResponse<String> index = c.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, index.statusCode());
                assertEquals("<p>jar index</p>\n", index.body());
                assertEquals("no-cache", index.headers().firstValue("cache-control").orElseThrow());
                assertEquals("text/html; charset=utf-8", index.headers().firstValue("content-type").orElseThrow());
                try (Raw raw = new Raw(s.port())) {
                    Raw.Reply r = raw.send("GET /sub HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").read();
                    assertEquals(301, r.status());
                    assertEquals("/sub/", r.header("Location"));
                }
                Raw.Reply app = rawGet(s, "/app.js", "Accept-Encoding: gzip");
                assertEquals("gzip", app.header("Content-Encoding"));
                assertEquals("Accept-Encoding", app.header("Vary"));
                assertArrayEquals(StaticFilesTest.gzip(js), app.body());
                Raw.Reply identity = rawGet(s, "/app.js");
                assertArrayEquals(js, identity.body());
                assertEquals("text/javascript; charset=utf-8", identity.header("Content-Type"));
                assertEquals(304, rawGet(s, "/app.js", "If-None-Match: " + identity.header("ETag")).status());
                assertEquals(304, rawGet(s, "/app.js", "If-Modified-Since: " + identity.header("Last-Modified")).status());
                Raw.Reply range = rawGet(s, "/app.js", "Range: bytes=-10");
                assertEquals(206, range.status());
                assertArrayEquals(java.util.Arrays.copyOfRange(js, js.length - 10, js.length), range.body());
                Raw.Reply multi = rawGet(s, "/app.js", "Range: bytes=0-0,500-501");
                assertEquals(206, multi.status());
                assertTrue(multi.header("Content-Type").startsWith("multipart/byteranges"));
                assertEquals(404, rawGet(s, "/.hidden").status());
                assertEquals(404, rawGet(s, "/nope.js").status());
                assertEquals("<p>jar sub</p>\n", rawGet(s, "/sub/").text());
                assertNull(rawGet(s, "/sub/index.html").header("Content-Encoding"));
            } finally {
                s.close();
            }
        }
    }

    private static Raw.Reply rawGet(HttpServer s, String path, String... headers) throws IOException {
        try (Raw c = new Raw(s.port())) {
            StringBuilder sb = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: t\r\n");
            for (String h : headers) {
                sb.append(h).append("\r\n");
            }
            return c.send(sb.append("Connection: close\r\n\r\n").toString()).read();
        }
    }

    /** Another implementation of Response (as an HTTP/2 module's): delegates all but sendFile, so the default runs. */
    private record Wrapped(Response d) implements Response {
        @Override
        public Response status(int status) {
            d.status(status);
            return this;
        }

        @Override
        public int status() {
            return d.status();
        }

        @Override
        public Response header(String name, String value) {
            d.header(name, value);
            return this;
        }

        @Override
        public Response addHeader(String name, String value) {
            d.addHeader(name, value);
            return this;
        }

        @Override
        public Response contentType(String type) {
            d.contentType(type);
            return this;
        }

        @Override
        public Response contentLength(long length) {
            d.contentLength(length);
            return this;
        }

        @Override
        public void send(String body) {
            d.send(body);
        }

        @Override
        public void send(byte[] body) {
            d.send(body);
        }

        @Override
        public void send() {
            d.send();
        }

        @Override
        public OutputStream outputStream() {
            return d.outputStream();
        }

        @Override
        public boolean isCommitted() {
            return d.isCommitted();
        }

        @Override
        public Response beforeCommit(Runnable action) {
            d.beforeCommit(action);
            return this;
        }

        @Override
        public void switchProtocols(String protocol, dev.weft.core.ConnectionHandler takeover) {
            d.switchProtocols(protocol, takeover);
        }

        @Override
        public Response compress(boolean allowed) {
            d.compress(allowed);
            return this;
        }

        @Override
        public EventStream sse() {
            return d.sse();
        }
    }
}
