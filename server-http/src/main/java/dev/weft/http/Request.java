package dev.weft.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request as the handler sees it. The head has been parsed and checked; the body is
 * read on demand from the connection.
 */
public interface Request {

    /** The method, case-sensitive as sent: {@code GET}, {@code POST}, … */
    String method();

    /** The request target exactly as sent: {@code /a%20b?x=1}, or an absolute URI, or {@code *}. */
    String target();

    /** The path of the target, percent-decoded as UTF-8: {@code /a b}. */
    String path();

    /** The path of the target as sent, still percent-encoded. */
    String rawPath();

    /** The query after {@code ?} as sent, or {@code null} when there is none. */
    String rawQuery();

    /** The first value of query parameter {@code name} ({@code +} and {@code %XX} decoded), or {@code null}. */
    String queryParam(String name);

    /** Every value of query parameter {@code name}, in order; empty when absent. */
    List<String> queryParams(String name);

    /** All query parameters, each with its values in order; insertion-ordered, unmodifiable. */
    Map<String, List<String>> queryParams();

    /** The value of path template segment {@code {name}} (decoded), the rest of the path for {@code *}, or {@code null}. */
    String pathParam(String name);

    /** {@code HTTP/1.1} or {@code HTTP/1.0}; {@code HTTP/2.0} when a protocol such as HTTP/2 serves the request. */
    String version();

    /** The header fields, names case-insensitive. */
    Headers headers();

    /** The first value of header {@code name} (case-insensitive), or {@code null}. */
    String header(String name);

    /**
     * The host the request is for, with its port if one was sent: the authority of an
     * absolute-form target ({@code GET http://example.com/x}), which RFC 9112 §3.2.2 says wins
     * over the Host header, else the Host header; {@code null} for an HTTP/1.0 request without
     * either. Prefer it to {@code header("Host")} for virtual hosting and redirects.
     */
    String host();

    /** The length announced by Content-Length, or -1 (chunked or no body). */
    long contentLength();

    /** The peer's address. */
    InetSocketAddress remoteAddress();

    /** The id of the connection, as in the thread name {@code weft-conn-<id>} and in log lines. */
    long connectionId();

    /**
     * True once the server has begun a graceful shutdown: the readiness hook. A health route
     * answers 503 while it is true; this response will carry {@code Connection: close}.
     */
    boolean serverDraining();

    /**
     * The body as a stream, never buffered whole. Reading it first sends {@code 100 Continue} if
     * the client asked for it. A body past its limit ({@code maxBodyBytes}, or
     * {@link #limitBody(long)}), with broken framing, or not received within
     * {@code bodyTimeout}, fails with an {@link IOException} saying which rule was broken, and
     * the failure sticks: whatever the handler does with it, the client gets 413, 400 or 408
     * (or, if the response had already begun, a reset connection) and the connection closes.
     * A broken body is never answered as a success. Always the same stream.
     */
    InputStream body();

    /**
     * Lowers the body limit for this request below the server's {@code maxBodyBytes} (as Go's
     * {@code MaxBytesReader}): a longer body fails as in {@link #body()}, with 413. Call it
     * before reading, e.g. in a route's handler or a filter.
     *
     * @return this request
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     * @throws IllegalStateException if reading the body has begun
     */
    Request limitBody(long maxBytes);

    /** The whole body, at most {@code maxBodyBytes} (see {@link #body()} for what fails how). */
    byte[] bodyBytes() throws IOException;

    /** The whole body decoded as UTF-8; see {@link #bodyBytes()}. */
    String bodyString() throws IOException;

    /** Trailer fields of a chunked body; empty until the body has been read to its end. */
    Headers trailers();
}
