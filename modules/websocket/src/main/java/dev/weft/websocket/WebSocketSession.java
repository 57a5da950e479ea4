package dev.weft.websocket;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One open WebSocket connection.
 *
 * <p><b>Receiving</b> is blocking and for one thread at a time (normally the endpoint's):
 * {@link #receive()} returns the next whole message, {@link #receiveStream()} the next one as a
 * stream. Both answer pings and complete the close handshake on the way; both return
 * {@code null} once the session is closed, however it closed, and {@link #closeStatus()} then
 * says how. Keep receiving: a session nobody reads from answers no pings and never sees the
 * client's close.
 *
 * <p><b>Sending</b> is safe from any thread: messages go out whole, one after another; a ping,
 * pong or close may go out between the frames of a streamed message. A send blocks until its
 * bytes are with the kernel: that is the backpressure (a peer that stops reading blocks its
 * senders, up to the server's {@code writeTimeout}, after which the connection is closed).
 * Sending on a closed session throws an {@link IOException}.
 */
public interface WebSocketSession {

    /**
     * Blocks for the next whole data message, at most {@link WebSocketOptions#maxMessageBytes()}
     * (larger ones close the session with 1009: use {@link #receiveStream()} for them).
     *
     * @return the message, or {@code null} once the session is closed
     */
    Message receive();

    /**
     * Blocks for the start of the next data message and returns it as a stream; its frames are
     * read as the stream is. Only the frame limit applies, not the message limit.
     *
     * @return the message, or {@code null} once the session is closed
     */
    IncomingMessage receiveStream();

    /** Sends a text message. */
    void send(String text) throws IOException;

    /** Sends a binary message. */
    void send(byte[] bytes) throws IOException;

    /**
     * Starts a binary message sent in fragments of {@link WebSocketOptions#fragmentBytes()} as it
     * is written; {@code close()} sends the last one. Until then other messages wait (pings,
     * pongs and closes do not): use it in try-with-resources, on one thread.
     */
    OutputStream sendStream() throws IOException;

    /** Starts a text message sent in fragments as it is written; see {@link #sendStream()}. */
    Writer sendTextStream() throws IOException;

    /** Sends a ping with up to 125 bytes of application data; the client answers with a pong. */
    void ping(byte[] data) throws IOException;

    /**
     * Closes the session: sends a close frame with {@code code} and {@code reason}, then waits up to
     * {@link WebSocketOptions#closeTimeout()} for the client's close (reading, and dropping,
     * whatever data comes first), then closes the connection. Returns at once if a close was
     * already sent.
     *
     * @param code   1000–1003, 1007–1014 or 3000–4999 (RFC 6455 §7.4: 1005, 1006 and 1015 are never sent)
     * @param reason up to 123 bytes of UTF-8, may be empty
     * @throws IllegalArgumentException for a code that may not be sent or a reason too long
     */
    void close(int code, String reason);

    /** Closes with 1000 (normal) and no reason. */
    default void close() {
        close(CloseStatus.NORMAL, "");
    }

    /** True until the session is closed (a close sent or received, or the connection lost). */
    boolean isOpen();

    /**
     * How the session ended: the client's close code when it closed first (1005 for none), the
     * code Weft sent when it failed the connection or was closed first, 1006 when the connection
     * ended without a close; {@code null} while open.
     */
    CloseStatus closeStatus();

    /** The subprotocol agreed in the handshake, or {@code null} when none was. */
    String subprotocol();

    /** True when permessage-deflate was negotiated. */
    boolean compressed();

    /** The client's address. */
    InetSocketAddress remoteAddress();

    /** The handshake request's path, percent-decoded. */
    String path();

    /** The handshake request's query string as sent, or {@code null}. */
    String rawQuery();

    /** The first value of query parameter {@code name}, decoded, or {@code null}. */
    String queryParam(String name);

    /** Every query parameter of the handshake request, decoded, each with its values in order. */
    Map<String, List<String>> queryParams();

    /** The first value of handshake request header {@code name} (case-insensitive), or {@code null}. */
    String header(String name);

    /** Every handshake request header: lower-case names in arrival order, each with its values. */
    Map<String, List<String>> headers();

    /** The id of the underlying connection, as in log lines and the thread name. */
    long connectionId();
}
