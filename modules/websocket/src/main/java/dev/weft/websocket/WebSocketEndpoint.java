package dev.weft.websocket;

/**
 * The code that serves one WebSocket session, from the handshake to the close. It runs on a
 * virtual thread of its own (named {@code weft-ws-<connection id>}), so it blocks freely.
 *
 * <p>When it returns, the session is closed with 1000 (normal) unless a close was already sent;
 * when it throws, with 1011 (internal error), and the exception is logged. Either way the close
 * handshake is then completed (bounded by {@link WebSocketOptions#closeTimeout()}) and the
 * connection closed.
 */
@FunctionalInterface
public interface WebSocketEndpoint {
    /**
     * Serves the session until done.
     *
     * @param session the open session; valid until this method returns (sends from other
     *     threads after that fail with an {@link java.io.IOException})
     * @throws Exception anything: it ends this session only
     */
    void serve(WebSocketSession session) throws Exception;
}
