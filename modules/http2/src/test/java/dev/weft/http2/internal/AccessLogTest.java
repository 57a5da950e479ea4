package dev.weft.http2.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.AccessLogFormat;
import dev.weft.http.HttpServer;
import dev.weft.http2.Http2;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP/2 streams write the access log exactly as HTTP/1.1 requests do (server-http's
 * AccessLogTest): the same formats, the query hidden unless allowed, the remote address without
 * a leading slash, the true status and bytes of an aborted response. The surefire configuration
 * turns {@code dev.weft.http.access} on; slf4j-simple writes to whatever System.err is now.
 */
class AccessLogTest {

    @RegisterExtension
    final StderrCapture stderr = new StderrCapture();

    private final CountDownLatch release = new CountDownLatch(1);

    private HttpServer.Builder server() {
        return HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).protocol(Http2.protocol())
                .get("/hello/{name}", (req, res) -> res.send("hi " + req.pathParam("name")))
                .get("/boom", (req, res) -> {
                    throw new IllegalStateException("handler bug");
                })
                .get("/cut", (req, res) -> {
                    OutputStream out = res.outputStream();
                    out.write("partial".getBytes(StandardCharsets.UTF_8));
                    out.flush(); // the head and 7 bytes are out: the failure can only reset
                    throw new IllegalStateException("failed mid-body");
                })
                .get("/wait", (req, res) -> {
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                    res.send("too late");
                });
    }

    /** The access-log lines so far, once {@code count} of them are there. */
    private List<String> lines(int count) {
        await().atMost(Duration.ofSeconds(5)).until(() -> access().size() >= count);
        List<String> lines = access();
        assertEquals(count, lines.size(), stderr.text());
        return lines;
    }

    private List<String> access() {
        return stderr.text().lines().filter(l -> l.contains("dev.weft.http.access - ")).toList();
    }

    private static String message(String line) {
        return line.substring(line.indexOf("dev.weft.http.access - ") + "dev.weft.http.access - ".length());
    }

    private static HttpClient h2() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void weftLinesWithoutTheQueryAndWithTheTrueEndOfAnAbortedStream() throws Exception {
        try (HttpServer server = server().start(); HttpClient client = h2()) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            // The first request upgrades (h2c) and is answered as stream 1; the others are streams of their own.
            HttpResponse<String> hello = client.send(HttpRequest.newBuilder(base.resolve("/hello/ann?token=secret")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, hello.version());
            assertEquals(500, client.send(HttpRequest.newBuilder(base.resolve("/boom")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertThrows(IOException.class, () -> client.send(HttpRequest.newBuilder(base.resolve("/cut")).build(),
                    HttpResponse.BodyHandlers.ofString()));
            List<String> lines = lines(3);
            String remote = "127\\.0\\.0\\.1:\\d+ ";
            assertMatches(remote + "\"GET /hello/ann HTTP/2\\.0\" 200 6 \\d+ms", line(lines, "/hello/ann"));
            assertMatches(remote + "\"GET /boom HTTP/2\\.0\" 500 22 \\d+ms", line(lines, "/boom"));
            assertMatches(remote + "\"GET /cut HTTP/2\\.0\" 200 7 \\d+ms aborted", line(lines, "/cut"));
        }
    }

    @Test
    void aStreamResetBeforeItsHeadWentOutHasNoStatus() throws Exception {
        try (HttpServer server = server().start(); H2Raw c = H2Raw.open(server.port())) {
            c.get(1, "/wait");
            c.frame(H2Connection.RST_STREAM, 0, 1, H2Raw.int32(0x8)); // CANCEL, while the handler waits
            c.sync();
            c.get(3, "/hello/bob");
            assertEquals("200 hi bob", c.response(3));
            release.countDown();
            List<String> lines = lines(2);
            assertMatches("127\\.0\\.0\\.1:\\d+ \"GET /hello/bob HTTP/2\\.0\" 200 6 \\d+ms", line(lines, "/hello/bob"));
            assertMatches("127\\.0\\.0\\.1:\\d+ \"GET /wait HTTP/2\\.0\" - 0 \\d+ms aborted", line(lines, "/wait"));
        } finally {
            release.countDown();
        }
    }

    @Test
    void theQueryWhenAllowedAndTheCommonAndCombinedFormats() throws Exception {
        for (AccessLogFormat format : new AccessLogFormat[] {AccessLogFormat.COMMON, AccessLogFormat.COMBINED}) {
            int before = access().size();
            try (HttpServer server = server().accessLog(format).accessLogQuery(true).start(); HttpClient client = h2()) {
                URI base = URI.create("http://127.0.0.1:" + server.port());
                assertEquals(200, client.send(HttpRequest.newBuilder(base.resolve("/hello/ann?x=1")).header("Referer", "http://r/\"q\"")
                        .header("User-Agent", "weft-test").build(), HttpResponse.BodyHandlers.ofString()).statusCode());
                HttpResponse<String> second = client.send(HttpRequest.newBuilder(base.resolve("/hello/bob?x=2")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(HttpClient.Version.HTTP_2, second.version());
                List<String> lines = lines(before + 2).subList(before, before + 2);
                String clf = "127\\.0\\.0\\.1 - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000\\] ";
                if (format == AccessLogFormat.COMMON) {
                    assertMatches(clf + "\"GET /hello/ann\\?x=1 HTTP/2\\.0\" 200 6", line(lines, "/hello/ann"));
                    assertMatches(clf + "\"GET /hello/bob\\?x=2 HTTP/2\\.0\" 200 6", line(lines, "/hello/bob"));
                } else {
                    assertMatches(clf + "\"GET /hello/ann\\?x=1 HTTP/2\\.0\" 200 6 \"http://r/\\\\\"q\\\\\"\" \"weft-test\"",
                            line(lines, "/hello/ann"));
                    assertMatches(clf + "\"GET /hello/bob\\?x=2 HTTP/2\\.0\" 200 6 \"-\" \"Java-http-client/.*\"",
                            line(lines, "/hello/bob"));
                }
            }
        }
    }

    @Test
    void offWhenTheBuilderSaysSo() throws Exception {
        try (HttpServer server = server().accessLog(false).start(); H2Raw c = H2Raw.open(server.port())) {
            c.get(1, "/hello/quiet");
            assertEquals("200 hi quiet", c.response(1));
            c.drain(server); // every stream's thread has ended: what they log is logged
        }
        assertEquals(List.of(), access());
    }

    /** The message of the one line about {@code path} (streams end, and log, in whatever order). */
    private static String line(List<String> lines, String path) {
        List<String> about = lines.stream().filter(l -> l.contains(" " + path + " ") || l.contains(" " + path + "?")).toList();
        assertEquals(1, about.size(), lines.toString());
        return message(about.get(0));
    }

    private static void assertMatches(String regex, String actual) {
        assertTrue(actual.matches(regex), "expected /" + regex + "/, got: " + actual);
    }
}
