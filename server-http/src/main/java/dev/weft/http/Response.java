package dev.weft.http;

import java.io.OutputStream;

/**
 * The response to one request. Set the status and headers, then either {@code send(...)} a
 * whole body (sent with Content-Length, head and body in one write) or write to
 * {@link #outputStream()} (chunked when no {@link #contentLength(long)} was set). To a
 * {@code HEAD} request the same headers go out, the body does not. {@code Date} is always
 * sent; {@code Content-Length}, {@code Transfer-Encoding} and {@code Connection} are managed here.
 */
public interface Response {

    /** Sets the status, 200 by default; a final status, 200–599 (1xx are interim, sent by the server). */
    Response status(int status);

    int status();

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

    /** Shorthand for {@code header("Content-Type", type)}. */
    Response contentType(String type);

    /** Announces the body length for {@link #outputStream()}: then exactly that many bytes must be written. */
    Response contentLength(long length);

    /** Sends {@code body} as UTF-8; Content-Type {@code text/plain; charset=utf-8} unless one was set. */
    void send(String body);

    /** Sends {@code body}; Content-Type {@code application/octet-stream} unless one was set. */
    void send(byte[] body);

    /** Sends the status and headers with an empty body. */
    void send();

    /**
     * A stream for the body. The head goes out with the first write, flush or close; the body
     * is chunked unless a length was set (HTTP/1.0: ended by closing the connection). Closing
     * it ends the response; the server also ends it if the handler does not.
     */
    OutputStream outputStream();

    /** True once the status line and headers were handed to the connection. */
    boolean isCommitted();
}
