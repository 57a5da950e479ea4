package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static files through clients we did not write (the JDK's HttpClient, curl) and raw bytes:
 * types, validators and conditional requests (RFC 9110 §13), ranges (§14), precompressed
 * siblings, and the rules that keep a request inside the root.
 */
class StaticFilesTest {

    @TempDir
    static Path tmp;
    static Path root;
    static HttpServer server;
    static HttpClient client;
    static StaticFiles files;

    static final String HELLO = "Hello, static world!\n";
    static final byte[] DATA = new byte[10_000];
    static final String APP_JS = "function f(x) { return x * 2; }\n".repeat(100);
    static final String BIG_TEXT = "All work and no play makes Jack a dull boy.\n".repeat(250);

    @BeforeAll
    static void start() throws Exception {
        for (int i = 0; i < DATA.length; i++) {
            DATA[i] = (byte) (i * 31 % 251);
        }
        root = Files.createDirectories(tmp.resolve("root"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "outside secret\n");
        Files.writeString(root.resolve("hello.txt"), HELLO);
        Files.write(root.resolve("data.bin"), DATA);
        // A minute old: a Last-Modified of the current second is a weak validator (§8.8.2.2), no good for If-Range.
        Files.setLastModifiedTime(root.resolve("data.bin"), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Files.writeString(root.resolve("big.txt"), BIG_TEXT);
        Files.writeString(root.resolve("app.js"), APP_JS);
        Files.write(root.resolve("app.js.gz"), gzip(APP_JS.getBytes(StandardCharsets.UTF_8)));
        Files.write(root.resolve("app.js.br"), Brotli.uncompressed(APP_JS.getBytes(StandardCharsets.UTF_8)));
        Files.writeString(root.resolve("style.css"), "body { color: red }\n".repeat(100));
        Files.write(root.resolve("style.css.gz"), gzip("stale".getBytes(StandardCharsets.UTF_8)));
        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
        Files.setLastModifiedTime(root.resolve("style.css.gz"), old); // older than style.css: stale
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/index.html"), "<h1>sub</h1>\n");
        Files.createDirectories(root.resolve("empty"));
        Files.writeString(root.resolve(".secret"), "dot secret\n");
        Files.createDirectories(root.resolve(".git"));
        Files.writeString(root.resolve(".git/config"), "[core]\n");
        Files.writeString(root.resolve("a b.txt"), "space\n");
        Files.writeString(root.resolve("caf\u00e9.txt"), "accent\n");
        Files.createSymbolicLink(root.resolve("link-out.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("link-in.txt"), root.resolve("hello.txt"));
        Files.createSymbolicLink(root.resolve("link-dot.txt"), root.resolve(".secret"));
        Files.createSymbolicLink(root.resolve("link-dir"), outside);
        Process fifo = new ProcessBuilder("mkfifo", root.resolve("fifo").toString()).start();
        assertTrue(fifo.waitFor(10, TimeUnit.SECONDS) && fifo.exitValue() == 0, "mkfifo");
        files = StaticFiles.directory(root).cacheControl("public, max-age=60");
        server = HttpServer.builder().bindAddress(java.net.InetAddress.getLoopbackAddress()).accessLog(false)
                .staticFiles("/files", files)
                .staticFiles("/links", StaticFiles.directory(root).allowSymlinksOutsideRoot(true))
                .staticFiles("/dots", StaticFiles.directory(root).hideDotFiles(false))
                .staticFiles("/plain", StaticFiles.directory(root).precompressed(false).index(null))
                .staticFiles("/types", StaticFiles.directory(root).contentType("BIN", "application/x-test"))
                .staticFiles("/cp", StaticFiles.classpath("static-cp/", StaticFilesTest.class.getClassLoader()))
                .get("/raw", (req, res) -> files.serve(req, res, req.queryParam("p")))
                .post("/raw", (req, res) -> files.serve(req, res, req.queryParam("p")))
                .get("/one", (req, res) -> StaticFiles.serveFile(req, res, root.resolve("data.bin")))
                .get("/files/override", (req, res) -> res.send("a route of its own"))
                .start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    /** One request on a fresh connection: {@code headers} are "Name: value" lines. */
    static Raw.Reply raw(String method, String target, String... headers) throws IOException {
        try (Raw c = new Raw(server.port())) {
            StringBuilder sb = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: t\r\n");
            for (String h : headers) {
                sb.append(h).append("\r\n");
            }
            return c.send(sb.append("Connection: close\r\n\r\n").toString()).read(method.equals("HEAD"));
        }
    }

    static Raw.Reply get(String target, String... headers) throws IOException {
        return raw("GET", target, headers);
    }

    /**
     * A path served once is remembered as checked; swapping it, or a directory on its way, for a
     * link that leads out of the root afterwards must not be served from that memory. The file
     * replaced in place (same path, another file) is served with its new bytes.
     */
    @Test
    void aPathServedBeforeAndSwappedForALinkOutOfTheRootIsRefused() throws Exception {
        Path outside = tmp.resolve("outside");
        Path dir = Files.createDirectories(root.resolve("swap"));
        Files.writeString(dir.resolve("f.txt"), "inside\n");
        Files.writeString(root.resolve("swap-file.txt"), "inside file\n");
        for (int i = 0; i < 3; i++) { // served, then served from memory
            assertEquals("inside\n", get("/files/swap/f.txt").text());
            assertEquals("inside file\n", get("/files/swap-file.txt").text());
        }
        Files.writeString(outside.resolve("f.txt"), "outside f\n");
        Files.move(dir, root.resolve("swap-moved"));
        Files.createSymbolicLink(dir, outside); // swap/ now leads outside
        Files.delete(root.resolve("swap-file.txt"));
        Files.createSymbolicLink(root.resolve("swap-file.txt"), outside.resolve("secret.txt"));
        assertEquals(404, get("/files/swap/f.txt").status());
        assertEquals(404, get("/files/swap-file.txt").status());
        // Back to plain files, one of them new: served, the new bytes.
        Files.delete(root.resolve("swap-file.txt"));
        Files.writeString(root.resolve("swap-file.txt"), "a new file\n");
        assertEquals("a new file\n", get("/files/swap-file.txt").text());
        Files.delete(dir);
        Files.move(root.resolve("swap-moved"), dir);
        assertEquals("inside\n", get("/files/swap/f.txt").text());
    }

    @Test
    void aFileWithItsTypeValidatorsAndCacheControlThroughTheJdkClient() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/files/hello.txt")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(HELLO, r.body());
        assertEquals("text/plain; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());
        assertEquals(String.valueOf(HELLO.length()), r.headers().firstValue("content-length").orElseThrow());
        assertEquals("bytes", r.headers().firstValue("accept-ranges").orElseThrow());
        assertEquals("public, max-age=60", r.headers().firstValue("cache-control").orElseThrow());
        String etag = r.headers().firstValue("etag").orElseThrow();
        assertTrue(etag.matches("\"[0-9a-f]+-[0-9a-f]+\""), etag);
        String lm = r.headers().firstValue("last-modified").orElseThrow();
        long mtime = Files.getLastModifiedTime(root.resolve("hello.txt")).toMillis() / 1000;
        assertEquals(java.time.format.DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
                .format(java.time.Instant.ofEpochSecond(mtime).atZone(java.time.ZoneOffset.UTC)), lm);
        assertTrue(r.headers().firstValue("vary").isEmpty(), "no sibling: nothing varies");
    }

    @Test
    void theEtagChangesWithinASecondAndForTheSameSize() throws Exception {
        Path f = root.resolve("rewritten.txt");
        try {
            Files.writeString(f, "version 1\n");
            java.time.Instant t = java.time.Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            Files.setLastModifiedTime(f, FileTime.from(t.plusNanos(1000)));
            Raw.Reply first = get("/files/rewritten.txt");
            Files.writeString(f, "version 2\n"); // same size
            Files.setLastModifiedTime(f, FileTime.from(t.plusNanos(2000)));
            Raw.Reply second = get("/files/rewritten.txt");
            Assumptions.assumeTrue(Files.getLastModifiedTime(f).to(TimeUnit.MICROSECONDS) % 1000 == 2,
                    "a file system that keeps microseconds");
            assertEquals(first.header("Last-Modified"), second.header("Last-Modified"), "the same second");
            assertNotEquals(first.header("ETag"), second.header("ETag"), "a strong validator names the bytes");
            assertEquals(200, get("/files/rewritten.txt", "If-None-Match: " + first.header("ETag")).status());
        } finally {
            Files.delete(f);
        }
    }

    @Test
    void contentTypesFromTheTableAndTheOverride() throws Exception {
        assertEquals("application/octet-stream", get("/files/data.bin").header("Content-Type"));
        assertEquals("application/x-test", get("/types/data.bin").header("Content-Type"));
        assertEquals("text/javascript; charset=utf-8", get("/files/app.js").header("Content-Type"));
        assertEquals("text/html; charset=utf-8", get("/files/sub/").header("Content-Type"));
        assertEquals("text/css; charset=utf-8", get("/files/style.css").header("Content-Type"));
        assertEquals("space\n", get("/files/a%20b.txt").text());
        assertEquals("accent\n", get("/files/caf%C3%A9.txt").text());
        assertArrayEquals(DATA, get("/one").body());
        assertEquals("a route of its own", get("/files/override").text(), "a more specific route wins");
    }

    @Test
    void headHasTheLengthAndNoBody() throws Exception {
        Raw.Reply r = raw("HEAD", "/files/data.bin");
        assertEquals(200, r.status());
        assertEquals("10000", r.header("Content-Length"));
        assertEquals(0, r.body().length);
        assertNotNull(r.header("ETag"));
        Raw.Reply ranged = raw("HEAD", "/files/data.bin", "Range: bytes=0-9");
        assertEquals(200, ranged.status(), "only GET gets ranges");
        assertEquals("10000", ranged.header("Content-Length"));
    }

    @Test
    void conditionalRequestsInTheOrderOfRfc9110() throws Exception {
        Raw.Reply full = get("/files/hello.txt");
        String etag = full.header("ETag");
        String lm = full.header("Last-Modified");
        String earlier = "Sun, 06 Nov 1994 08:49:37 GMT";
        String later = "Fri, 01 Jan 2100 00:00:00 GMT";
        record Row(String why, int status, String... headers) {
        }
        List<Row> rows = List.of(
                new Row("If-None-Match of the tag", 304, "If-None-Match: " + etag),
                new Row("If-None-Match, weak comparison", 304, "If-None-Match: \"x\", W/" + etag),
                new Row("If-None-Match *", 304, "If-None-Match: *"),
                new Row("If-None-Match of another tag", 200, "If-None-Match: \"other\""),
                new Row("If-None-Match wins over If-Modified-Since", 200, "If-None-Match: \"other\"",
                        "If-Modified-Since: " + lm),
                new Row("If-Modified-Since = Last-Modified", 304, "If-Modified-Since: " + lm),
                new Row("If-Modified-Since later", 304, "If-Modified-Since: " + later),
                new Row("If-Modified-Since earlier", 200, "If-Modified-Since: " + earlier),
                new Row("If-Modified-Since not a date: ignored", 200, "If-Modified-Since: yesterday"),
                new Row("If-Modified-Since RFC 850 form, later", 304, "If-Modified-Since: " + rfc850Later()),
                new Row("If-Modified-Since asctime form, earlier", 200, "If-Modified-Since: Sun Nov  6 08:49:37 1994"),
                new Row("If-Match of the tag", 200, "If-Match: " + etag),
                new Row("If-Match *", 200, "If-Match: *"),
                new Row("If-Match of another tag", 412, "If-Match: \"other\""),
                new Row("If-Match weak: strong comparison fails", 412, "If-Match: W/" + etag),
                new Row("If-Match malformed", 412, "If-Match: " + etag.substring(1)),
                new Row("If-Unmodified-Since earlier", 412, "If-Unmodified-Since: " + earlier),
                new Row("If-Unmodified-Since = Last-Modified", 200, "If-Unmodified-Since: " + lm),
                new Row("If-Unmodified-Since not a date: ignored", 200, "If-Unmodified-Since: 1994-11-06"),
                new Row("If-Match passes, so If-Unmodified-Since is not looked at", 200, "If-Match: " + etag,
                        "If-Unmodified-Since: " + earlier),
                new Row("If-Match fails before If-None-Match is looked at", 412, "If-Match: \"other\"",
                        "If-None-Match: " + etag));
        for (Row row : rows) {
            Raw.Reply r = get("/files/hello.txt", row.headers());
            assertEquals(row.status(), r.status(), row.why());
            if (row.status() == 304) {
                assertEquals(etag, r.header("ETag"), row.why());
                assertEquals("public, max-age=60", r.header("Cache-Control"), row.why());
                assertNull(r.header("Content-Type"), row.why() + ": a 304 has no Content-Type (§15.4.5)");
                assertEquals(0, r.body().length);
            } else if (row.status() == 200) {
                assertEquals(HELLO, r.text(), row.why());
            }
        }
        assertEquals(304, raw("HEAD", "/files/hello.txt", "If-None-Match: " + etag).status());
    }

    /** Tomorrow in the obsolete RFC 850 form (two-digit year), which a recipient must accept (§5.6.7). */
    private static String rfc850Later() {
        java.time.ZonedDateTime t = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusDays(1);
        return t.format(java.time.format.DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.US));
    }

    @Test
    void singleSuffixOpenAndClampedRanges() throws Exception {
        record Row(String range, int first, int last) {
        }
        for (Row row : List.of(new Row("bytes=0-9", 0, 9), new Row("bytes=-500", 9500, 9999),
                new Row("bytes=9990-", 9990, 9999), new Row("bytes=9000-99999999999999999999", 9000, 9999),
                new Row("Bytes=5-5", 5, 5), new Row("bytes= 1-2 ,", 1, 2), new Row("bytes=-20000", 0, 9999),
                new Row("bytes=0-1,1-3", 0, 3), new Row("bytes=10-20,0-5", 0, 20),
                new Row("bytes=5000-,-10", 5000, 9999))) {
            Raw.Reply r = get("/files/data.bin", "Range: " + row.range());
            assertEquals(206, r.status(), row.range());
            assertEquals("bytes " + row.first() + "-" + row.last() + "/10000", r.header("Content-Range"), row.range());
            assertArrayEquals(Arrays.copyOfRange(DATA, row.first(), row.last() + 1), r.body(), row.range());
            assertEquals("application/octet-stream", r.header("Content-Type"));
        }
    }

    @Test
    void multipleRangesAsMultipartByteranges() throws Exception {
        Raw.Reply r = get("/files/data.bin", "Range: bytes=9000-9099, 0-99, 5000-5000");
        assertEquals(206, r.status());
        String type = r.header("Content-Type");
        assertTrue(type.startsWith("multipart/byteranges; boundary="), type);
        assertNull(r.header("Content-Range"));
        List<long[]> parts = new ArrayList<>();
        List<byte[]> bodies = new ArrayList<>();
        parseMultipart(r.body(), type.substring(type.indexOf('=') + 1), "application/octet-stream", parts, bodies);
        assertEquals(3, parts.size());
        long[][] expect = {{0, 99}, {5000, 5000}, {9000, 9099}}; // ascending, as sent
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(expect[i], parts.get(i));
            assertArrayEquals(Arrays.copyOfRange(DATA, (int) expect[i][0], (int) expect[i][1] + 1), bodies.get(i));
        }
        assertEquals(String.valueOf(r.body().length), r.header("Content-Length"));
    }

    /** Parses a multipart/byteranges body strictly: every part has the type and a Content-Range. */
    static void parseMultipart(byte[] body, String boundary, String type, List<long[]> ranges, List<byte[]> bodies) {
        String s = new String(body, StandardCharsets.ISO_8859_1);
        int at = 0;
        String delimiter = "--" + boundary;
        assertTrue(s.startsWith(delimiter + "\r\n"), "starts with the first delimiter");
        while (true) {
            at = s.indexOf(delimiter, at);
            assertTrue(at >= 0, "delimiter");
            at += delimiter.length();
            if (s.startsWith("--\r\n", at)) {
                assertEquals(s.length(), at + 4, "nothing after the close delimiter");
                return;
            }
            assertTrue(s.startsWith("\r\n", at));
            int headEnd = s.indexOf("\r\n\r\n", at);
            String head = s.substring(at + 2, headEnd);
            assertTrue(head.contains("Content-Type: " + type), head);
            int cr = head.indexOf("Content-Range: bytes ");
            String spec = head.substring(cr + 21).split("\r\n")[0];
            long first = Long.parseLong(spec.substring(0, spec.indexOf('-')));
            long last = Long.parseLong(spec.substring(spec.indexOf('-') + 1, spec.indexOf('/')));
            ranges.add(new long[] {first, last});
            int data = headEnd + 4;
            bodies.add(Arrays.copyOfRange(body, data, data + (int) (last - first + 1)));
            at = data + (int) (last - first + 1);
            assertTrue(s.startsWith("\r\n" + delimiter, at), "CRLF before the next delimiter");
        }
    }

    @Test
    void badAndUnsatisfiableRangesTable() throws Exception {
        String seventeen = "bytes=" + String.join(",", java.util.Collections.nCopies(17, "0-0"));
        String overlapping = "bytes=" + String.join(",", java.util.Collections.nCopies(16, "0-"));
        Object[][] rows = {
            {"bytes=10000-", 416}, {"bytes=20000-30000", 416}, {"bytes=-0", 416}, {"bytes=5-1", 416},
            {"bytes=abc", 416}, {"bytes=1-2-3", 416}, {"bytes=", 416}, {"bytes=,", 416}, {"bytes=--5", 416},
            {"bytes=+1-2", 416}, {"bytes=1 -2", 416}, {"bytes=0x1-2", 416}, {"bytes=10000-,20000-", 416},
            {"items=0-5", 200}, {"bytes 0-5", 200}, {"0-5", 200}, {seventeen, 200}, {"bytes=" + "1".repeat(2000) + "-", 200},
            {overlapping, 206},
        };
        for (Object[] row : rows) {
            Raw.Reply r = get("/files/data.bin", "Range: " + row[0]);
            String why = "Range: " + (row[0].toString().length() > 60 ? row[0].toString().substring(0, 60) + "…" : row[0]);
            assertEquals((int) row[1], r.status(), why);
            switch ((int) row[1]) {
                case 416 -> {
                    assertEquals("bytes */10000", r.header("Content-Range"), why);
                    assertEquals("range not satisfiable\n", r.text(), why);
                }
                case 200 -> assertArrayEquals(DATA, r.body(), why);
                default -> {
                    assertEquals("bytes 0-9999/10000", r.header("Content-Range"), why + ": merged into one part");
                    assertEquals(10000, r.body().length, why + ": never more than the file");
                }
            }
        }
        Raw.Reply one = get("/files/data.bin", "Range: bytes=0-0, 10000-");
        assertEquals(206, one.status(), "one satisfiable range of two is served");
        assertEquals("bytes 0-0/10000", one.header("Content-Range"));
    }

    @Test
    void ifRangeWithTagOrDate() throws Exception {
        Raw.Reply full = get("/files/data.bin");
        String etag = full.header("ETag");
        String lm = full.header("Last-Modified");
        assertEquals(206, get("/files/data.bin", "Range: bytes=0-9", "If-Range: " + etag).status());
        assertEquals(200, get("/files/data.bin", "Range: bytes=0-9", "If-Range: \"stale\"").status());
        assertEquals(200, get("/files/data.bin", "Range: bytes=0-9", "If-Range: W/" + etag).status(),
                "a weak tag never matches strongly");
        assertEquals(206, get("/files/data.bin", "Range: bytes=0-9", "If-Range: " + lm).status());
        assertEquals(200, get("/files/data.bin", "Range: bytes=0-9", "If-Range: Sun, 06 Nov 1994 08:49:37 GMT").status());
        assertEquals(200, get("/files/data.bin", "Range: bytes=0-9", "If-Range: garbage").status());
        Raw.Reply ignored = get("/files/data.bin", "Range: bytes=20000-", "If-Range: \"stale\"");
        assertEquals(200, ignored.status(), "If-Range fails: the Range is ignored, even an unsatisfiable one");
    }

    @Test
    void precompressedSiblingsByAcceptEncoding() throws Exception {
        byte[] br = Files.readAllBytes(root.resolve("app.js.br"));
        byte[] gz = Files.readAllBytes(root.resolve("app.js.gz"));
        Object[][] rows = {
            {"gzip, deflate, br", "br"}, {"br", "br"}, {"gzip", "gzip"}, {"x-gzip", "gzip"}, {"br;q=0.5, gzip", "gzip"},
            {"br;q=0, gzip;q=0.1", "gzip"}, {"gzip;q=0.5, br;q=0.5", "br"}, {"*", "br"}, {"*;q=0, gzip", "gzip"},
            {"identity", null}, {"br;q=0, gzip;q=0", null}, {"br;q=bad", null}, {null, null},
        };
        String identityTag = null;
        for (Object[] row : rows) {
            Raw.Reply r = row[0] == null ? get("/files/app.js") : get("/files/app.js", "Accept-Encoding: " + row[0]);
            String why = "Accept-Encoding: " + row[0];
            assertEquals(200, r.status(), why);
            assertEquals("Accept-Encoding", r.header("Vary"), why);
            assertEquals("text/javascript; charset=utf-8", r.header("Content-Type"), why);
            assertEquals(row[1], r.header("Content-Encoding"), why);
            if (row[1] == null) {
                assertEquals(APP_JS, r.text(), why);
                identityTag = r.header("ETag");
            } else {
                assertArrayEquals(row[1].equals("br") ? br : gz, r.body(), why);
                assertTrue(r.header("ETag").endsWith(row[1].equals("br") ? "-br\"" : "-gz\""), why);
            }
        }
        // Each representation has its own validator: the identity tag does not revalidate the br one.
        assertEquals(200, get("/files/app.js", "Accept-Encoding: br", "If-None-Match: " + identityTag).status());
        String brTag = get("/files/app.js", "Accept-Encoding: br").header("ETag");
        Raw.Reply notModified = get("/files/app.js", "Accept-Encoding: br", "If-None-Match: " + brTag);
        assertEquals(304, notModified.status());
        assertEquals("Accept-Encoding", notModified.header("Vary"));
        // A Range is of the identity bytes: the sibling is not picked for it.
        Raw.Reply ranged = get("/files/app.js", "Accept-Encoding: br, gzip", "Range: bytes=0-7");
        assertEquals(206, ranged.status());
        assertNull(ranged.header("Content-Encoding"));
        assertEquals(APP_JS.substring(0, 8), ranged.text());
        // Off for the mount: the file itself, and nothing varies.
        Raw.Reply plain = get("/plain/app.js", "Accept-Encoding: br, gzip");
        assertNull(plain.header("Content-Encoding"));
        assertNull(plain.header("Vary"));
        // A sibling older than its file is stale: never sent.
        Raw.Reply stale = get("/files/style.css", "Accept-Encoding: gzip");
        assertNull(stale.header("Content-Encoding"));
        assertEquals("body { color: red }\n".repeat(100), stale.text());
        // The sibling itself can be asked for by name, as the bytes it is.
        Raw.Reply byName = get("/files/app.js.gz", "Accept-Encoding: gzip");
        assertNull(byName.header("Content-Encoding"));
        assertEquals("application/gzip", byName.header("Content-Type"));
        assertArrayEquals(gz, byName.body());
    }

    @Test
    void aTextFileIsNotGzippedOnTheFly() throws Exception {
        // Its ETag names the identity bytes, and a range must be of them: files are sent as they are.
        Raw.Reply r = get("/files/big.txt", "Accept-Encoding: gzip");
        assertEquals(200, r.status());
        assertNull(r.header("Content-Encoding"));
        assertEquals(BIG_TEXT, r.text());
        Raw.Reply range = get("/files/big.txt", "Accept-Encoding: gzip", "Range: bytes=0-3");
        assertEquals(206, range.status());
        assertNull(range.header("Content-Encoding"));
        assertEquals("All ", range.text());
    }

    @Test
    void directoriesIndexesAndRedirects() throws Exception {
        Raw.Reply redirect = get("/files/sub?x=1");
        assertEquals(301, redirect.status());
        assertEquals("/files/sub/?x=1", redirect.header("Location"));
        assertEquals("<h1>sub</h1>\n", get("/files/sub/").text());
        assertEquals("/files/", get("/files").header("Location"));
        assertEquals(404, get("/files/").status(), "the root has no index.html");
        assertEquals(404, get("/files/empty/").status(), "no index, and never a listing");
        assertEquals(404, get("/plain/sub/").status(), "index(null): a directory is 404");
        assertEquals(404, get("/files/hello.txt/").status(), "a file is not a directory");
    }

    /** Raw requests that must not reach a file outside the rules: target → status. */
    @Test
    void traversalAndHiddenFilesTable() throws Exception {
        Object[][] rows = {
            {"/files/../outside/secret.txt", 400}, // the parser's DOT_SEGMENT
            {"/files/%2e%2e/outside/secret.txt", 400}, {"/files/.%2E/outside/secret.txt", 400},
            {"/files/sub/..", 400}, {"/files/./hello.txt", 400},
            {"/files/..%2Foutside%2Fsecret.txt", 400}, // ENCODED_SLASH
            {"/files/..%5Coutside%5Csecret.txt", 400}, // ENCODED_BACKSLASH
            {"/files/hello.txt%00.png", 400}, // ENCODED_CONTROL
            {"/files/%252e%252e/x", 400}, // ENCODED_PERCENT
            {"/files/a\\b", 400}, // TARGET_INVALID
            {"/raw?p=../outside/secret.txt", 400}, {"/raw?p=sub/../../outside/secret.txt", 400},
            {"/raw?p=a%5Cb", 400}, {"/raw?p=hello.txt%00", 400}, {"/raw?p=.", 400},
            {"/raw?p=/hello.txt", 200}, {"/raw?p=//sub//index.html", 200}, {"/raw?p=sub", 200}, {"/raw?p=sub/", 200},
            {"/raw?p=hello.txt/", 404},
            {"/files/.secret", 404}, {"/files/.git/config", 404}, {"/raw?p=.git/config", 404},
            {"/files/link-out.txt", 404}, {"/files/link-dir/secret.txt", 404}, {"/files/link-dot.txt", 404},
            {"/files/link-in.txt", 200}, {"/links/link-out.txt", 200}, {"/links/link-dir/secret.txt", 200},
            {"/dots/.secret", 200}, {"/dots/link-dot.txt", 200},
            {"/files/fifo", 404}, {"/files/missing.txt", 404}, {"/files/missing/deeper.txt", 404},
            {"/files/hello.txt/x", 404},
        };
        for (Object[] row : rows) {
            Raw.Reply r = get((String) row[0]);
            assertEquals((int) row[1], r.status(), (String) row[0] + " → " + r.text());
            if ((int) row[1] != 200) {
                assertTrue(!r.text().contains("secret") && !r.text().contains("[core]"), row[0] + ": " + r.text());
            }
        }
    }

    @Test
    void otherMethodsAre405WithAllow() throws Exception {
        Raw.Reply put = raw("PUT", "/files/hello.txt");
        assertEquals(405, put.status());
        assertEquals("GET, HEAD, OPTIONS", put.header("Allow"));
        Raw.Reply post = raw("POST", "/raw?p=hello.txt", "Content-Length: 0");
        assertEquals(405, post.status(), "serve() checks the method itself");
        assertEquals("GET, HEAD", post.header("Allow"));
    }

    @Test
    void unreadableFileIsNever200() throws Exception {
        Path locked = root.resolve("locked.txt");
        Files.writeString(locked, "locked\n");
        try {
            Files.setPosixFilePermissions(locked, java.util.Set.of());
            Assumptions.assumeFalse(Files.isReadable(locked), "running as root: permissions do not stop reads");
            assertEquals(403, get("/files/locked.txt").status());
        } finally {
            Files.delete(locked);
        }
    }

    @Test
    void classpathResources() throws Exception {
        Raw.Reply index = get("/cp/");
        assertEquals(200, index.status());
        assertEquals("text/html; charset=utf-8", index.header("Content-Type"));
        assertTrue(index.text().contains("class-path index"), index.text());
        assertEquals("/cp/", get("/cp").header("Location"));
        Raw.Reply css = get("/cp/app.css");
        assertEquals("text/css; charset=utf-8", css.header("Content-Type"));
        assertEquals(304, get("/cp/app.css", "If-None-Match: " + css.header("ETag")).status());
        Raw.Reply range = get("/cp/app.css", "Range: bytes=0-3");
        assertEquals(206, range.status());
        assertEquals(css.text().substring(0, 4), range.text());
        assertEquals(404, get("/cp/missing.css").status());
        assertEquals(400, get("/raw?p=..").status());
    }

    @Test
    void pipelinedRequestsAroundAFileStayInOrder() throws Exception {
        try (Raw c = new Raw(server.port())) {
            c.send("GET /files/data.bin HTTP/1.1\r\nHost: t\r\n\r\nGET /files/hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /files/data.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=0-1,100-101\r\n\r\n"
                    + "GET /files/hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            assertArrayEquals(DATA, c.read().body());
            assertEquals(HELLO, c.read().text());
            assertEquals(206, c.read().status());
            assertEquals(HELLO, c.read().text());
        }
    }

    @Test
    void curlRangesConditionalsAndCompressed() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        if (!Files.isExecutable(curl)) {
            assertNull(System.getenv("CI"), "CI must install curl (.ci/run does)");
            Assumptions.abort("no /usr/bin/curl on this machine");
        }
        String base = "http://127.0.0.1:" + server.port() + "/files/";
        String range = curl(curl, "-r", "100-199", base + "data.bin");
        assertTrue(range.startsWith("HTTP/1.1 206"), range);
        assertEquals(100, body(range).length());
        String etag = header(curl(curl, base + "hello.txt"), "etag");
        assertTrue(curl(curl, "-H", "If-None-Match: " + etag, base + "hello.txt").startsWith("HTTP/1.1 304"));
        // -z DATE: If-Modified-Since; -z -DATE: If-Unmodified-Since.
        assertTrue(curl(curl, "-z", "Fri, 01 Jan 2100 00:00:00 GMT", base + "hello.txt").startsWith("HTTP/1.1 304"));
        assertTrue(curl(curl, "-z", "-Sun, 06 Nov 1994 08:49:37 GMT", base + "hello.txt").startsWith("HTTP/1.1 412"));
        assertTrue(curl(curl, "-z", "Sun, 06 Nov 1994 08:49:37 GMT", base + "hello.txt").startsWith("HTTP/1.1 200"));
        // --compressed asks for br and gzip and decodes: both our siblings decode to the file.
        String br = curl(curl, "--compressed", base + "app.js");
        assertEquals("br", header(br, "content-encoding"));
        assertEquals(APP_JS, body(br));
        String gz = curl(curl, "--compressed", "-H", "Accept-Encoding: gzip", base + "app.js");
        assertEquals("gzip", header(gz, "content-encoding"));
        assertEquals(APP_JS, body(gz));
        String multi = curl(curl, "-r", "0-1,5000-5001", base + "data.bin");
        assertTrue(header(multi, "content-type").startsWith("multipart/byteranges"), multi);
    }

    static String curl(Path curl, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(curl.toString(), "-sS", "-D", "-", "--max-time", "10"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    static String header(String curlOut, String name) {
        for (String line : curlOut.substring(0, curlOut.indexOf("\r\n\r\n")).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    static String body(String curlOut) {
        return curlOut.substring(curlOut.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void optionsAreChecked() {
        assertThrowsIae(() -> StaticFiles.directory(root.resolve("hello.txt")));
        assertThrowsIae(() -> StaticFiles.directory(root.resolve("nope")));
        assertThrowsIae(() -> files.index("a/b"));
        assertThrowsIae(() -> files.index(""));
        assertThrowsIae(() -> files.cacheControl("a\r\nSet-Cookie: x"));
        assertThrowsIae(() -> files.contentType(".md", "text/markdown"));
        assertThrowsIae(() -> StaticFiles.classpath("../web"));
        assertThrowsIae(() -> StaticFiles.classpath(""));
        assertThrowsIae(() -> StaticFiles.classpath("/"));
        assertThrowsIae(() -> HttpServer.builder().staticFiles("assets", files));
        assertThrowsIae(() -> HttpServer.builder().staticFiles("/{x}", files));
        assertNotEquals(files, files.hideDotFiles(false), "options make a new instance");
    }

    private static void assertThrowsIae(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, e);
    }

    /** The smallest valid brotli stream (RFC 7932): uncompressed meta-blocks, then an empty last one. */
    static final class Brotli {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int bits;
        private int count;

        private void put(int value, int n) {
            for (int i = 0; i < n; i++) {
                bits |= ((value >>> i) & 1) << count;
                if (++count == 8) {
                    out.write(bits);
                    bits = 0;
                    count = 0;
                }
            }
        }

        private void align() {
            if (count > 0) {
                out.write(bits);
                bits = 0;
                count = 0;
            }
        }

        static byte[] uncompressed(byte[] data) {
            Brotli b = new Brotli();
            b.put(0, 1); // WBITS = 16
            for (int at = 0; at < data.length; at += 65536) {
                int len = Math.min(65536, data.length - at);
                b.put(0, 1); // ISLAST = 0
                b.put(0, 2); // MNIBBLES = 4
                b.put(len - 1, 16); // MLEN - 1
                b.put(1, 1); // ISUNCOMPRESSED
                b.align();
                b.out.write(data, at, len);
            }
            b.put(1, 1); // ISLAST
            b.put(1, 1); // ISLASTEMPTY
            b.align();
            return b.out.toByteArray();
        }
    }
}
