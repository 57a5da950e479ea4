package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.weft.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The opening handshake (RFC 6455 §4.2): what is accepted, what each refusal answers. */
class HandshakeTest {

    static HttpServer server;
    static final LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() {
        WebSocketOptions o = WebSocketOptions.defaults().withSubprotocols("chat.v2", "chat.v1")
                .withOriginCheck(origin -> origin == null || origin.equals("https://good.example"));
        server = Servers.builder().get("/ws", WebSocket.endpoint(o, s -> {
            seen.add(s.path() + "|" + s.queryParam("room") + "|" + s.header("X-Test") + "|" + s.subprotocol()
                    + "|" + s.remoteAddress().getAddress().getHostAddress());
            Servers.echo(s);
        })).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static final String OK = "Host: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n";
    static final String KEY = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("no Upgrade", "GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" + KEY, 400),
                Arguments.of("Upgrade: h2c", "GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" + KEY, 400),
                Arguments.of("no Connection: upgrade", "GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Version: 13\r\n" + KEY, 400),
                Arguments.of("HTTP/1.0", "GET /ws HTTP/1.0\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" + KEY, 400),
                Arguments.of("version 8", "GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n" + KEY, 426),
                Arguments.of("no version", "GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + KEY, 426),
                Arguments.of("no key", "GET /ws HTTP/1.1\r\n" + OK, 400),
                Arguments.of("key of 15 bytes", "GET /ws HTTP/1.1\r\n" + OK + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\n", 400),
                Arguments.of("key not base64", "GET /ws HTTP/1.1\r\n" + OK + "Sec-WebSocket-Key: ***hello-world-of-ws***\r\n", 400),
                Arguments.of("two keys", "GET /ws HTTP/1.1\r\n" + OK + KEY + KEY, 400),
                Arguments.of("origin refused", "GET /ws HTTP/1.1\r\n" + OK + KEY + "Origin: https://evil.example\r\n", 403),
                Arguments.of("POST", "POST /ws HTTP/1.1\r\n" + OK + KEY + "Content-Length: 0\r\n", 405));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("refusals")
    void aRefusedHandshakeIsAnOrdinaryHttpError(String name, String head, int status) throws Exception {
        try (WsRaw c = new WsRaw(server.port())) {
            c.send((head + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            c.readHead();
            assertEquals(status, c.status, name);
            if (status == 426) {
                assertEquals("13", c.header("Sec-WebSocket-Version"), "§4.4: the version we speak");
            }
            assertNull(c.header("Sec-WebSocket-Accept"));
        }
    }

    @Test
    void acceptsAndAnswersWithTheAcceptKeyTheServersPreferredProtocolAndTheRequestCopied() throws Exception {
        try (WsRaw c = new WsRaw(server.port())) {
            c.send(("GET /ws?room=blue HTTP/1.1\r\nHost: t\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\n" + KEY + "Origin: https://good.example\r\nX-Test: 42\r\n"
                    + "Sec-WebSocket-Protocol: chat.v1, other\r\nSec-WebSocket-Protocol: chat.v2\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            c.readHead();
            assertEquals(101, c.status);
            // The example of RFC 6455 §1.3.
            assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", c.header("Sec-WebSocket-Accept"));
            assertEquals("websocket", c.header("Upgrade"));
            assertEquals("chat.v2", c.header("Sec-WebSocket-Protocol"), "the server's preference wins");
            assertEquals("/ws|blue|42|chat.v2|127.0.0.1", seen.poll(5, TimeUnit.SECONDS));
            c.send(WsRaw.frame(0x81, "ok"));
            assertEquals("ok", c.read().text());
        }
    }

    @Test
    void noCommonSubprotocolMeansNoProtocolHeader() throws Exception {
        try (WsRaw c = WsRaw.open(server.port(), "/ws", "Sec-WebSocket-Protocol: mqtt\r\n")) {
            assertNull(c.header("Sec-WebSocket-Protocol"));
            assertEquals("/ws|null|null|null|127.0.0.1", seen.poll(5, TimeUnit.SECONDS));
        }
    }
}
