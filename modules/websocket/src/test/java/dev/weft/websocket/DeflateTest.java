package dev.weft.websocket;

import static dev.weft.websocket.WsRaw.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * permessage-deflate (RFC 7692) with raw frames compressed by a JDK Deflater: the JDK's
 * WebSocket client does not offer the extension.
 */
class DeflateTest {

    static HttpServer server;

    @BeforeAll
    static void start() {
        server = Servers.echoServer(WebSocketOptions.defaults().withMaxMessageBytes(100_000));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A message compressed as §7.2.1 says: raw deflate, sync flush, 00 00 FF FF stripped. */
    static byte[] compress(Deflater d, byte[] data) {
        d.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        do {
            n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
        } while (n == buf.length);
        byte[] all = out.toByteArray();
        assertArrayEquals(new byte[] {0, 0, (byte) 0xFF, (byte) 0xFF}, Arrays.copyOfRange(all, all.length - 4, all.length));
        return Arrays.copyOf(all, all.length - 4);
    }

    static byte[] inflate(Inflater inf, byte[] payload) throws Exception {
        byte[] in = Arrays.copyOf(payload, payload.length + 4);
        in[payload.length + 2] = (byte) 0xFF;
        in[payload.length + 3] = (byte) 0xFF;
        inf.setInput(in);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = inf.inflate(buf)) > 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    static Stream<Arguments> offers() {
        return Stream.of(
                Arguments.of("permessage-deflate", "permessage-deflate"),
                Arguments.of("permessage-deflate; client_max_window_bits", "permessage-deflate"),
                Arguments.of("permessage-deflate; client_max_window_bits=10", "permessage-deflate"),
                Arguments.of("permessage-deflate; server_max_window_bits=15", "permessage-deflate"),
                Arguments.of("permessage-deflate; server_no_context_takeover", "permessage-deflate; server_no_context_takeover"),
                Arguments.of("permessage-deflate; client_no_context_takeover", "permessage-deflate; client_no_context_takeover"),
                Arguments.of("permessage-deflate; server_max_window_bits=10", null),
                Arguments.of("permessage-deflate; server_max_window_bits=10, permessage-deflate", "permessage-deflate"),
                Arguments.of("permessage-deflate; server_max_window_bits", null),
                Arguments.of("permessage-deflate; client_max_window_bits=16", null),
                Arguments.of("permessage-deflate; mystery=1", null),
                Arguments.of("permessage-deflate; server_no_context_takeover; server_no_context_takeover", null),
                Arguments.of("x-webkit-deflate-frame", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("offers")
    void negotiation(String offer, String answer) throws Exception {
        try (WsRaw c = WsRaw.open(server.port(), "/echo", "Sec-WebSocket-Extensions: " + offer + "\r\n")) {
            assertEquals(answer, c.header("Sec-WebSocket-Extensions"), offer);
        }
    }

    @Test
    void compressedMessagesEchoCompressedWithContextTakeoverAcrossMessagesAndFragments() throws Exception {
        try (WsRaw c = WsRaw.open(server.port(), "/echo", "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            Inflater inf = new Inflater(true);
            String text = "hello hello hello, compressed world ".repeat(50);
            for (int round = 0; round < 3; round++) { // the client keeps its context: later messages refer back
                byte[] z = compress(d, text.getBytes(StandardCharsets.UTF_8));
                c.send(frame(0xC1, z));
                WsRaw.Frame f = c.read();
                assertTrue(f.rsv1() && f.fin() && f.opcode() == 1, "a compressed text frame back");
                assertEquals(text, new String(inflate(inf, f.payload()), StandardCharsets.UTF_8));
            }
            // Fragmented: RSV1 on the first frame only; a ping in between.
            byte[] z = compress(d, "fragmented and compressed".getBytes(StandardCharsets.UTF_8));
            int half = z.length / 2;
            c.send(WsRaw.concat(frame(0x41, Arrays.copyOf(z, half)), frame(0x89, "p"),
                    frame(0x80, Arrays.copyOfRange(z, half, z.length))));
            assertEquals(0xA, c.read().opcode());
            assertEquals("fragmented and compressed", new String(inflate(inf, c.read().payload()), StandardCharsets.UTF_8));
            // An uncompressed message is still fine: RSV1 is per message.
            c.send(frame(0x81, "plain"));
            assertEquals("plain", new String(inflate(inf, c.read().payload()), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aHibernatingListenerSessionKeepsBothCompressionContextsAcrossItsHibernations() throws Exception {
        try (HttpServer listeners = Servers.builder().hibernateIdleAfter(java.time.Duration.ofMillis(20))
                .get("/echo", WebSocket.listener(WebSocketOptions.defaults().withMaxMessageBytes(100_000),
                        (session, m) -> session.send(m.text()))).start();
             WsRaw c = WsRaw.open(listeners.port(), "/echo", "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            Inflater inf = new Inflater(true);
            String text = "context taken over, across a hibernation ".repeat(40);
            for (int round = 0; round < 3; round++) {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                        .until(() -> listeners.stats().hibernated() == 1);
                // Each message refers back to the ones before, both ways: the contexts outlived the thread.
                c.send(frame(0xC1, compress(d, text.getBytes(StandardCharsets.UTF_8))));
                WsRaw.Frame f = c.read();
                assertTrue(f.rsv1(), "compressed back");
                assertEquals(text, new String(inflate(inf, f.payload()), StandardCharsets.UTF_8), "round " + round);
            }
        }
    }

    @Test
    void serverNoContextTakeoverMakesEachMessageInflateAlone() throws Exception {
        try (WsRaw c = WsRaw.open(server.port(), "/echo",
                "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n")) {
            for (int i = 0; i < 2; i++) {
                c.send(frame(0xC1, compress(new Deflater(Deflater.DEFAULT_COMPRESSION, true), "again and again".getBytes(StandardCharsets.UTF_8))));
                assertEquals("again and again", new String(inflate(new Inflater(true), c.read().payload()), StandardCharsets.UTF_8),
                        "a fresh inflater per message");
            }
        }
    }

    static Stream<Arguments> violations() {
        byte[] bomb = compress(new Deflater(9, true), new byte[10_000_000]);
        return Stream.of(
                Arguments.of("deflate bomb: 10 MB from " + bomb.length + " bytes", frame(0xC2, bomb), 1009),
                Arguments.of("RSV1 on a continuation", WsRaw.concat(frame(0x01, "a"), frame(0xC0, "b")), 1002),
                Arguments.of("RSV1 on a ping", frame(0xC9, "p"), 1002),
                Arguments.of("not deflate data", frame(0xC2, WsRaw.hex("ffffffff")), 1007),
                Arguments.of("compressed text that is not UTF-8",
                        frame(0xC1, compress(new Deflater(6, true), WsRaw.hex("41ff41"))), 1007));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("violations")
    void compressedViolations(String name, byte[] bytes, int code) throws Exception {
        try (WsRaw c = WsRaw.open(server.port(), "/echo", "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            c.send(bytes);
            WsRaw.Frame f = c.read();
            assertEquals(8, f.opcode());
            assertEquals(code, f.closeCode(), f.text());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void offIsOff() throws Exception {
        try (HttpServer plain = Servers.echoServer(WebSocketOptions.defaults().withCompression(false));
             WsRaw c = WsRaw.open(plain.port(), "/echo", "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            assertNull(c.header("Sec-WebSocket-Extensions"));
            c.send(frame(0xC1, compress(new Deflater(6, true), "x".getBytes(StandardCharsets.UTF_8))));
            assertEquals(1002, c.read().closeCode(), "RSV1 without the extension");
            assertTrue(c.closedByServer());
        }
    }
    @Test
    void aStreamedSendIsCompressedInFragmentsWithRsv1OnTheFirstOnly() throws Exception {
        StringBuilder sent = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            sent.append(i).append(' ');
        }
        try (HttpServer s = Servers.builder().get("/stream", WebSocket.endpoint(
                WebSocketOptions.defaults().withFragmentBytes(1024), session -> {
                    for (int round = 0; round < 2; round++) {
                        try (java.io.Writer w = session.sendTextStream()) {
                            for (int i = 0; i < sent.length(); i += 1000) {
                                w.write(sent.toString(), i, Math.min(1000, sent.length() - i));
                            }
                        }
                    }
                    session.receive();
                })).start();
             WsRaw c = WsRaw.open(s.port(), "/stream", "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            Inflater inf = new Inflater(true);
            for (int round = 0; round < 2; round++) {
                ByteArrayOutputStream z = new ByteArrayOutputStream();
                int frames = 0;
                WsRaw.Frame f;
                do {
                    f = c.read();
                    assertEquals(frames == 0, f.rsv1(), "RSV1 on the first frame only (RFC 7692 §6.1)");
                    assertEquals(frames == 0 ? 1 : 0, f.opcode());
                    z.writeBytes(f.payload());
                    frames++;
                } while (!f.fin());
                assertTrue(frames > 2, frames + " fragments");
                assertEquals(sent.toString(), new String(inflate(inf, z.toByteArray()), StandardCharsets.UTF_8),
                        "round " + round + ": the fragments inflate (with the context of the message before)");
            }
        }
    }
}
