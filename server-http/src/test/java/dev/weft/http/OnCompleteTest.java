package dev.weft.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code res.onComplete(action)}: a filter learns what really happened to the response, also
 * what happens after every filter returned (the server ending the message).
 */
class OnCompleteTest {

    /** What one exchange's completion saw: the failure (or null), the status, committed, the failure() answered. */
    record Seen(String path, Throwable reset, int status, boolean committed, Throwable answered) {
    }

    @Test
    void theActionSeesFinishedErrorAnsweredAndResetExchanges() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        List<String> afterChain = new CopyOnWriteArrayList<>();
        AtomicReference<Response> kept = new AtomicReference<>();
        try (HttpServer server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).accessLog(false)
                .filter((req, res, chain) -> {
                    res.onComplete(reset -> seen.add(new Seen(req.path(), reset, res.status(), res.isCommitted(),
                            res.failure())));
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
                    out.flush(); // committed with Content-Length: 10, then the handler returns 5 short
                })
                .start();
             Raw raw = new Raw(server.port());
             Raw cut = new Raw(server.port())) {
            raw.send("GET /ok HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(200, raw.read().status());
            raw.send("GET /bug HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(500, raw.read().status());
            cut.send("GET /short HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(cut.readToEnd().reset(), "a short body ends in a reset, not a clean end");
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 3);

            Seen ok = seen.stream().filter(s -> s.path().equals("/ok")).findFirst().orElseThrow();
            assertEquals(null, ok.reset());
            assertEquals(200, ok.status());
            assertTrue(ok.committed(), "runs after the message was handed to the connection");
            Seen bug = seen.stream().filter(s -> s.path().equals("/bug")).findFirst().orElseThrow();
            assertEquals(null, bug.reset(), "the error answer is a finished message");
            assertEquals(500, bug.status());
            assertInstanceOf(IllegalStateException.class, bug.answered());
            Seen cutShort = seen.stream().filter(s -> s.path().equals("/short")).findFirst().orElseThrow();
            assertInstanceOf(IllegalStateException.class, cutShort.reset(),
                    "the failure came after every filter returned: only onComplete can see it");
            assertTrue(afterChain.contains("/short"), "the filter's chain.next() had returned normally");
            assertThrows(IllegalStateException.class, () -> kept.get().onComplete(r -> { }), "once the exchange is over");
        }
    }

    @Test
    void anActionThatThrowsIsLoggedAndTheOthersStillRun() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        try (HttpServer server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).accessLog(false)
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
             Raw raw = new Raw(server.port())) {
            raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(200, raw.read().status());
            raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(200, raw.read().status(), "the connection goes on");
            await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 4);
            assertEquals(List.of("first", "second", "first", "second"), ran);
        }
    }
}
