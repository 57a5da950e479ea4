package dev.weft.websocket;

import static dev.weft.websocket.WsRaw.close;
import static dev.weft.websocket.WsRaw.concat;
import static dev.weft.websocket.WsRaw.frame;
import static dev.weft.websocket.WsRaw.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every frame rule of RFC 6455 as raw bytes in, the server's close code out (then the TCP close).
 * The endpoint echoes; messages over 1000 bytes and frames over 4000 bytes are too big. The same
 * tables again against a listener session that has hibernated before the bytes come (the frames
 * are read by a fresh thread, through the other loop).
 */
class FrameRulesTest {

    static HttpServer server;
    static HttpServer listeners;

    @BeforeAll
    static void start() {
        WebSocketOptions o = WebSocketOptions.defaults().withCompression(false).withMaxMessageBytes(1000).withMaxFrameBytes(4000);
        server = Servers.echoServer(o);
        listeners = Servers.builder().hibernateIdleAfter(java.time.Duration.ofMillis(20))
                .get("/echo", WebSocket.listener(o, (session, m) -> {
                    if (m.isText()) {
                        session.send(m.text());
                    } else {
                        session.send(m.bytes());
                    }
                })).start();
    }

    @AfterAll
    static void stop() {
        server.close();
        listeners.close();
    }

    /** A session on the listener server, hibernated (the only connection open there). */
    static WsRaw hibernatedListener() throws Exception {
        WsRaw c = WsRaw.open(listeners.port(), "/echo", "");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> listeners.stats().active() == 1 && listeners.stats().hibernated() == 1);
        return c;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static Stream<Arguments> violations() {
        return Stream.of(
                // §5.1: client frames must be masked.
                Arguments.of("unmasked text frame", frame(0x81, ascii("hi"), false, 0), 1002),
                // §5.2: RSV bits without a negotiated extension.
                Arguments.of("RSV1 without permessage-deflate", frame(0xC1, ascii("hi")), 1002),
                Arguments.of("RSV2", frame(0xA1, ascii("hi")), 1002),
                Arguments.of("RSV3", frame(0x91, ascii("hi")), 1002),
                // §5.2: reserved opcodes.
                Arguments.of("opcode 3", frame(0x83, ascii("hi")), 1002),
                Arguments.of("opcode 7", frame(0x87, ascii("hi")), 1002),
                Arguments.of("opcode 0xB", frame(0x8B, ascii("hi")), 1002),
                Arguments.of("opcode 0xF", frame(0x8F, new byte[0]), 1002),
                // §5.5: control frames are at most 125 bytes and never fragmented.
                Arguments.of("ping of 126 bytes", frame(0x89, new byte[126]), 1002),
                Arguments.of("fragmented ping", frame(0x09, ascii("x")), 1002),
                Arguments.of("fragmented close", frame(0x08, hex("03e8")), 1002),
                // §5.4: fragmentation order.
                Arguments.of("continuation without a message", frame(0x80, ascii("x")), 1002),
                Arguments.of("text inside a fragmented text", concat(frame(0x01, ascii("a")), frame(0x81, ascii("b"))), 1002),
                Arguments.of("binary inside a fragmented text", concat(frame(0x01, ascii("a")), frame(0x82, ascii("b"))), 1002),
                // §5.2: lengths in their minimal form; 64-bit lengths have the top bit clear.
                Arguments.of("16-bit length for 100 bytes", frame(0x82, new byte[100], true, 2), 1002),
                Arguments.of("64-bit length for 200 bytes", frame(0x82, new byte[200], true, 8), 1002),
                Arguments.of("64-bit length with the MSB set", hex("82ff8000000000000000"), 1002),
                // §8.1: text is UTF-8, checked across fragments and at the first bad byte.
                Arguments.of("text with a bad byte", frame(0x81, hex("48ff49")), 1007),
                Arguments.of("overlong encoding", frame(0x81, hex("c0af")), 1007),
                Arguments.of("surrogate", frame(0x81, hex("eda080")), 1007),
                Arguments.of("past U+10FFFF", frame(0x81, hex("f4908080")), 1007),
                Arguments.of("text ending inside a sequence", frame(0x81, hex("48e282")), 1007),
                Arguments.of("bad byte across fragments", concat(frame(0x01, hex("48e2")), frame(0x80, hex("2841"))), 1007),
                Arguments.of("fail fast: bad first fragment, rest never sent", frame(0x01, hex("41ff")), 1007),
                // §5.5.1, §7.4: close payloads.
                Arguments.of("close with a 1-byte payload", frame(0x88, hex("03")), 1002),
                Arguments.of("close code 1005", close(1005, ""), 1002),
                Arguments.of("close code 1006", close(1006, ""), 1002),
                Arguments.of("close code 1015", close(1015, ""), 1002),
                Arguments.of("close code 1004", close(1004, ""), 1002),
                Arguments.of("close code 999", close(999, ""), 1002),
                Arguments.of("close code 0", close(0, ""), 1002),
                Arguments.of("close code 2999", close(2999, ""), 1002),
                Arguments.of("close code 5000", close(5000, ""), 1002),
                Arguments.of("close reason not UTF-8", frame(0x88, hex("03e8ff")), 1007),
                // Limits: 1009.
                Arguments.of("frame over maxFrameBytes (header only)", hex("82fe1388" + "00000000"), 1009),
                Arguments.of("message over maxMessageBytes in one frame", frame(0x82, new byte[1001]), 1009),
                Arguments.of("message over maxMessageBytes in fragments",
                        concat(frame(0x02, new byte[600]), frame(0x80, new byte[600])), 1009));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("violations")
    void aViolationClosesWithItsCodeAndThenTcp(String name, byte[] bytes, int code) throws Exception {
        try (WsRaw c = WsRaw.open(server.port(), "/echo", "")) {
            violation(c, name, bytes, code);
        }
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("violations")
    void aViolationClosesAHibernatedListenerSessionWithItsCode(String name, byte[] bytes, int code) throws Exception {
        try (WsRaw c = hibernatedListener()) {
            violation(c, name, bytes, code);
        }
    }

    private static void violation(WsRaw c, String name, byte[] bytes, int code) throws Exception {
        c.send(bytes);
        WsRaw.Frame f = c.read();
        assertEquals(8, f.opcode(), name + ": a close frame");
        assertEquals(code, f.closeCode(), name + ": " + f.text());
        assertTrue(c.closedByServer(), name + ": then the server closes TCP");
    }

    static Stream<Arguments> exchanges() {
        return Stream.of(
                Arguments.of("text echoed", frame(0x81, "hello"), new byte[][] {hex("8105"), ascii("hello")}),
                Arguments.of("binary echoed", frame(0x82, hex("00ff10")), new byte[][] {hex("8203 00ff10")}),
                Arguments.of("empty text echoed", frame(0x81, new byte[0]), new byte[][] {hex("8100")}),
                Arguments.of("ping answered with its payload", frame(0x89, "hb"), new byte[][] {hex("8a02"), ascii("hb")}),
                Arguments.of("unsolicited pong ignored", concat(frame(0x8A, "x"), frame(0x81, "a")), new byte[][] {hex("8101"), ascii("a")}),
                Arguments.of("ping between fragments answered at once",
                        concat(frame(0x01, "hel"), frame(0x89, "p"), frame(0x80, "lo")),
                        new byte[][] {hex("8a01"), ascii("p"), hex("8105"), ascii("hello")}),
                Arguments.of("multi-byte character split across fragments",
                        concat(frame(0x01, hex("e282")), frame(0x80, hex("ac"))), new byte[][] {hex("8103 e282ac")}),
                Arguments.of("16-bit length", frame(0x82, new byte[300]), new byte[][] {hex("827e012c"), new byte[300]}),
                Arguments.of("exactly maxMessageBytes", frame(0x82, new byte[1000]), new byte[][] {hex("827e03e8"), new byte[1000]}),
                Arguments.of("close 1000 echoed", close(1000, "bye"), new byte[][] {hex("8802 03e8")}),
                Arguments.of("close 3000 echoed", close(3000, ""), new byte[][] {hex("8802 0bb8")}),
                Arguments.of("close 4999 echoed", close(4999, ""), new byte[][] {hex("8802 1387")}),
                Arguments.of("close 1014 echoed", close(1014, ""), new byte[][] {hex("8802 03f6")}),
                Arguments.of("empty close echoed empty", frame(0x88, new byte[0]), new byte[][] {hex("8800")}),
                Arguments.of("close reason in UTF-8 accepted", close(1001, "\u00e9t\u00e9"), new byte[][] {hex("8802 03e9")}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exchanges")
    void validFramesGetTheirAnswer(String name, byte[] bytes, byte[][] expected) throws Exception {
        try (WsRaw c = WsRaw.open(server.port(), "/echo", "")) {
            exchange(c, name, bytes, expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exchanges")
    void validFramesGetTheirAnswerFromAHibernatedListenerSession(String name, byte[] bytes, byte[][] expected) throws Exception {
        try (WsRaw c = hibernatedListener()) {
            exchange(c, name, bytes, expected);
        }
    }

    private static void exchange(WsRaw c, String name, byte[] bytes, byte[][] expected) throws Exception {
        c.send(bytes);
        byte[] want = concat(expected);
        byte[] got = c.in.readNBytes(want.length);
        assertArrayEquals(want, got, name);
        if (name.startsWith("close") || name.startsWith("empty close")) {
            assertTrue(c.closedByServer(), name + ": after the echo the server closes TCP");
        }
    }
}
