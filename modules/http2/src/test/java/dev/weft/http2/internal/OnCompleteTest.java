package dev.weft.http2.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import dev.weft.http.Response;
import dev.weft.http2.Http2;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code res.onComplete(action)} on an HTTP/2 stream, as over HTTP/1.1 (server-http's
 * OnCompleteTest): once the stream's exchange is over, null for one that ended with END_STREAM
 * (error answers included), the failure for one that was reset (RST_STREAM, ours or the client's).
 */
class OnCompleteTest {

    /** What one exchange's completion saw: the failure (or null), the status, committed, the failure() answered, the thread. */
    record Seen(String path, Throwable reset, int status, boolean committed, Throwable answered, boolean handlerThread) {
    }

    @Test
    void theActionSeesFinishedErrorAnsweredAndResetStreams() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        List<String> afterChain = new CopyOnWriteArrayList<>();
        AtomicReference<Response> kept = new AtomicReference<>();
        CountDownLatch release = new CountDownLatch(1);
        try (HttpServer server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .protocol(Http2.protocol())
                .filter((req, res, chain) -> {
                    Thread handler = Thread.currentThread();
                    res.onComplete(reset -> seen.add(new Seen(req.path(), reset, res.status(), res.isCommitted(),
                            res.failure(), Thread.currentThread() == handler)));
                    chain.next();
                    afterChain.add(req.path()); // returned normally, whatever happens next
                })
                .get("/ok", (req, res) -> {
                    kept.set(res);
                    res.send("fine");
                })
                .get("/bug", (req, res) -> {
                    throw new IllegalStateException("a bug");
                })
                .get("/short", (req, res) -> {
                    res.contentLength(10);
                    OutputStream out = res.outputStream();
                    out.write("12345".getBytes(StandardCharsets.US_ASCII));
                    out.flush(); // committed with content-length: 10, then the handler returns 5 short
                })
                .get("/cancelled", (req, res) -> {
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                    res.send("nobody wants this");
                })
                .start();
             H2Raw c = H2Raw.open(server.port())) {
            c.get(1, "/ok");
            assertEquals("200 fine", c.response(1));
            c.get(3, "/bug");
            assertEquals("500 internal server error\n", c.response(3));
            c.get(5, "/short");
            assertEquals("RST INTERNAL_ERROR", c.response(5), "a short body ends in a reset, not END_STREAM");
            c.get(7, "/cancelled");
            c.frame(H2Connection.RST_STREAM, 0, 7, H2Raw.int32(0x8)); // the client cancels while the handler waits
            c.sync();
            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 4);

            Seen ok = find(seen, "/ok");
            assertNull(ok.reset());
            assertEquals(200, ok.status());
            assertTrue(ok.committed(), "runs after the message was handed to the connection");
            assertTrue(ok.handlerThread(), "on the stream's own thread");
            Seen bug = find(seen, "/bug");
            assertNull(bug.reset(), "the error answer is a finished message");
            assertEquals(500, bug.status());
            assertInstanceOf(IllegalStateException.class, bug.answered(), "failure() names what the 500 answers");
            Seen cutShort = find(seen, "/short");
            assertInstanceOf(IllegalStateException.class, cutShort.reset(),
                    "the failure came after every filter returned: only onComplete can see it");
            assertTrue(afterChain.contains("/short"), "the filter's chain.next() had returned normally");
            Seen cancelled = find(seen, "/cancelled");
            assertInstanceOf(IOException.class, cancelled.reset(), "the client's RST_STREAM");
            assertTrue(cancelled.reset().getMessage().contains("CANCEL"), cancelled.reset().getMessage());
            assertThrows(IllegalStateException.class, () -> kept.get().onComplete(r -> { }), "once the exchange is over");
        } finally {
            release.countDown();
        }
    }

    @Test
    void anActionThatThrowsIsLoggedAndTheOthersStillRun() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        try (HttpServer server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .protocol(Http2.protocol())
                .filter((req, res, chain) -> {
                    res.onComplete(r -> {
                        ran.add("first");
                        throw new IllegalStateException("a broken metrics callback");
                    });
                    res.onComplete(r -> ran.add("second"));
                    chain.next();
                })
                .get("/", (req, res) -> res.send("ok"))
                .start();
             H2Raw c = H2Raw.open(server.port())) {
            c.get(1, "/");
            assertEquals("200 ok", c.response(1));
            c.get(3, "/");
            assertEquals("200 ok", c.response(3), "the connection goes on");
            await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 4);
            assertEquals(List.of("first", "second", "first", "second"), ran);
        }
    }

    private static Seen find(List<Seen> seen, String path) {
        return seen.stream().filter(s -> s.path().equals(path)).findFirst().orElseThrow();
    }
}
