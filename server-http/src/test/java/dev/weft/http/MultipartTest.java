package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.internal.BadMessageException;
import dev.weft.http.internal.Violation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code req.multipart()}: curl and the JDK client as senders, every malformed body and broken
 * limit as raw bytes (answered even when the handler swallows the exception), a parser fuzz
 * over random split points, and an upload far larger than any buffer, streamed.
 */
class MultipartTest {

    static final String B = "XyZ";
    static final String TYPE = "multipart/form-data; boundary=" + B;
    static final int MAX_BODY = 8192;
    static final int MAX_PART = 1024;
    static final int MAX_FIELD = 64;

    static HttpServer server;
    static HttpServer uploads;
    static final AtomicInteger largestRead = new AtomicInteger();
    static final AtomicInteger uploadCalls = new AtomicInteger();

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        server = HttpServer.builder()
                .maxBodyBytes(MAX_BODY)
                .maxMultipartParts(4)
                .maxPartBytes(MAX_PART)
                .maxPartHeaderBytes(256)
                .maxPartHeaderCount(4)
                .maxFormBytes(MAX_FIELD)
                .accessLog(false)
                .post("/parts", (req, res) -> res.send(describe(req)))
                .post("/swallow", (req, res) -> {
                    try {
                        describe(req);
                    } catch (Exception e) { // IOException, and the for-each loop's UncheckedIOException
                        res.send("swallowed: " + e.getMessage());
                        return;
                    }
                    res.send("parsed");
                })
                .get("/", (req, res) -> res.send("ok"))
                .start();
        uploads = HttpServer.builder()
                .maxBodyBytes(1 << 20)
                .maxUploadBytes(1L << 30)
                .accessLog(false)
                .post("/upload", (req, res) -> {
                    uploadCalls.incrementAndGet();
                    res.send(hashParts(req.limitBody(1L << 30)));
                })
                .post("/small", (req, res) -> {
                    uploadCalls.incrementAndGet();
                    res.send(hashParts(req));
                })
                .start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
        uploads.shutdown(Duration.ofSeconds(1));
    }

    /** One line per part: name, filename, unsafe filename, type, then the text of a field or the size and sha-256 of a file. */
    static String describe(Request req) throws IOException {
        Multipart m = req.multipart();
        assertSame(m, req.multipart());
        StringBuilder sb = new StringBuilder();
        for (Part p : m) {
            sb.append(p.name()).append('|').append(p.filename()).append('|').append(p.unsafeFilename()).append('|')
                    .append(p.contentType()).append('|');
            if (p.filename() == null) {
                sb.append(p.asString());
            } else {
                byte[] content = p.inputStream().readAllBytes();
                sb.append(content.length).append(' ').append(sha256(content));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String hashParts(Request req) throws Exception {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[256 << 10];
        for (Part p : req.multipart()) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long total = 0;
            try (InputStream in = p.inputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    largestRead.accumulateAndGet(n, Math::max);
                    sha.update(buf, 0, n);
                    total += n;
                }
            }
            sb.append(p.name()).append(' ').append(total).append(' ').append(HexFormat.of().formatHex(sha.digest())).append('\n');
        }
        return sb.toString();
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String field(String name, String value) {
        return "--" + B + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    }

    static final String END = "--" + B + "--\r\n";

    @Test
    void curlFieldsAndFiles() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        if (!Files.isExecutable(curl)) {
            assertNull(System.getenv("CI"), "CI must install curl (.ci/run does)");
            Assumptions.abort("no /usr/bin/curl on this machine");
        }
        byte[] binary = new byte[1000];
        new Random(7).nextBytes(binary);
        Path file = Files.write(dir.resolve("data.bin"), binary);
        Path text = Files.writeString(dir.resolve("notes.txt"), "one\r\n--XyZ not a delimiter\r\n");
        Process p = new ProcessBuilder(curl.toString(), "-sS", "--max-time", "10",
                "-F", "greeting=héllo wörld", "-F", "file=@" + file, "-F", "notes=@" + text + ";type=text/plain;filename=../../etc/notes.txt",
                "http://127.0.0.1:" + server.port() + "/parts").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertEquals("greeting|null|null|null|héllo wörld\n"
                + "file|data.bin|data.bin|application/octet-stream|1000 " + sha256(binary) + "\n"
                + "notes|notes.txt|../../etc/notes.txt|text/plain|" + Files.size(text) + " "
                + sha256(Files.readAllBytes(text)) + "\n", out);
    }

    @Test
    void jdkClientWithPreambleEpiloguePaddingAndNearDelimiters() throws Exception {
        String content = "a\r\n--Xy\r\n-XyZ\r--XyZ\n--XyZ\r\n--xyz"; // near misses of CRLF--XyZ
        String body = "preamble, ignored\r\n"
                + "--" + B + "  \t\r\nContent-Disposition: form-data; name=\"f\"; filename=\"..\\\\..\\\\boot.ini\"\r\n"
                + "Content-Type: text/plain\r\n\r\n" + content + "\r\n"
                + "--" + B + "\r\ncontent-disposition: FORM-DATA; name=x; filename=\"r\u00c3\u00a9sum\u00c3\u00a9 \\\"v2\\\".pdf.\"\r\n\r\n\r\n"
                + field("empty", "")
                + END + "epilogue, ignored";
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/parts"))
                .header("Content-Type", "multipart/form-data; charset=utf-8; boundary=\"" + B + "\"")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Raw.bytes(body))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("f|boot.ini|..\\..\\boot.ini|text/plain|" + content.length() + " "
                + sha256(content.getBytes(StandardCharsets.ISO_8859_1)) + "\n"
                + "x|résumé _v2_.pdf|résumé \"v2\".pdf.|null|0 " + sha256(new byte[0]) + "\n"
                + "empty|null|null|null|\n", r.body());
    }

    @Test
    void filenamesAreSanitised() {
        assertEquals("passwd", Part.sanitize("../../etc/passwd"));
        assertEquals("boot.ini", Part.sanitize("C:\\Windows\\..\\boot.ini"));
        assertEquals("", Part.sanitize(".."));
        assertEquals("", Part.sanitize("."));
        assertEquals("", Part.sanitize("a/.."));
        assertEquals("bashrc", Part.sanitize(".bashrc"));
        assertEquals("a.b", Part.sanitize("a..b"));
        assertEquals("x.tar.gz", Part.sanitize("x...tar..gz"));
        assertEquals("ab.txt", Part.sanitize("a\u0000b\u001f.txt\u007f"));
        assertEquals("invoicetxt.exe", Part.sanitize("invoice\u202etxt.exe"));
        assertEquals("a_b_c_d_e_f_g", Part.sanitize("a:b*c?d\"e<f>g"));
        assertEquals("x.pdf", Part.sanitize("x.pdf. . "));
        assertEquals("", Part.sanitize(""));
        assertNull(Part.sanitize(null));
    }

    @Test
    void aPartLeftBehindCannotBeReadAndThePartsAreWalkedOnce() throws Exception {
        String body = field("a", "1") + field("b", "2") + END;
        Multipart m = Multipart.read(new ByteArrayInputStream(Raw.bytes(body)), TYPE, Multipart.Limits.DEFAULTS, null);
        Part a = m.next();
        Part b = m.next();
        assertThrows(IllegalStateException.class, () -> a.inputStream().read());
        assertEquals("2", b.asString());
        assertNull(m.next());
        assertNull(m.next(), "still the end");
        m.iterator();
        assertThrows(IllegalStateException.class, m::iterator);
    }

    /** Raw rows: {label, content type, body, violation}. */
    static Stream<Arguments> malformed() {
        List<Arguments> rows = new ArrayList<>();
        String cd = "Content-Disposition: form-data; name=\"a\"\r\n";
        row(rows, Violation.MULTIPART_BOUNDARY_INVALID, "multipart/form-data", field("a", "1") + END);
        row(rows, Violation.MULTIPART_BOUNDARY_INVALID, "multipart/form-data; boundary=\"\"", END);
        row(rows, Violation.MULTIPART_BOUNDARY_INVALID, "multipart/form-data; boundary=" + "b".repeat(71), END);
        row(rows, Violation.MULTIPART_BOUNDARY_INVALID, "multipart/form-data; boundary=\"a@b\"", END);
        row(rows, Violation.MULTIPART_BOUNDARY_INVALID, "multipart/form-data; boundary=\"a \"", END);
        row(rows, Violation.MULTIPART_BOUNDARY_INVALID, "multipart/form-data; boundary=\"unterminated", END);
        row(rows, Violation.MULTIPART_MALFORMED, TYPE, "");
        row(rows, Violation.MULTIPART_MALFORMED, TYPE, "no delimiter anywhere");
        row(rows, Violation.MULTIPART_MALFORMED, TYPE, "--" + B + "x\r\n" + cd + "\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_MALFORMED, TYPE, "--" + B + " " + " ".repeat(300) + "\r\n" + cd + "\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_MALFORMED, TYPE, field("a", "1") + "--" + B + "-\r\n");
        row(rows, Violation.MULTIPART_UNTERMINATED, TYPE, "--" + B + "\r\n" + cd + "\r\nhello");
        row(rows, Violation.MULTIPART_UNTERMINATED, TYPE, field("a", "1") + "--" + B);
        row(rows, Violation.MULTIPART_UNTERMINATED, TYPE, field("a", "1"));
        row(rows, Violation.MULTIPART_UNTERMINATED, TYPE, "--" + B + "\r\nContent-Disp");
        row(rows, Violation.MULTIPART_UNTERMINATED, TYPE, "--" + B + "\r\n" + cd);
        row(rows, Violation.MULTIPART_PART_HEADER_INVALID, TYPE, "--" + B + "\r\nContent-Disposition: form-data; name=a\n\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_PART_HEADER_INVALID, TYPE, "--" + B + "\r\nNoColon\r\n" + cd + "\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_PART_HEADER_INVALID, TYPE, "--" + B + "\r\n: empty name\r\n" + cd + "\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_PART_HEADER_INVALID, TYPE, "--" + B + "\r\nContent-Type : text/plain\r\n" + cd + "\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_PART_HEADER_INVALID, TYPE, "--" + B + "\r\n" + cd + " folded\r\n\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_PART_HEADER_INVALID, TYPE, "--" + B + "\r\nContent-Type: text/plain\r\n\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_PART_HEADER_INVALID, TYPE, "--" + B + "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_PART_HEADER_INVALID, TYPE, "--" + B + "\r\nContent-Disposition: form-data\r\n\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_PART_HEADER_INVALID, TYPE, "--" + B + "\r\nContent-Disposition: form-data; name=\"a\u0001\"\r\n\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_PART_HEADER_INVALID, TYPE, "--" + B + "\r\nContent-Disposition: form-data; name=\"\u00ff\"\r\n\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_PART_HEADER_INVALID, TYPE, "--" + B + "\r\n" + cd + "Content-Transfer-Encoding: base64\r\n\r\nMQ==\r\n" + END);
        row(rows, Violation.MULTIPART_PART_HEADER_INVALID, TYPE, "--" + B + "\r\nContent-Disposition: form-data; name=\"a\r\n\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_PART_HEADER_TOO_LARGE, TYPE, "--" + B + "\r\n" + cd + "X-Pad: " + "p".repeat(250) + "\r\n\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_PART_HEADER_TOO_LARGE, TYPE, "--" + B + "\r\nX-Pad: " + "p".repeat(400));
        row(rows, Violation.MULTIPART_TOO_MANY_PART_HEADERS, TYPE, "--" + B + "\r\n" + cd + "X: 1\r\n".repeat(4) + "\r\n1\r\n" + END);
        row(rows, Violation.MULTIPART_TOO_MANY_PARTS, TYPE, field("a", "1").repeat(5) + END);
        row(rows, Violation.MULTIPART_PART_TOO_LARGE, TYPE, "--" + B + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\n\r\n"
                + "x".repeat(MAX_PART + 1) + "\r\n" + END);
        row(rows, Violation.MULTIPART_FIELD_TOO_LARGE, TYPE, field("a", "x".repeat(MAX_FIELD + 1)) + END);
        row(rows, Violation.MULTIPART_FIELD_NOT_TEXT, TYPE, field("a", "caf\u00e9") + END);
        row(rows, Violation.MULTIPART_FIELD_NOT_TEXT, TYPE, "--" + B + "\r\n" + cd + "Content-Type: text/plain; charset=bogus-1\r\n\r\nx\r\n" + END);
        return rows.stream();
    }

    static void row(List<Arguments> rows, Violation v, String type, String body) {
        String shown = (body.length() > 50 ? body.substring(0, 50) + "…" : body).replace("\r", "\\r").replace("\n", "\\n");
        rows.add(Arguments.of(v + " <- " + shown, type, body, v));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedBodiesAreAnsweredEvenWhenTheHandlerSwallows(String name, String type, String body, Violation v)
            throws IOException {
        for (String path : new String[] {"/parts", "/swallow"}) {
            try (Raw client = new Raw(server.port())) {
                byte[] bytes = Raw.bytes(body);
                client.send("POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Type: " + type + "\r\nContent-Length: "
                        + bytes.length + "\r\n\r\n");
                client.send(bytes);
                Raw.Reply reply = client.read();
                assertEquals(v.status(), reply.status(), path + ": " + reply.text());
                assertEquals(v.reason() + "\n", reply.text());
                assertEquals("close", reply.header("Connection"));
                assertTrue(client.closedByServer());
            }
        }
        try (Raw client = new Raw(server.port())) {
            client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals("ok", client.read().text(), "the server serves on after " + name);
        }
    }

    @Test
    void everyMultipartViolationHasARow() {
        Set<Violation> covered = EnumSet.noneOf(Violation.class);
        malformed().forEach(a -> covered.add((Violation) a.get()[3]));
        Set<Violation> expected = EnumSet.noneOf(Violation.class);
        for (Violation v : Violation.values()) {
            if (v.name().startsWith("MULTIPART_")) {
                expected.add(v);
            }
        }
        assertEquals(expected, covered);
    }

    @Test
    void theBodyLimitBoundsTheWholeBodyAndWrongTypesAre415() throws IOException {
        // A chunked preamble past maxBodyBytes: the body's own 413, met while looking for the first delimiter.
        try (Raw client = new Raw(server.port())) {
            client.send("POST /swallow HTTP/1.1\r\nHost: t\r\nContent-Type: " + TYPE + "\r\nTransfer-Encoding: chunked\r\n\r\n");
            client.send(("1000\r\n" + "p".repeat(0x1000) + "\r\n").repeat(3) + "0\r\n\r\n");
            Raw.Reply reply = client.read();
            assertEquals(413, reply.status(), reply.text());
            assertEquals(Violation.BODY_TOO_LARGE.reason() + "\n", reply.text());
        }
        for (String type : new String[] {"application/x-www-form-urlencoded", "multipart/mixed; boundary=" + B, "text/plain"}) {
            try (Raw client = new Raw(server.port())) {
                client.send("POST /parts HTTP/1.1\r\nHost: t\r\nContent-Type: " + type + "\r\nContent-Length: 2\r\n\r\nab");
                Raw.Reply reply = client.read();
                assertEquals(415, reply.status(), type);
                assertEquals("expected Content-Type multipart/form-data\n", reply.text());
                client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
                assertEquals("ok", client.read().text(), "a 415 of an unread, drainable body keeps the connection");
            }
        }
    }

    /** Random parts, read through an input that hands out random slices: delimiters split anywhere. */
    @Test
    void parserFuzzOverRandomSplits() throws Exception {
        Random random = new Random(20261203);
        byte[][] tricky = {Raw.bytes("\r\n--" + B.substring(0, 2)), Raw.bytes("\r\n-"), Raw.bytes("\r"), Raw.bytes("--" + B),
            Raw.bytes("\n--" + B)};
        for (int round = 0; round < 300; round++) {
            int parts = 1 + random.nextInt(4);
            List<byte[]> contents = new ArrayList<>();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (random.nextBoolean()) {
                body.write(Raw.bytes("preamble\r\n"));
            }
            for (int p = 0; p < parts; p++) {
                ByteArrayOutputStream c = new ByteArrayOutputStream();
                int pieces = random.nextInt(6);
                for (int k = 0; k < pieces; k++) {
                    if (random.nextBoolean()) {
                        c.write(tricky[random.nextInt(tricky.length)]);
                    } else {
                        byte[] r = new byte[random.nextInt(random.nextBoolean() ? 40 : 40_000)];
                        random.nextBytes(r);
                        c.write(r);
                    }
                }
                byte[] content = c.toByteArray();
                if (new String(content, StandardCharsets.ISO_8859_1).contains("\r\n--" + B)) {
                    content = new byte[0]; // pieces that met to spell the delimiter: not content (RFC 2046 §5.1.1)
                }
                contents.add(content);
                body.write(Raw.bytes("--" + B + "\r\nContent-Disposition: form-data; name=\"p" + p + "\"; filename=\"f\"\r\n\r\n"));
                body.write(content);
                body.write(Raw.bytes("\r\n"));
            }
            body.write(Raw.bytes(END));
            InputStream slices = new SlicedInput(body.toByteArray(), random);
            Multipart m = Multipart.read(slices, TYPE, Multipart.Limits.DEFAULTS, null);
            for (int p = 0; p < parts; p++) {
                Part part = m.next();
                assertEquals("p" + p, part.name(), "round " + round);
                if (random.nextInt(4) == 0) {
                    continue; // skipped by next()
                }
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] buf = new byte[1 + random.nextInt(9000)];
                for (int n; (n = part.inputStream().read(buf, 0, 1 + random.nextInt(buf.length))) >= 0; ) {
                    got.write(buf, 0, n);
                }
                assertEquals(sha256(contents.get(p)), sha256(got.toByteArray()), "round " + round + " part " + p);
            }
            assertNull(m.next(), "round " + round);
        }
    }

    /** Hands out 1 to 2000 bytes a read, as a network would. */
    static final class SlicedInput extends InputStream {
        private final byte[] data;
        private final Random random;
        private int pos;

        SlicedInput(byte[] data, Random random) {
            this.data = data;
            this.random = random;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, data.length - pos), 1 + random.nextInt(2000));
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    @Test
    void failuresAreToldToTheHookAndStick() throws Exception {
        AtomicReference<HttpException> told = new AtomicReference<>();
        Multipart m = Multipart.read(new ByteArrayInputStream(Raw.bytes(field("a", "1"))), TYPE, Multipart.Limits.DEFAULTS, told::set);
        Part a = m.next();
        BadMessageException e = assertThrows(BadMessageException.class, () -> a.inputStream().readAllBytes());
        assertEquals(Violation.MULTIPART_UNTERMINATED, e.violation());
        assertEquals(400, told.get().status());
        assertSame(e, told.get().getCause());
        assertSame(e, assertThrows(BadMessageException.class, m::next), "sticky");
    }

    /**
     * A multipart upload generated as it is sent, of a size no buffer holds: the handler hashes it
     * as it streams by, and never gets more than the reader's own buffer in one read.
     */
    @Test
    void aLargeUploadStreamsThroughARaisedLimit() throws Exception {
        long size = 64L << 20;
        Generated gen = new Generated(size);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + uploads.port() + "/upload"))
                .header("Content-Type", TYPE).POST(HttpRequest.BodyPublishers.ofInputStream(() -> gen)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("big " + size + " " + gen.sha() + "\n", r.body());
        assertTrue(largestRead.get() <= 16 << 10 + B.length() + 4,
                "the parser handed out " + largestRead.get() + " bytes in one read: it buffers more than its own buffer");
    }

    @Test
    void withoutRaisingTheRouteKeepsMaxBodyBytes() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + uploads.port() + "/small"))
                .header("Content-Type", TYPE).POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Generated(2 << 20))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode(), r.body());
        // Content-Length over this route's limit but under maxUploadBytes: reaches the handler, 413 on reading.
        try (Raw raw = new Raw(uploads.port())) {
            raw.send("POST /small HTTP/1.1\r\nHost: t\r\nContent-Type: " + TYPE + "\r\nContent-Length: " + (2 << 20)
                    + "\r\nExpect: 100-continue\r\n\r\n");
            Raw.Reply reply = raw.read();
            assertEquals(413, reply.status(), "refused before 100 Continue: " + reply.statusLine());
        }
        // Over maxUploadBytes: refused with the head, before any handler.
        int before = uploadCalls.get();
        try (Raw raw = new Raw(uploads.port())) {
            raw.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: " + TYPE + "\r\nContent-Length: " + ((1L << 30) + 1) + "\r\n\r\n");
            assertEquals(413, raw.read().status());
        }
        assertEquals(before, uploadCalls.get(), "no handler ran for a body over maxUploadBytes");
    }

    @Test
    void limitBodyRaisesUpToMaxUploadBytesAndNoFurther() throws Exception {
        HttpServer small = HttpServer.builder().maxBodyBytes(100).maxUploadBytes(1000).accessLog(false)
                .post("/raised", (req, res) -> res.send("read " + req.limitBody(Long.MAX_VALUE).bodyBytes().length))
                .post("/lowered", (req, res) -> res.send("read " + req.limitBody(10).bodyBytes().length))
                .post("/plain", (req, res) -> res.send("read " + req.bodyBytes().length))
                .start();
        try {
            String[][] cases = {{"/raised", "500", "200"}, {"/raised", "1000", "200"}, {"/raised", "1001", "413"},
                {"/plain", "100", "200"}, {"/plain", "101", "413"}, {"/lowered", "10", "200"}, {"/lowered", "11", "413"}};
            for (String[] c : cases) {
                int n = Integer.parseInt(c[1]);
                for (boolean chunked : new boolean[] {false, true}) {
                    try (Raw raw = new Raw(small.port())) {
                        raw.send("POST " + c[0] + " HTTP/1.1\r\nHost: t\r\n"
                                + (chunked ? "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(n) + "\r\n"
                                        : "Content-Length: " + n + "\r\n\r\n")
                                + "x".repeat(n) + (chunked ? "\r\n0\r\n\r\n" : ""));
                        Raw.Reply reply = raw.read();
                        assertEquals(Integer.parseInt(c[2]), reply.status(), String.join(" ", c) + " chunked=" + chunked);
                        if (reply.status() == 200) {
                            assertEquals("read " + n, reply.text());
                        }
                    }
                }
            }
        } finally {
            small.shutdown(Duration.ofSeconds(1));
        }
        assertThrows(IllegalArgumentException.class, () -> HttpServer.builder().maxBodyBytes(100).maxUploadBytes(99).port(0).start());
        assertThrows(IllegalArgumentException.class, () -> HttpServer.builder().maxPartHeaderBytes(10).port(0).start());
        assertThrows(IllegalArgumentException.class, () -> HttpServer.builder().maxMultipartParts(0).port(0).start());
        assertThrows(IllegalArgumentException.class, () -> HttpServer.builder().maxFormBytes(-1).port(0).start());
    }

    @Test
    void theExceptionMapperRendersASwallowedMultipartFailure() throws Exception {
        AtomicReference<Exception> seen = new AtomicReference<>();
        HttpServer mapped = HttpServer.builder().accessLog(false)
                .exceptionMapper((e, req, res) -> {
                    seen.set(e);
                    res.contentType("application/json").send("{\"status\":" + res.status() + "}");
                })
                .post("/swallow", (req, res) -> {
                    try {
                        req.multipart().next().asString();
                    } catch (IOException e) {
                        res.send("swallowed");
                    }
                })
                .start();
        try (Raw raw = new Raw(mapped.port())) {
            String body = "--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end";
            raw.send("POST /swallow HTTP/1.1\r\nHost: t\r\nContent-Type: " + TYPE + "\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body);
            Raw.Reply reply = raw.read();
            assertEquals(400, reply.status());
            assertEquals("{\"status\":400}", reply.text());
            HttpException e = (HttpException) seen.get();
            assertEquals(400, e.status());
            assertEquals(Violation.MULTIPART_UNTERMINATED.reason(), e.reason());
        } finally {
            mapped.shutdown(Duration.ofSeconds(1));
        }
    }

    /** A one-file multipart body of {@code size} pseudo-random bytes, made as it is read, hashed as it goes. */
    static final class Generated extends InputStream {
        private final byte[] head = Raw.bytes("--" + B + "\r\nContent-Disposition: form-data; name=\"big\"; filename=\"big.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n");
        private final byte[] tail = Raw.bytes("\r\n" + END);
        private final long size;
        private final MessageDigest sha;
        private final Random random = new Random(42);
        private final byte[] block = new byte[64 << 10];
        private long produced;
        private int headPos;
        private int tailPos;

        Generated(long size) {
            this.size = size;
            try {
                this.sha = MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }

        String sha() {
            return HexFormat.of().formatHex(sha.digest());
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (headPos < head.length) {
                int n = Math.min(len, head.length - headPos);
                System.arraycopy(head, headPos, b, off, n);
                headPos += n;
                return n;
            }
            if (produced < size) {
                int n = (int) Math.min(Math.min(len, block.length), size - produced);
                random.nextBytes(block);
                System.arraycopy(block, 0, b, off, n);
                sha.update(b, off, n);
                produced += n;
                return n;
            }
            if (tailPos < tail.length) {
                int n = Math.min(len, tail.length - tailPos);
                System.arraycopy(tail, tailPos, b, off, n);
                tailPos += n;
                return n;
            }
            return -1;
        }
    }
}
