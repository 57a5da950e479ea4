package dev.weft.websocket;

import dev.weft.http.Handler;
import dev.weft.websocket.internal.Handshake;
import java.util.Objects;

/**
 * Routes to WebSocket endpoints: {@code .get("/chat", WebSocket.endpoint(session -> ...))}.
 *
 * <p>The handler checks the opening handshake (RFC 6455 §4.2.1) and answers a bad one as an
 * ordinary HTTP error: 400 when it is not a valid upgrade to {@code websocket} (not GET, not
 * HTTP/1.1, {@code Upgrade} or {@code Connection} lacking the token, a key that is not 16 bytes
 * of base64), 426 with {@code Sec-WebSocket-Version: 13} for another version, 403 when the
 * Origin check refuses. Otherwise it answers 101, negotiating the subprotocol and
 * permessage-deflate, and runs the endpoint.
 *
 * <p>Two ways to serve a session: {@link #endpoint} runs blocking code on a thread of its own,
 * {@link #listener} calls back per message and holds no thread while the session is idle.
 */
public final class WebSocket {

    private WebSocket() {
    }

    /** An endpoint with {@link WebSocketOptions#defaults()}. */
    public static Handler endpoint(WebSocketEndpoint endpoint) {
        return endpoint(WebSocketOptions.defaults(), endpoint);
    }

    /** An endpoint with the given options. */
    public static Handler endpoint(WebSocketOptions options, WebSocketEndpoint endpoint) {
        return new Handshake(Objects.requireNonNull(options, "options"), Objects.requireNonNull(endpoint, "endpoint"),
                null);
    }

    /**
     * Sessions served by callbacks, with {@link WebSocketOptions#defaults()}: no thread is held
     * between messages, so idle sessions can hibernate (see {@link WebSocketListener}).
     */
    public static Handler listener(WebSocketListener listener) {
        return listener(WebSocketOptions.defaults(), listener);
    }

    /** Sessions served by callbacks, with the given options. */
    public static Handler listener(WebSocketOptions options, WebSocketListener listener) {
        return new Handshake(Objects.requireNonNull(options, "options"), null,
                Objects.requireNonNull(listener, "listener"));
    }
}
