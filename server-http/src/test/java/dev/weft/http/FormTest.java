package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.internal.Violation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code req.form()}: real clients in, every malformed body as raw bytes, the failure sticking. */
class FormTest {

    static final int MAX_FORM = 256;
    static HttpServer server;

    @BeforeAll
    static void start() {
        server = HttpServer.builder()
                .maxFormBytes(MAX_FORM)
                .accessLog(false)
                .post("/form", (req, res) -> {
                    Form f = req.form();
                    assertSame(f, req.form(), "the body is read once: the same form");
                    StringBuilder sb = new StringBuilder();
                    for (String name : f.names()) {
                        sb.append(name).append('=').append(String.join("|", f.all(name))).append('\n');
                    }
                    res.send(sb.toString());
                })
                // The handler that swallows: the client must still get the body's status.
                .post("/swallow", (req, res) -> {
                    try {
                        req.form();
                    } catch (IOException e) {
                        res.send("swallowed " + e.getMessage());
                        return;
                    }
                    res.send("parsed");
                })
                .post("/tiny", (req, res) -> res.send(req.limitBody(10).form().asMap().toString()))
                .get("/", (req, res) -> res.send("ok"))
                .start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
    }

    static HttpResponse<String> post(String path, String type, byte[] body) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void jdkClientFormIsDecoded() throws Exception {
        String body = "name=J%C3%BCrgen+M%C3%BCller&tag=a&tag=b%26c&empty=&flag&&x%3Dy=1%2B1";
        HttpResponse<String> r = post("/form", Form.MEDIA_TYPE + "; charset=UTF-8", body.getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("name=Jürgen Müller\ntag=a|b&c\nempty=\nflag=\nx=y=1+1\n", r.body());
    }

    @Test
    void curlDataUrlencode() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        if (!Files.isExecutable(curl)) {
            org.junit.jupiter.api.Assertions.assertNull(System.getenv("CI"), "CI must install curl (.ci/run does)");
            Assumptions.abort("no /usr/bin/curl on this machine");
        }
        Process p = new ProcessBuilder(curl.toString(), "-sS", "--max-time", "10",
                "--data-urlencode", "q=a b&c=d;é", "--data-urlencode", "line=1\n2", "-d", "raw=x",
                "http://127.0.0.1:" + server.port() + "/form").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertEquals("q=a b&c=d;é\nline=1\n2\nraw=x\n", out);
    }

    /** {name, content type, body (Latin-1, one char a byte), status, reason}. */
    static Stream<Arguments> malformed() {
        List<Arguments> rows = new ArrayList<>();
        String form = Form.MEDIA_TYPE;
        row(rows, Violation.FORM_ENCODING_INVALID, form, "a=%zz");
        row(rows, Violation.FORM_ENCODING_INVALID, form, "a=1%2");
        row(rows, Violation.FORM_ENCODING_INVALID, form, "a=%");
        row(rows, Violation.FORM_ENCODING_INVALID, form, "%g0=1");
        row(rows, Violation.FORM_NOT_UTF8, form, "a=%C3%28");
        row(rows, Violation.FORM_NOT_UTF8, form, "a=%FF");
        row(rows, Violation.FORM_NOT_UTF8, form, "a=%C0%AF");
        row(rows, Violation.FORM_NOT_UTF8, form, "a=%ED%A0%80");
        row(rows, Violation.FORM_NOT_UTF8, form, "caf\u00e9=1"); // a raw Latin-1 byte
        row(rows, Violation.FORM_NOT_UTF8, form, "a=%E2%82");
        row(rows, Violation.FORM_TOO_LARGE, form, "a=" + "x".repeat(MAX_FORM));
        rows.add(Arguments.of("text/plain -> 415", "text/plain", "a=1", 415, "expected Content-Type " + form));
        rows.add(Arguments.of("no type -> 415", null, "a=1", 415, "expected Content-Type " + form));
        rows.add(Arguments.of("latin-1 -> 415", form + "; charset=ISO-8859-1", "a=1", 415,
                "form charset ISO-8859-1 is not supported, only UTF-8"));
        return rows.stream();
    }

    static void row(List<Arguments> rows, Violation v, String type, String body) {
        rows.add(Arguments.of(v + " <- " + (body.length() > 40 ? body.substring(0, 40) + "…" : body), type, body,
                v.status(), v.reason()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedFormsAreAnsweredEvenWhenTheHandlerSwallows(String name, String type, String body, int status,
            String reason) throws IOException {
        for (String path : new String[] {"/form", "/swallow"}) {
            try (Raw client = new Raw(server.port())) {
                byte[] bytes = Raw.bytes(body);
                client.send("POST " + path + " HTTP/1.1\r\nHost: t\r\n" + (type == null ? "" : "Content-Type: " + type + "\r\n")
                        + "Content-Length: " + bytes.length + "\r\n\r\n");
                client.send(bytes);
                Raw.Reply reply = client.read();
                assertEquals(status, reply.status(), path + " " + reply.text());
                assertEquals(reason + "\n", reply.text());
                if (status != 415) {
                    assertEquals("close", reply.header("Connection"));
                }
            }
        }
        try (Raw client = new Raw(server.port())) {
            client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals("ok", client.read().text(), "the server serves on after " + name);
        }
    }

    @Test
    void everyFormViolationHasARow() {
        Set<Violation> covered = EnumSet.noneOf(Violation.class);
        malformed().forEach(a -> {
            for (Violation v : Violation.values()) {
                if (a.get()[0].toString().startsWith(v + " <- ")) {
                    covered.add(v);
                }
            }
        });
        assertEquals(EnumSet.of(Violation.FORM_ENCODING_INVALID, Violation.FORM_NOT_UTF8, Violation.FORM_TOO_LARGE), covered);
    }

    @Test
    void theFormLimitIsNeverAboveTheBodyLimit() throws Exception {
        HttpResponse<String> r = post("/tiny", Form.MEDIA_TYPE, "a=123456789".getBytes(StandardCharsets.US_ASCII));
        assertEquals(413, r.statusCode(), r.body());
        assertEquals(200, post("/tiny", Form.MEDIA_TYPE, "a=1234567".getBytes(StandardCharsets.US_ASCII)).statusCode());
    }

    @Test
    void aFormSentChunkedIsReadToo() throws IOException {
        try (Raw client = new Raw(server.port())) {
            client.send("POST /form HTTP/1.1\r\nHost: t\r\nContent-Type: " + Form.MEDIA_TYPE
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n3\r\na=1\r\n4\r\n&b=2\r\n0\r\n\r\n");
            assertEquals("a=1\nb=2\n", client.read().text());
            client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals("ok", client.read().text(), "kept alive after a good form");
        }
    }

    /** Another protocol's Request (here a proxy implementing only the abstract methods) gets working defaults. */
    @Test
    void theDefaultMethodsWorkForOtherImplementations() throws Exception {
        assertTrue(Request.class.getMethod("form").isDefault());
        assertTrue(Request.class.getMethod("multipart").isDefault());
        assertTrue(Request.class.getMethod("cookies").isDefault());
        assertTrue(Response.class.getMethod("cookie", Cookie.class).isDefault());
        Request form = fake(Form.MEDIA_TYPE, "a=1&b=%C3%BC", null);
        assertEquals(java.util.Map.of("a", List.of("1"), "b", List.of("ü")), form.form().asMap());
        IOException bad = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> fake(Form.MEDIA_TYPE, "a=%zz", null).form());
        assertTrue(bad.getMessage().contains("invalid percent-encoding"), bad.getMessage());
        Request multipart = fake("multipart/form-data; boundary=b",
                "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n--b--\r\n", null);
        Part p = multipart.multipart().next();
        assertEquals("f", p.name());
        assertEquals("v", p.asString());
        assertEquals("2", fake(null, "", "a=1; b=2").cookie("b"));
    }

    static Request fake(String type, String body, String cookie) {
        dev.weft.http.internal.HeaderList headers = new dev.weft.http.internal.HeaderList(2);
        if (type != null) {
            headers.add("content-type", type);
        }
        if (cookie != null) {
            headers.add("cookie", cookie);
        }
        java.io.InputStream in = new java.io.ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));
        return (Request) java.lang.reflect.Proxy.newProxyInstance(Request.class.getClassLoader(), new Class<?>[] {Request.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "body" -> in;
                    case "headers" -> headers;
                    case "header" -> headers.get((String) args[0]);
                    default -> method.isDefault() ? java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args)
                            : null;
                });
    }
}
