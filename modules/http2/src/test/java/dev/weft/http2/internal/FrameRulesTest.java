package dev.weft.http2.internal;

import static dev.weft.http2.internal.H2Connection.CONTINUATION;
import static dev.weft.http2.internal.H2Connection.DATA;
import static dev.weft.http2.internal.H2Connection.END_HEADERS;
import static dev.weft.http2.internal.H2Connection.END_STREAM;
import static dev.weft.http2.internal.H2Connection.HEADERS;
import static dev.weft.http2.internal.H2Connection.PING;
import static dev.weft.http2.internal.H2Connection.PRIORITY;
import static dev.weft.http2.internal.H2Connection.PUSH_PROMISE;
import static dev.weft.http2.internal.H2Connection.RST_STREAM;
import static dev.weft.http2.internal.H2Connection.SETTINGS;
import static dev.weft.http2.internal.H2Connection.WINDOW_UPDATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import dev.weft.http2.Http2;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 9113's rules as a table: raw frames in, the stream error (RST_STREAM) or connection error
 * (GOAWAY) the RFC names out. A stream error leaves the connection serving: each stream-error
 * row checks that a later stream on the same connection is still answered.
 */
class FrameRulesTest {

    private static HttpServer server;

    @BeforeAll
    static void start() {
        server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .protocol(Http2.protocol())
                .get("/hello", (req, res) -> res.send("hello"))
                .post("/count", (req, res) -> res.send(Integer.toString(req.bodyBytes().length)))
                .start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    interface Send {
        void to(H2Raw c) throws IOException;
    }

    /** A row: what is sent, and "GOAWAY CODE" or "RST CODE" on stream 1. */
    record Row(String name, Send send, String expect) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final String[] GET = {":method", "GET", ":scheme", "http", ":path", "/hello", ":authority", "127.0.0.1"};

    static String[] get(String... more) {
        String[] f = java.util.Arrays.copyOf(GET, GET.length + more.length);
        System.arraycopy(more, 0, f, GET.length, more.length);
        return f;
    }

    static void post(H2Raw c, int stream, String... more) throws IOException {
        String[] f = {":method", "POST", ":scheme", "http", ":path", "/count", ":authority", "127.0.0.1"};
        String[] all = java.util.Arrays.copyOf(f, f.length + more.length);
        System.arraycopy(more, 0, all, f.length, more.length);
        c.headers(stream, false, all);
    }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        // §8.2 / §8.3: malformed requests are stream errors PROTOCOL_ERROR.
        rows.add(new Row("upper-case field name", c -> c.headers(1, true, get("X-Upper", "1")), "RST PROTOCOL_ERROR"));
        rows.add(new Row("connection field", c -> c.headers(1, true, get("connection", "keep-alive")), "RST PROTOCOL_ERROR"));
        rows.add(new Row("transfer-encoding field", c -> c.headers(1, true, get("transfer-encoding", "chunked")), "RST PROTOCOL_ERROR"));
        rows.add(new Row("upgrade field", c -> c.headers(1, true, get("upgrade", "h2c")), "RST PROTOCOL_ERROR"));
        rows.add(new Row("te other than trailers", c -> c.headers(1, true, get("te", "gzip")), "RST PROTOCOL_ERROR"));
        rows.add(new Row("value with a line feed", c -> c.headers(1, true, get("x-a", "b\nc")), "RST PROTOCOL_ERROR"));
        rows.add(new Row("value with leading space", c -> c.headers(1, true, get("x-a", " b")), "RST PROTOCOL_ERROR"));
        rows.add(new Row("no :path", c -> c.headers(1, true, ":method", "GET", ":scheme", "http", ":authority", "a"), "RST PROTOCOL_ERROR"));
        rows.add(new Row("no :method", c -> c.headers(1, true, ":scheme", "http", ":path", "/hello"), "RST PROTOCOL_ERROR"));
        rows.add(new Row("no :scheme", c -> c.headers(1, true, ":method", "GET", ":path", "/hello"), "RST PROTOCOL_ERROR"));
        rows.add(new Row("empty :path", c -> c.headers(1, true, ":method", "GET", ":scheme", "http", ":path", ""), "RST PROTOCOL_ERROR"));
        rows.add(new Row("pseudo-header after a field", c -> c.headers(1, true, ":method", "GET", ":scheme", "http",
                "x-a", "1", ":path", "/hello"), "RST PROTOCOL_ERROR"));
        rows.add(new Row("duplicate :method", c -> c.headers(1, true, get(":method", "GET")), "RST PROTOCOL_ERROR"));
        rows.add(new Row("duplicate :path", c -> c.headers(1, true, ":method", "GET", ":path", "/a", ":scheme", "http", ":path", "/b"),
                "RST PROTOCOL_ERROR"));
        rows.add(new Row("unknown pseudo-header", c -> c.headers(1, true, ":method", "GET", ":scheme", "http", ":path", "/",
                ":foo", "x"), "RST PROTOCOL_ERROR"));
        rows.add(new Row(":status in a request", c -> c.headers(1, true, ":status", "200", ":method", "GET", ":scheme", "http",
                ":path", "/"), "RST PROTOCOL_ERROR"));
        rows.add(new Row("host differs from :authority", c -> c.headers(1, true, get("host", "other")), "RST PROTOCOL_ERROR"));
        // §8.1.1: content-length must agree with the DATA.
        rows.add(new Row("content-length longer than DATA", c -> {
            post(c, 1, "content-length", "5");
            c.frame(DATA, END_STREAM, 1, new byte[3]);
        }, "RST PROTOCOL_ERROR"));
        rows.add(new Row("content-length shorter than DATA", c -> {
            post(c, 1, "content-length", "2");
            c.frame(DATA, END_STREAM, 1, new byte[3]);
        }, "RST PROTOCOL_ERROR"));
        rows.add(new Row("content-length with END_STREAM on HEADERS", c -> c.headers(1, true,
                ":method", "POST", ":scheme", "http", ":path", "/count", "content-length", "4"), "RST PROTOCOL_ERROR"));
        rows.add(new Row("two content-lengths that differ", c -> {
            post(c, 1, "content-length", "1", "content-length", "2");
        }, "RST PROTOCOL_ERROR"));
        // §4.2: frame size.
        rows.add(new Row("DATA over SETTINGS_MAX_FRAME_SIZE", c -> {
            post(c, 1);
            c.frame(DATA, 0, 1, new byte[16385]);
        }, "GOAWAY FRAME_SIZE_ERROR"));
        rows.add(new Row("PING of 7 bytes", c -> c.frame(PING, 0, 0, new byte[7]), "GOAWAY FRAME_SIZE_ERROR"));
        rows.add(new Row("SETTINGS of 5 bytes", c -> c.frame(SETTINGS, 0, 0, new byte[5]), "GOAWAY FRAME_SIZE_ERROR"));
        rows.add(new Row("SETTINGS ACK with payload", c -> c.frame(SETTINGS, 1, 0, new byte[6]), "GOAWAY FRAME_SIZE_ERROR"));
        rows.add(new Row("RST_STREAM of 3 bytes", c -> {
            post(c, 1);
            c.frame(RST_STREAM, 0, 1, new byte[3]);
        }, "GOAWAY FRAME_SIZE_ERROR"));
        rows.add(new Row("WINDOW_UPDATE of 3 bytes", c -> c.frame(WINDOW_UPDATE, 0, 0, new byte[3]), "GOAWAY FRAME_SIZE_ERROR"));
        rows.add(new Row("PRIORITY of 4 bytes", c -> {
            post(c, 1);
            c.frame(PRIORITY, 0, 1, new byte[4]);
        }, "RST FRAME_SIZE_ERROR"));
        // §6.9: flow control.
        rows.add(new Row("WINDOW_UPDATE of 0 on the connection", c -> c.frame(WINDOW_UPDATE, 0, 0, H2Raw.int32(0)), "GOAWAY PROTOCOL_ERROR"));
        rows.add(new Row("WINDOW_UPDATE of 0 on a stream", c -> {
            post(c, 1);
            c.frame(WINDOW_UPDATE, 0, 1, H2Raw.int32(0));
        }, "RST PROTOCOL_ERROR"));
        rows.add(new Row("connection window over 2^31-1", c -> c.frame(WINDOW_UPDATE, 0, 0, H2Raw.int32(Integer.MAX_VALUE)),
                "GOAWAY FLOW_CONTROL_ERROR"));
        rows.add(new Row("stream window over 2^31-1", c -> {
            post(c, 1);
            c.frame(WINDOW_UPDATE, 0, 1, H2Raw.int32(Integer.MAX_VALUE));
        }, "RST FLOW_CONTROL_ERROR"));
        rows.add(new Row("SETTINGS_INITIAL_WINDOW_SIZE 2^31", c -> c.frame(SETTINGS, 0, 0,
                H2Raw.setting(H2Connection.INITIAL_WINDOW_SIZE, 0x80000000)), "GOAWAY FLOW_CONTROL_ERROR"));
        rows.add(new Row("SETTINGS_MAX_FRAME_SIZE 100", c -> c.frame(SETTINGS, 0, 0,
                H2Raw.setting(H2Connection.MAX_FRAME_SIZE, 100)), "GOAWAY PROTOCOL_ERROR"));
        rows.add(new Row("SETTINGS_ENABLE_PUSH 2", c -> c.frame(SETTINGS, 0, 0,
                H2Raw.setting(H2Connection.ENABLE_PUSH, 2)), "GOAWAY PROTOCOL_ERROR"));
        // RFC 7541: HPACK errors are connection errors COMPRESSION_ERROR (RFC 9113 §4.3).
        rows.add(new Row("HPACK index 0", c -> c.frame(HEADERS, END_HEADERS | END_STREAM, 1, new byte[] {(byte) 0x80}),
                "GOAWAY COMPRESSION_ERROR"));
        rows.add(new Row("HPACK index past the tables", c -> c.frame(HEADERS, END_HEADERS | END_STREAM, 1, new byte[] {(byte) 0xFF, 0x10}),
                "GOAWAY COMPRESSION_ERROR"));
        rows.add(new Row("HPACK string past the block", c -> c.frame(HEADERS, END_HEADERS | END_STREAM, 1, new byte[] {0x00, 0x05, 'a'}),
                "GOAWAY COMPRESSION_ERROR"));
        rows.add(new Row("HPACK Huffman padding not EOS", c -> c.frame(HEADERS, END_HEADERS | END_STREAM, 1,
                new byte[] {0x00, (byte) 0x81, 0x00, 0x00}), "GOAWAY COMPRESSION_ERROR"));
        rows.add(new Row("HPACK integer overflow", c -> c.frame(HEADERS, END_HEADERS | END_STREAM, 1,
                new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}), "GOAWAY COMPRESSION_ERROR"));
        rows.add(new Row("HPACK table size update over the setting", c -> c.frame(HEADERS, END_HEADERS | END_STREAM, 1,
                new byte[] {0x3F, (byte) 0xE2, 0x1F}), "GOAWAY COMPRESSION_ERROR"));
        // §6.10: CONTINUATION only right after HEADERS without END_HEADERS, on its stream.
        rows.add(new Row("CONTINUATION without HEADERS", c -> c.frame(CONTINUATION, END_HEADERS, 1, H2Raw.block(GET)),
                "GOAWAY PROTOCOL_ERROR"));
        rows.add(new Row("header block interrupted by PING", c -> {
            c.frame(HEADERS, 0, 1, H2Raw.block(GET));
            c.frame(PING, 0, 0, new byte[8]);
        }, "GOAWAY PROTOCOL_ERROR"));
        rows.add(new Row("CONTINUATION on another stream", c -> {
            c.frame(HEADERS, 0, 1, H2Raw.block(GET));
            c.frame(CONTINUATION, END_HEADERS, 3, new byte[0]);
        }, "GOAWAY PROTOCOL_ERROR"));
        // §5.1.1: stream identifiers.
        rows.add(new Row("even stream id", c -> c.headers(2, true, GET), "GOAWAY PROTOCOL_ERROR"));
        rows.add(new Row("stream ids going backwards", c -> {
            c.headers(5, true, GET);
            c.headers(3, true, GET);
        }, "GOAWAY PROTOCOL_ERROR"));
        rows.add(new Row("DATA on an idle stream", c -> c.frame(DATA, 0, 7, new byte[1]), "GOAWAY PROTOCOL_ERROR"));
        rows.add(new Row("RST_STREAM on an idle stream", c -> c.frame(RST_STREAM, 0, 9, H2Raw.int32(8)), "GOAWAY PROTOCOL_ERROR"));
        rows.add(new Row("DATA on stream 0", c -> c.frame(DATA, 0, 0, new byte[1]), "GOAWAY PROTOCOL_ERROR"));
        rows.add(new Row("HEADERS on stream 0", c -> c.headers(0, true, GET), "GOAWAY PROTOCOL_ERROR"));
        rows.add(new Row("PING on a stream", c -> c.frame(PING, 0, 1, new byte[8]), "GOAWAY PROTOCOL_ERROR"));
        rows.add(new Row("SETTINGS on a stream", c -> c.frame(SETTINGS, 0, 1, new byte[0]), "GOAWAY PROTOCOL_ERROR"));
        rows.add(new Row("PUSH_PROMISE from the client", c -> c.frame(PUSH_PROMISE, END_HEADERS, 1, new byte[4]), "GOAWAY PROTOCOL_ERROR"));
        rows.add(new Row("stream depends on itself", c -> {
            byte[] block = H2Raw.block(GET);
            byte[] p = new byte[5 + block.length];
            p[3] = 1; // depends on stream 1
            System.arraycopy(block, 0, p, 5, block.length);
            c.frame(HEADERS, END_HEADERS | END_STREAM | H2Connection.PRIORITY_FLAG, 1, p);
        }, "RST PROTOCOL_ERROR"));
        rows.add(new Row("DATA after END_STREAM", c -> {
            c.headers(1, true, ":method", "POST", ":scheme", "http", ":path", "/count");
            c.frame(DATA, 0, 1, new byte[1]);
        }, "RST STREAM_CLOSED"));
        rows.add(new Row("padding longer than the DATA", c -> {
            post(c, 1);
            c.frame(DATA, H2Connection.PADDED, 1, new byte[] {5, 0, 0});
        }, "GOAWAY PROTOCOL_ERROR"));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void rule(Row row) throws Exception {
        try (H2Raw c = H2Raw.open(server.port())) {
            row.send.to(c);
            String[] want = row.expect.split(" ");
            if (want[0].equals("GOAWAY")) {
                assertEquals(want[1], H2Error.name(c.goAway()), row.name);
                assertTrue(c.closed(), "the connection closes after GOAWAY");
            } else {
                H2Raw.Frame rst = c.until(RST_STREAM, 1);
                assertTrue(rst != null, row.name + ": no RST_STREAM");
                assertEquals(want[1], H2Error.name(rst.code()), row.name);
                // A stream error leaves the connection serving.
                c.get(11, "/hello");
                assertEquals("200 hello", c.response(11));
            }
        }
    }

    @Test
    void firstFrameMustBeSettings() throws Exception {
        try (H2Raw c = H2Raw.connect(server.port())) {
            c.raw(Http2Protocol.PREFACE);
            c.frame(PING, 0, 0, new byte[8]);
            assertEquals("PROTOCOL_ERROR", H2Error.name(c.goAway()));
        }
    }

    @Test
    void priorityIsIgnoredAndUnknownFramesToo() throws Exception {
        try (H2Raw c = H2Raw.open(server.port())) {
            c.frame(PRIORITY, 0, 3, new byte[] {0, 0, 0, 1, 16});
            c.frame(0x42, 0, 0, new byte[] {1, 2, 3});
            c.get(1, "/hello");
            assertEquals("200 hello", c.response(1));
        }
    }

    @Test
    void pingIsAnsweredWithItsPayload() throws Exception {
        try (H2Raw c = H2Raw.open(server.port())) {
            byte[] opaque = {1, 2, 3, 4, 5, 6, 7, 8};
            c.frame(PING, 0, 0, opaque);
            H2Raw.Frame ack = c.until(PING, 0);
            assertEquals(1, ack.flags());
            org.junit.jupiter.api.Assertions.assertArrayEquals(opaque, ack.payload());
        }
    }

    /** A preface in two segments: its first bytes commit the server to reading the rest. */
    @Test
    void aPrefaceInPiecesIsStillThePreface() throws Exception {
        try (H2Raw c = H2Raw.connect(server.port())) {
            c.raw(java.util.Arrays.copyOf(Http2Protocol.PREFACE, 5));
            Thread.sleep(100); // plays a client whose preface arrives in two segments
            c.raw(java.util.Arrays.copyOfRange(Http2Protocol.PREFACE, 5, Http2Protocol.PREFACE.length));
            c.frame(SETTINGS, 0, 0, new byte[0]);
            c.get(1, "/hello");
            assertEquals("200 hello", c.response(1));
        }
    }

    @Test
    void aPrefaceThatBreaksOffIsClosed() throws Exception {
        try (H2Raw c = H2Raw.connect(server.port())) {
            c.raw(java.util.Arrays.copyOf(Http2Protocol.PREFACE, 5));
            Thread.sleep(100); // plays a client whose bytes arrive in two segments
            c.raw("xxxxxxxxxxxxxxxxxxxxxxxxxx".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            assertTrue(c.closed());
        }
    }
}
