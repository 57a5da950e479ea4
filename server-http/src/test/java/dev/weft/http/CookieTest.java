package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.internal.CookieHeader;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Cookies: checked when built, one Set-Cookie line each, read back by the JDK's CookieManager and curl's jar. */
class CookieTest {

    static HttpServer server;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        server = HttpServer.builder()
                .accessLog(false)
                .get("/login", (req, res) -> res
                        .cookie(Cookie.builder("session", "abc123").path("/").httpOnly(true).sameSite(Cookie.SameSite.LAX).build())
                        .cookie(Cookie.builder("theme", "dark").path("/").maxAge(Duration.ofDays(30)).build())
                        .cookie(Cookie.of("quoted", "\"q v\"".replace(" ", "")))
                        .send("in"))
                .get("/logout", (req, res) -> res.cookie(Cookie.expired("session").path("/").build()).send("out"))
                .get("/whoami", (req, res) -> res.send(req.cookies() + " session=" + req.cookie("session")))
                .start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void theHeaderValueHasEveryAttribute() {
        Cookie c = Cookie.builder("id", "a1").path("/app").domain("example.com").maxAge(Duration.ofSeconds(3600))
                .expires(Instant.parse("2030-01-02T03:04:05Z")).secure(true).httpOnly(true)
                .sameSite(Cookie.SameSite.NONE).partitioned(true).build();
        assertEquals("id=a1; Path=/app; Domain=example.com; Max-Age=3600; Expires=Wed, 02 Jan 2030 03:04:05 GMT; "
                + "Secure; HttpOnly; SameSite=None; Partitioned", c.headerValue());
        assertEquals("a=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT", Cookie.expired("a").build().headerValue());
        assertEquals("__Host-x=1; Path=/; Secure", Cookie.builder("__Host-x", "1").path("/").secure(true).build().headerValue());
        assertEquals("e=", Cookie.of("e", "").headerValue());
    }

    /** {what is wrong, the builder that must refuse it, a word the message must hold}. */
    static Stream<Arguments> refused() {
        return Stream.of(
                row("empty name", () -> Cookie.of("", "v"), "empty"),
                row("space in name", () -> Cookie.of("a b", "v"), "a space"),
                row("; in name", () -> Cookie.of("a;b", "v"), "';'"),
                row("= in name", () -> Cookie.of("a=b", "v"), "'='"),
                row("CRLF in name", () -> Cookie.of("a\r\nSet-Cookie: x", "v"), "CR"),
                row("non-ASCII name", () -> Cookie.of("é", "v"), "non-ASCII"),
                row("space in value", () -> Cookie.of("a", "b c"), "a space"),
                row("; in value", () -> Cookie.of("a", "b;Domain=evil"), "';'"),
                row(", in value", () -> Cookie.of("a", "b,c"), "','"),
                row("quote in value", () -> Cookie.of("a", "b\"c"), "'\"'"),
                row("backslash in value", () -> Cookie.of("a", "b\\c"), "'\\'"),
                row("LF in value", () -> Cookie.of("a", "b\nSet-Cookie: x=1"), "LF"),
                row("NUL in value", () -> Cookie.of("a", "b\u0000"), "0x00"),
                row("DEL in value", () -> Cookie.of("a", "b\u007f"), "0x7F"),
                row("tab in value", () -> Cookie.of("a", "b\tc"), "a tab"),
                row("non-ASCII value", () -> Cookie.of("a", "ü"), "non-ASCII"),
                row("too long", () -> Cookie.of("a", "v".repeat(4096)), "4096"),
                row("; in Path", () -> Cookie.builder("a", "1").path("/x;Secure"), "Path"),
                row("CRLF in Path", () -> Cookie.builder("a", "1").path("/x\r\nX: y"), "CR"),
                row("relative Path", () -> Cookie.builder("a", "1").path("x"), "start with '/'"),
                row("Domain with ;", () -> Cookie.builder("a", "1").domain("a.com;Secure"), "Domain"),
                row("Domain with space", () -> Cookie.builder("a", "1").domain("a .com"), "Domain"),
                row("Domain empty label", () -> Cookie.builder("a", "1").domain("a..com"), "label"),
                row("Domain with _", () -> Cookie.builder("a", "1").domain("a_b.com"), "'_'"),
                row("negative Max-Age", () -> Cookie.builder("a", "1").maxAge(Duration.ofSeconds(-1)), "negative"),
                row("Expires year 10000", () -> Cookie.builder("a", "1").expires(Instant.parse("+10000-01-01T00:00:00Z")), "year"),
                row("SameSite=None without Secure", () -> Cookie.builder("a", "1").sameSite(Cookie.SameSite.NONE).build(), "requires Secure"),
                row("Partitioned without Secure", () -> Cookie.builder("a", "1").partitioned(true).build(), "requires Secure"),
                row("__Secure- without Secure", () -> Cookie.builder("__Secure-a", "1").build(), "__Secure-"),
                row("__Host- with Domain", () -> Cookie.builder("__Host-a", "1").secure(true).path("/").domain("a.com").build(), "__Host-"),
                row("__Host- without Path=/", () -> Cookie.builder("__Host-a", "1").secure(true).path("/x").build(), "__Host-"));
    }

    static Arguments row(String what, Supplier<Object> build, String word) {
        return Arguments.of(what, build, word);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void badNamesValuesAndAttributesAreRefused(String what, Supplier<Object> build, String word) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get, what);
        assertTrue(e.getMessage().contains(word), what + ": " + e.getMessage());
        assertTrue(e.getMessage().indexOf('\r') < 0 && e.getMessage().indexOf('\n') < 0, "no raw CR/LF in the message: " + e.getMessage());
    }

    @Test
    void jdkCookieManagerStoresAndSendsThem() throws Exception {
        CookieManager jar = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).cookieHandler(jar).build();
        String base = "http://127.0.0.1:" + server.port();
        HttpResponse<String> login = client.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(List.of("session=abc123; Path=/; HttpOnly; SameSite=Lax", "theme=dark; Path=/; Max-Age=2592000",
                "quoted=\"qv\""), login.headers().allValues("set-cookie"), "one Set-Cookie line each, never folded");
        List<HttpCookie> stored = jar.getCookieStore().get(URI.create(base + "/"));
        assertEquals(3, stored.size(), stored.toString());
        HttpResponse<String> who = client.send(HttpRequest.newBuilder(URI.create(base + "/whoami")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(who.body().endsWith(" session=abc123"), who.body());
        assertTrue(who.body().contains("theme=dark"), who.body());
        client.send(HttpRequest.newBuilder(URI.create(base + "/logout")).build(), HttpResponse.BodyHandlers.ofString());
        who = client.send(HttpRequest.newBuilder(URI.create(base + "/whoami")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(who.body().endsWith(" session=null"), "deleted by Max-Age=0: " + who.body());
    }

    @Test
    void curlCookieJarRoundTrip() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        if (!Files.isExecutable(curl)) {
            assertNull(System.getenv("CI"), "CI must install curl (.ci/run does)");
            Assumptions.abort("no /usr/bin/curl on this machine");
        }
        Path jar = dir.resolve("jar.txt");
        String base = "http://127.0.0.1:" + server.port();
        assertEquals("in", curl(curl, "-c", jar.toString(), base + "/login"));
        String who = curl(curl, "-b", jar.toString(), base + "/whoami");
        assertTrue(who.endsWith(" session=abc123"), who);
        assertTrue(who.contains("theme=dark") && who.contains("quoted=qv"), who);
        assertEquals("{a=1, b=x y} session=null", curl(curl, "-b", "a=1; b=\"x y\"; bad; =novalue; a=2", base + "/whoami"));
    }

    static String curl(Path curl, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(curl.toString(), "-sS", "--max-time", "10"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void requestCookiesAreParsedLenientlyButSafely() {
        assertEquals(Map.of(), CookieHeader.parse(List.of()));
        assertEquals(Map.of("a", "1", "b", "2", "c", "3", "e", ""),
                CookieHeader.parse(List.of("a=1;b=2 ;  c=\"3\"; noequals; d=x\"y; e=; f=back\\slash; g h=1; =v")));
        assertEquals(List.of("a", "b"), List.copyOf(CookieHeader.parse(List.of("a=1; b=2", "a=3")).keySet()));
        assertEquals("1", CookieHeader.parse(List.of("a=1; b=2", "a=3")).get("a"), "the first wins");
        assertEquals("x=y", CookieHeader.parse(List.of("k=x=y")).get("k"), "the value runs to the ';'");
    }

    @Test
    void rawCookieHeaderOverTheWire() throws IOException {
        try (Raw raw = new Raw(server.port())) {
            raw.send("GET /whoami HTTP/1.1\r\nHost: t\r\nCookie: session=s1; x=1\r\nCookie: session=s2; y=2\r\n\r\n");
            assertEquals("{session=s1, x=1, y=2} session=s1", raw.read().text());
        }
    }
}
