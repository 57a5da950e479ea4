package dev.weft.websocket;

/**
 * A WebSocket session served by callbacks instead of a blocking loop: Weft reads the frames and
 * calls {@link #onMessage} with each whole message. Between messages the session holds no thread
 * of its own, so with the server's {@code hibernateIdleAfter} an idle session gives up its
 * connection's thread too, and costs only its objects (see docs/hibernation.md). Use it where
 * many sessions sit idle (chat, notifications); use {@link WebSocketEndpoint} for straight-line
 * code that blocks between receives.
 *
 * <p>Threads: the callbacks of one session run one at a time, in order, on the connection's
 * virtual thread (after a hibernation, a fresh one); they may block, and while one runs no
 * further message of that session is read. Sends ({@link WebSocketSession#send}, pings,
 * {@link WebSocketSession#close}) may come from any thread at any time, including while the
 * session is hibernated: a send wakes its connection first. {@link WebSocketSession#receive()}
 * and {@link WebSocketSession#receiveStream()} are not for listener sessions (they throw
 * {@link IllegalStateException}): the messages go to {@link #onMessage}.
 *
 * <p>Errors: a callback that throws ends the session with 1011 (logged); a message over
 * {@link WebSocketOptions#maxMessageBytes()} ends it with 1009, as for {@code receive()}.
 */
public interface WebSocketListener {

    /**
     * The session is open (after the 101), before its first message is read. The default does nothing.
     *
     * @param session the session; valid until {@link #onClose}
     * @throws Exception anything: the session is closed with 1011
     */
    default void onOpen(WebSocketSession session) throws Exception {
    }

    /**
     * One whole message from the client.
     *
     * @param session the session the message came on
     * @param message the message, at most {@code maxMessageBytes} long
     * @throws Exception anything: the session is closed with 1011
     */
    void onMessage(WebSocketSession session, Message message) throws Exception;

    /**
     * The session ended, however it ended: {@code status} is what
     * {@link WebSocketSession#closeStatus()} says. Called once, after the last
     * {@link #onMessage}, on the connection's thread or on a thread of Weft's when the
     * connection was closed while it had none (shutdown's force, the server's idle timeout).
     * The default does nothing; an exception from it is logged.
     *
     * @param session the session
     * @param status  how it ended
     */
    default void onClose(WebSocketSession session, CloseStatus status) {
    }
}
