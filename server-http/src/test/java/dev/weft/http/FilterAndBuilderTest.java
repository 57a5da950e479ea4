package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Filters in order, short-circuits, the exception mapper, and builder validation. */
class FilterAndBuilderTest {

    @Test
    void filtersRunInOrderAndMayAnswerThemselves() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.builder()
                .filter((req, res, chain) -> {
                    seen.add("a>" + req.path());
                    chain.next();
                    seen.add("a<" + res.status());
                })
                .filter((req, res, chain) -> {
                    if (req.header("Authorization") == null) {
                        res.status(401).send("who are you?");
                        return;
                    }
                    chain.next();
                })
                .get("/secret/{id}", (req, res) -> {
                    seen.add("handler " + req.pathParam("id"));
                    res.send("secret " + req.pathParam("id"));
                })
                .start();
        try (Raw c = new Raw(server.port())) {
            assertEquals(401, c.send("GET /secret/1 HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
            Raw.Reply ok = c.send("GET /secret/2 HTTP/1.1\r\nHost: t\r\nAuthorization: x\r\n\r\n").read();
            assertEquals("secret 2", ok.text());
            assertEquals(404, c.send("GET /other HTTP/1.1\r\nHost: t\r\nAuthorization: x\r\n\r\n").read().status());
            assertEquals(List.of("a>/secret/1", "a<401", "a>/secret/2", "handler 2", "a<200", "a>/other", "a<404"), seen);
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }

    @Test
    void exceptionMapperRunsBeforeDefaults() throws Exception {
        HttpServer server = HttpServer.builder()
                .exceptionMapper((e, req, res) -> {
                    if (e instanceof IllegalArgumentException) {
                        res.status(422).send("mapped: " + e.getMessage());
                    } else {
                        throw e;
                    }
                })
                .get("/iae", (req, res) -> {
                    throw new IllegalArgumentException("bad input");
                })
                .get("/npe", (req, res) -> {
                    throw new NullPointerException("hidden");
                })
                .get("/http", (req, res) -> {
                    throw new HttpException(409, "conflict here");
                })
                .start();
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("GET /iae HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(422, r.status());
            assertEquals("mapped: bad input", r.text());
            Raw.Reply n = c.send("GET /npe HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(500, n.status());
            assertEquals("internal server error\n", n.text());
            Raw.Reply h = c.send("GET /http HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(409, h.status());
            assertEquals("conflict here\n", h.text());
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }

    @Test
    void serverHeaderIsOnEveryResponseIncludingRejections() throws Exception {
        try (HttpServer server = HttpServer.builder()
                .serverHeader("weft-test")
                .headerTimeout(Duration.ofMillis(300))
                .get("/ok", (req, res) -> res.send("ok"))
                .get("/boom", (req, res) -> {
                    throw new IllegalStateException("boom");
                })
                .start()) {
            try (Raw c = new Raw(server.port())) {
                assertEquals("weft-test", c.send("GET /ok HTTP/1.1\r\nHost: t\r\n\r\n").read().header("Server"));
                assertEquals("weft-test", c.send("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n").read().header("Server"));
                assertEquals("weft-test", c.send("GET /boom HTTP/1.1\r\nHost: t\r\n\r\n").read().header("Server"));
                Raw.Reply rejected = c.send("GET /ok HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n").read();
                assertEquals(400, rejected.status());
                assertEquals("weft-test", rejected.header("Server"));
            }
            try (Raw c = new Raw(server.port())) {
                Raw.Reply timedOut = c.send("GET /ok HTTP/1.1\r\n").read();
                assertEquals(408, timedOut.status());
                assertEquals("weft-test", timedOut.header("Server"));
            }
        }
        try (HttpServer server = HttpServer.builder().get("/ok", (req, res) -> res.send("ok")).start();
             Raw c = new Raw(server.port())) {
            Raw.Reply rejected = c.send("GET /ok HTTP/1.1\r\n\r\n").read();
            assertEquals(400, rejected.status(), "no Host");
            assertNull(rejected.header("Server"), "none configured: none sent");
        }
    }

    @Test
    void builderNamesTheBadOption() {
        Handler ok = (req, res) -> res.send("x");
        assertMessage("maxHeaderCount = 0", () -> HttpServer.builder().maxHeaderCount(0).start());
        assertMessage("headerTimeout = PT-1S", () -> HttpServer.builder().headerTimeout(Duration.ofSeconds(-1)).start());
        // No overflow later: a Duration past the cap is refused here, not an ArithmeticException per connection.
        assertMessage("headerTimeout = PT2562047788015H12M55S: must be 0–365 days",
                () -> HttpServer.builder().headerTimeout(Duration.ofSeconds(Long.MAX_VALUE / 1000)).start());
        assertMessage("bodyTimeout = PT-1S", () -> HttpServer.builder().bodyTimeout(Duration.ofSeconds(-1)).start());
        assertMessage("sseHeartbeat = PT-1S", () -> HttpServer.builder().sseHeartbeat(Duration.ofSeconds(-1)).start());
        assertMessage("maxBodyBytes = -1", () -> HttpServer.builder().maxBodyBytes(-1).start());
        assertMessage("is defined twice", () -> HttpServer.builder().get("/a", ok).get("/a", ok).start());
        assertMessage("starts with '/'", () -> HttpServer.builder().get("a", ok).start());
        assertMessage("must be a literal, a whole {name}, or a final *", () -> HttpServer.builder().get("/a/*/b", ok).start());
        assertMessage("appears twice", () -> HttpServer.builder().get("/{x}/{x}", ok).start());
        assertMessage("method must be a token", () -> HttpServer.builder().route("GE T", "/", ok).start());
        assertMessage("port = 70000", () -> HttpServer.builder().port(70000).start());
        assertMessage("serverHeader", () -> HttpServer.builder().serverHeader("a\r\nb").start());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable start) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, start);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void responseRefusesWhatWouldBreakFraming() {
        HttpServer server = HttpServer.builder()
                .get("/", (req, res) -> {
                    assertThrows(IllegalArgumentException.class, () -> res.header("Transfer-Encoding", "chunked"));
                    assertThrows(IllegalArgumentException.class, () -> res.header("Bad Name", "x"));
                    assertThrows(IllegalArgumentException.class, () -> res.status(99));
                    res.send("checked");
                    res.header("X", "late"); // the head is not out until the handler returns
                    assertThrows(IllegalStateException.class, () -> res.send("twice"));
                    assertThrows(IllegalStateException.class, () -> res.outputStream());
                    assertThrows(IllegalStateException.class, () -> res.contentLength(7));
                })
                .start();
        try (Raw c = new Raw(server.port())) {
            Raw.Reply r = c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals("checked", r.text());
            assertEquals("late", r.header("X"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }
}
