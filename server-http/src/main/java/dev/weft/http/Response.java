package dev.weft.http;

import dev.weft.core.ConnectionHandler;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The response to one request. Set the status and headers, then either {@code send(...)} a
 * whole body (sent with Content-Length, head and body in one write) or write to
 * {@link #outputStream()} (chunked when no {@link #contentLength(long)} was set). To a
 * {@code HEAD} request the same headers go out, the body does not. {@code Date} is always
 * sent; {@code Content-Length}, {@code Transfer-Encoding} and {@code Connection} are managed here.
 *
 * <p><b>The server finishes the message</b>, once the handler and every filter returned
 * normally: {@code send(...)} records the body, which goes out then; a streamed body is held
 * until 8 KiB collect or the handler flushes, and its end (the last chunk, the check of a
 * declared length) is written then. Until the response is {@linkplain #isCommitted()
 * committed}, a failure (an exception from the handler or a filter, a request body that broke
 * its rules) replaces it with the error answer; after that, the connection is reset, so the
 * client never takes a failed response for a complete one. A filter can still set the status
 * and headers after {@code chain.next()} returned, unless the handler streamed past the buffer
 * or flushed: for headers that must reach every response, use {@link #beforeCommit(Runnable)}.
 */
public interface Response {

    /** Sets the status, 200 by default; a final status, 200–599 (1xx are interim, sent by the server). */
    Response status(int status);

    /** The status set so far (200 by default); after {@code chain.next()} returned, the final one, error answers included. */
    int status();

    /**
     * The failure this response answers: what a handler (or a later filter) threw, or the
     * request body's broken rule, once the server turned the response into its error answer;
     * {@code null} while the response is not an error answer. A filter reads it after
     * {@code chain.next()} returned, as the exception to tag a metric or a span with. A failure
     * after the response began is not answered: it propagates out of {@code chain.next()} and
     * the connection is reset. The default returns {@code null}.
     */
    default Throwable failure() {
        return null;
    }

    /**
     * Sets a header, replacing any value of that name. Names must be tokens and values must
     * not hold CR, LF or other control bytes (no response splitting).
     *
     * @throws IllegalArgumentException for a bad name or value, or for {@code Transfer-Encoding}
     * @throws IllegalStateException once the head was sent
     */
    Response header(String name, String value);

    /** Adds a header line, keeping earlier ones of the same name. Same checks as {@link #header}. */
    Response addHeader(String name, String value);

    /**
     * Adds a {@code Set-Cookie} line for {@code cookie} (checked when it was built: see
     * {@link Cookie}). Each cookie is its own line, never folded with others (RFC 6265 §3); an
     * error answer replaces the headers, cookies included.
     *
     * @return this response
     * @throws IllegalStateException once the head was sent
     */
    default Response cookie(Cookie cookie) {
        return addHeader("Set-Cookie", cookie.headerValue());
    }

    /** Shorthand for {@code header("Content-Type", type)}. */
    Response contentType(String type);

    /**
     * Announces the body length: then exactly that many bytes must be written to
     * {@link #outputStream()} or given to {@code send(byte[])}; a mismatch is an
     * {@link IllegalStateException} (or, once bytes went out, a reset connection), never a
     * silently rewritten length. To HEAD, and in a 304, an empty {@link #send()} announces the
     * length without a body (RFC 9110 §9.3.2, §8.6).
     *
     * @throws IllegalStateException once a body was sent or the stream taken
     */
    Response contentLength(long length);

    /**
     * Sends {@code body} as UTF-8; Content-Type {@code text/plain; charset=utf-8} unless one was
     * set. Written when the handler returns (see above).
     *
     * @throws IllegalStateException if a body was already sent or the stream taken
     */
    void send(String body);

    /** Sends {@code body}; Content-Type {@code application/octet-stream} unless one was set. */
    void send(byte[] body);

    /** Sends the status and headers with an empty body (or only the declared length: see {@link #contentLength(long)}). */
    void send();

    /**
     * Sends {@code length} bytes of {@code file} from {@code position} as the body, with that
     * Content-Length; Content-Type {@code application/octet-stream} unless one was set. The
     * response takes the channel over: it is closed when the response is done, sent or failed
     * (also if this method throws). Like {@code send(...)} the body is only recorded here and
     * written once the handler and every filter returned normally; on plain TCP it goes from
     * the file to the socket without passing through the heap (sendfile), over TLS through the
     * connection's buffer. A file that turns out shorter than {@code length}, or fails to read,
     * once bytes went out resets the connection: never a complete-looking response. To HEAD
     * only the length is announced. For whole directories, see {@link StaticFiles}.
     *
     * <p>This default streams the bytes through {@link #outputStream()} at once; the HTTP/1.1
     * server overrides it with the deferred, zero-copy write.
     *
     * @throws IllegalArgumentException if {@code position} or {@code length} is negative
     * @throws IllegalStateException if a body was already sent or the stream taken, or a
     *     different {@link #contentLength(long)} was declared
     * @throws IOException if the file cannot be read (only this default, which copies at once)
     */
    default void sendFile(java.nio.channels.FileChannel file, long position, long length) throws IOException {
        try (file) {
            if (position < 0 || length < 0) {
                throw new IllegalArgumentException("sendFile: position = " + position + ", length = " + length
                        + ": must not be negative");
            }
            contentLength(length);
            OutputStream out = outputStream();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(16384, Math.max(1, length)));
            long done = 0;
            while (done < length) {
                buf.clear().limit((int) Math.min(buf.capacity(), length - done));
                int n = file.read(buf, position + done);
                if (n < 0) {
                    throw new IOException("file ended after " + done + " of " + length + " bytes");
                }
                out.write(buf.array(), 0, n);
                done += n;
            }
        }
    }

    /**
     * A stream for the body, chunked unless a length was set (HTTP/1.0: ended by closing the
     * connection, or with a Content-Length when the whole body fit the buffer). Writes are held
     * until 8 KiB collect; {@code flush()} sends the head and what was written (a handler that
     * streams full-duplex, reading the request body while it answers, flushes). Closing it ends
     * the handler's writing, not the message: the server ends it when the handler returns.
     */
    OutputStream outputStream();

    /**
     * True once the status line and headers were handed to the connection: from then on they
     * cannot change, and a failure can only reset the connection.
     */
    boolean isCommitted();

    /**
     * Runs {@code action} just before the head goes out (at the first flush of a stream, or
     * when the handler returned), also when the response became an error answer: the place for
     * a filter to add headers every response needs (a request id, CORS). Actions run once, in
     * the order added; one that throws fails the request as a handler's exception would.
     *
     * @return this response
     * @throws IllegalStateException once committed
     */
    Response beforeCommit(Runnable action);

    /**
     * Runs {@code action} once this exchange is over: after the server finished the message (its
     * last bytes handed to the connection, after the handler and every filter returned), or
     * after it reset the connection (HTTP/2: the stream) because a failure came once the response
     * had begun (or the client was gone, or reset the stream). The action gets {@code null} for a finished message, error answers
     * included ({@link #status()} and {@link #failure()} say which), or the failure the
     * connection was reset for. The place for a filter to record what really happened to the
     * response: unlike code after {@code chain.next()}, it also sees the writing of a
     * {@code send(...)} body and a failure while the server ended the message. For a
     * {@link #switchProtocols switch}, it runs once the 101 went out, before the other protocol
     * takes over. Actions run on the request's thread, in the order added; one that throws is
     * logged and the others still run.
     *
     * <p>The default throws {@link UnsupportedOperationException}, for implementations that
     * cannot tell: a filter then records when {@code chain.next()} returns.
     *
     * @return this response
     * @throws IllegalStateException once the exchange is over
     */
    default Response onComplete(java.util.function.Consumer<Throwable> action) {
        throw new UnsupportedOperationException("onComplete is not supported by " + getClass().getName());
    }

    /**
     * Switches this connection to another protocol (RFC 9110 §7.8), for a request that asked
     * for it with {@code Upgrade}: once the handler and filters returned normally, the server
     * sends {@code 101 Switching Protocols} with the headers set on this response plus
     * {@code Connection: Upgrade} and {@code Upgrade: protocol}, then runs {@code takeover} on
     * the same virtual thread with the raw connection: its input still holds whatever the client
     * sent after the request (a WebSocket's first frames). From then on HTTP is out of the way: no
     * keep-alive, no timeouts of its own, and the access-log line is written when {@code takeover}
     * returns; the connection closes then. It stays busy for graceful shutdown, which gives it the
     * grace (see {@code Connection.isDraining()}) and then closes it. The handler validates the
     * request first; this is also the hook to plug in another library's protocol.
     *
     * @param protocol the protocol switched to, a token (e.g. {@code websocket})
     * @param takeover the blocking code that serves the connection from here on
     * @throws IllegalStateException if a body was sent or the stream taken, or the request is
     *     HTTP/1.0 (which cannot switch, §7.8) or still has an unread body
     * @throws IllegalArgumentException if {@code protocol} is not a token
     */
    void switchProtocols(String protocol, ConnectionHandler takeover);

    /**
     * Allows or forbids gzip-encoding this response on the fly (see the server's
     * {@code compression} option); allowed by default.
     *
     * @return this response
     * @throws IllegalStateException once committed
     */
    Response compress(boolean allowed);

    /**
     * Answers with a stream of Server-Sent Events ({@code text/event-stream}, no caching,
     * chunked, each event flushed); the head goes out at once. The same stream on later calls.
     *
     * @throws IllegalStateException if a body was sent or the stream taken
     * @throws java.io.UncheckedIOException if the head cannot be sent (the client is gone)
     */
    EventStream sse();
}
