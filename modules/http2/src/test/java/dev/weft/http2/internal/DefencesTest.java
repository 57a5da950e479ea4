package dev.weft.http2.internal;

import static dev.weft.http2.internal.H2Connection.CONTINUATION;
import static dev.weft.http2.internal.H2Connection.DATA;
import static dev.weft.http2.internal.H2Connection.END_HEADERS;
import static dev.weft.http2.internal.H2Connection.HEADERS;
import static dev.weft.http2.internal.H2Connection.PING;
import static dev.weft.http2.internal.H2Connection.RST_STREAM;
import static dev.weft.http2.internal.H2Connection.SETTINGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import dev.weft.http2.Http2;
import dev.weft.http2.Http2Options;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each bound against abuse, hit on purpose: the connection or stream error it gives. */
class DefencesTest {

    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;

    private HttpServer start(Http2Options options) {
        server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .protocol(Http2.protocol(options))
                .get("/hello", (req, res) -> res.send("hello"))
                .get("/linger", (req, res) -> {
                    // Holds the stream's thread after its END_STREAM went out (onComplete runs then).
                    res.onComplete(failure -> {
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                    res.send("lingered");
                })
                .get("/wait", (req, res) -> {
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                    res.send("waited");
                })
                .post("/ignore", (req, res) -> {
                    // Never reads its body: only its own stream may stall.
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                    res.send("ignored");
                })
                .start();
        return server;
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void rapidResetIsEnhanceYourCalm() throws Exception {
        start(Http2Options.defaults().withMaxResetsPerWindow(10));
        try (H2Raw c = H2Raw.open(server.port())) {
            for (int i = 0; i < 11; i++) {
                int id = 1 + 2 * i;
                c.get(id, "/wait");
                c.frame(RST_STREAM, 0, id, H2Raw.int32(H2Error.CANCEL));
            }
            assertEquals("ENHANCE_YOUR_CALM", H2Error.name(c.goAway()));
            assertTrue(c.closed());
        }
    }

    @Test
    void continuationFloodIsBoundedInFrames() throws Exception {
        start(Http2Options.defaults().withMaxContinuationFrames(8));
        try (H2Raw c = H2Raw.open(server.port())) {
            c.frame(HEADERS, 0, 1, H2Raw.block(":method", "GET", ":scheme", "http"));
            for (int i = 0; i < 9; i++) {
                c.frame(CONTINUATION, 0, 1, H2Raw.block("x-a", "b"));
            }
            assertEquals("ENHANCE_YOUR_CALM", H2Error.name(c.goAway()));
        }
    }

    @Test
    void continuationFloodIsBoundedInBytes() throws Exception {
        start(Http2Options.defaults());
        try (H2Raw c = H2Raw.open(server.port())) {
            c.frame(HEADERS, 0, 1, H2Raw.block(":method", "GET", ":scheme", "http"));
            byte[] big = H2Raw.block("x-a", "b".repeat(16000));
            for (int i = 0; i < 5; i++) {
                c.frame(CONTINUATION, 0, 1, big);
            }
            assertEquals("ENHANCE_YOUR_CALM", H2Error.name(c.goAway()));
        }
    }

    /** A 4000-byte value put in the dynamic table once, then named by one byte 60 times: 431, cheaply. */
    @Test
    void hpackBombIs431() throws Exception {
        start(Http2Options.defaults());
        try (H2Raw c = H2Raw.open(server.port())) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(H2Raw.block(":method", "GET", ":scheme", "http", ":path", "/hello"));
            b.write(0x40); // literal with incremental indexing, new name (RFC 7541 §6.2.1)
            H2Raw.str(b, "x-bomb");
            H2Raw.str(b, "v".repeat(4000));
            for (int i = 0; i < 60; i++) {
                b.write(0x80 | 62); // the newest dynamic entry
            }
            c.frame(HEADERS, END_HEADERS | H2Connection.END_STREAM, 1, b.toByteArray());
            assertEquals("431 request header fields too large\n", c.response(1));
            c.get(3, "/hello");
            assertEquals("200 hello", c.response(3));
        }
    }

    @Test
    void pingFloodIsEnhanceYourCalm() throws Exception {
        start(Http2Options.defaults().withMaxControlFramesPerWindow(50));
        try (H2Raw c = H2Raw.open(server.port())) {
            for (int i = 0; i < 51; i++) {
                c.frame(PING, 0, 0, new byte[8]);
            }
            assertEquals("ENHANCE_YOUR_CALM", H2Error.name(c.goAway()));
        }
    }

    @Test
    void settingsFloodIsEnhanceYourCalm() throws Exception {
        start(Http2Options.defaults().withMaxControlFramesPerWindow(50));
        try (H2Raw c = H2Raw.open(server.port())) {
            for (int i = 0; i < 52; i++) {
                c.frame(SETTINGS, 0, 0, new byte[0]);
            }
            assertEquals("ENHANCE_YOUR_CALM", H2Error.name(c.goAway()));
        }
    }

    @Test
    void emptyDataFloodIsEnhanceYourCalm() throws Exception {
        start(Http2Options.defaults().withMaxEmptyDataFramesPerWindow(20));
        try (H2Raw c = H2Raw.open(server.port())) {
            c.headers(1, false, ":method", "POST", ":scheme", "http", ":path", "/ignore");
            for (int i = 0; i < 21; i++) {
                c.frame(DATA, 0, 1, new byte[0]);
            }
            assertEquals("ENHANCE_YOUR_CALM", H2Error.name(c.goAway()));
        }
    }

    @Test
    void streamsPastMaxConcurrentAreRefused() throws Exception {
        start(Http2Options.defaults().withMaxConcurrentStreams(2));
        try (H2Raw c = H2Raw.open(server.port())) {
            c.get(1, "/wait");
            c.get(3, "/wait");
            c.get(5, "/wait");
            H2Raw.Frame rst = c.until(RST_STREAM, 5);
            assertEquals("REFUSED_STREAM", H2Error.name(rst.code()));
            release.countDown();
            assertEquals("200 waited", c.response(1));
            assertEquals("200 waited", c.response(3));
        }
    }

    /**
     * A stream is closed once both END_STREAMs went (RFC 9113 §5.1.2), though its thread may still
     * run: a client at the limit that opens the next stream on reading the last frame is served.
     */
    @Test
    void aClosedStreamWhoseThreadStillRunsDoesNotCountAgainstTheLimit() throws Exception {
        start(Http2Options.defaults().withMaxConcurrentStreams(1));
        try (H2Raw c = H2Raw.open(server.port())) {
            c.get(1, "/linger");
            assertEquals("200 lingered", c.response(1));
            c.get(3, "/hello");
            assertEquals("200 hello", c.response(3));
            release.countDown();
        }
    }

    /** Stream 1's handler never reads: its window fills, and stream 3 is served all the same. */
    @Test
    void aSlowHandlerSlowsOnlyItsOwnStream() throws Exception {
        start(Http2Options.defaults());
        try (H2Raw c = H2Raw.open(server.port())) {
            c.headers(1, false, ":method", "POST", ":scheme", "http", ":path", "/ignore");
            byte[] chunk = new byte[16384];
            for (int i = 0; i < Http2Options.defaults().initialWindowSize() / chunk.length; i++) {
                c.frame(DATA, 0, 1, chunk);
            }
            c.get(3, "/hello");
            assertEquals("200 hello", c.response(3));
            // One byte more than stream 1's window: a stream error, FLOW_CONTROL_ERROR, on it alone.
            c.frame(DATA, 0, 1, new byte[1]);
            H2Raw.Frame rst = c.until(RST_STREAM, 1);
            assertEquals("FLOW_CONTROL_ERROR", H2Error.name(rst.code()));
            c.get(5, "/hello");
            assertEquals("200 hello", c.response(5));
        }
    }

    /** §8.1: a handler that fails after its head went out ends in RST_STREAM(INTERNAL_ERROR), never END_STREAM. */
    @Test
    void failureAfterTheHeadIsResetStreamNotEndStream() throws Exception {
        server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .protocol(Http2.protocol())
                .get("/late", (req, res) -> {
                    res.outputStream().write("partial".getBytes(StandardCharsets.UTF_8));
                    res.outputStream().flush();
                    throw new IllegalStateException("after the head");
                })
                .get("/early", (req, res) -> {
                    throw new IllegalStateException("before the head");
                })
                .start();
        try (H2Raw c = H2Raw.open(server.port())) {
            c.get(1, "/late");
            boolean sawData = false;
            while (true) {
                H2Raw.Frame f = c.next();
                if (f.stream() != 1) {
                    continue;
                }
                assertTrue(!f.endStream(), "END_STREAM on a failed response");
                if (f.type() == DATA) {
                    sawData = true;
                }
                if (f.type() == RST_STREAM) {
                    assertEquals("INTERNAL_ERROR", H2Error.name(f.code()));
                    break;
                }
            }
            assertTrue(sawData);
            c.get(3, "/early");
            assertEquals("500 internal server error\n", c.response(3));
        }
    }

    /** A client that grants no window (SETTINGS_INITIAL_WINDOW_SIZE 0) holds each stream only flowControlTimeout. */
    @Test
    void aReaderThatGrantsNoWindowIsCutPerStream() throws Exception {
        server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .protocol(Http2.protocol(Http2Options.defaults().withFlowControlTimeout(java.time.Duration.ofMillis(200))))
                .get("/big", (req, res) -> res.send(new byte[100_000]))
                .get("/hello", (req, res) -> res.send("hello"))
                .start();
        try (H2Raw c = H2Raw.open(server.port(), H2Raw.setting(H2Connection.INITIAL_WINDOW_SIZE, 0))) {
            for (int id = 1; id <= 5; id += 2) {
                c.get(id, "/big");
            }
            java.util.Set<Integer> cut = new java.util.TreeSet<>();
            while (cut.size() < 3) {
                H2Raw.Frame rst = c.until(RST_STREAM, -1); // in whatever order their timeouts fire
                assertEquals("INTERNAL_ERROR", H2Error.name(rst.code()), "stream " + rst.stream());
                cut.add(rst.stream());
            }
            assertEquals(java.util.Set.of(1, 3, 5), cut);
            // The connection itself is fine: a response with no body still goes out.
            c.headers(7, true, ":method", "HEAD", ":scheme", "http", ":path", "/hello");
            assertEquals("200 ", c.response(7));
        }
    }
}
