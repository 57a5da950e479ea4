package dev.weft.http;

import dev.weft.core.TlsInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    /**
     * The path template of the route that serves this request, exactly as registered
     * ({@code /users/{id}}, {@code /static/*}), or {@code null} when no route's handler matched
     * (the server's own 404, 405, 501 and OPTIONS answers). Set before the filters run. The
     * name to group requests by in metrics and traces: unlike {@link #path()}, there are only
     * as many values as routes. The default returns {@code null}, for implementations that do
     * not route.
     */
    default String routeTemplate() {
        return null;
    }

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

    /**
     * True when the request came over TLS ({@code https}). The default says so when
     * {@link #tls()} is present.
     */
    default boolean isSecure() {
        return tls().isPresent();
    }

    /**
     * The connection's TLS: version, cipher suite, the protocol ALPN chose, the client's
     * certificate chain (with {@code Tls.clientAuth} WANT or NEED), the SNI host name; empty on
     * plain HTTP. The default, for implementations without TLS, is empty.
     */
    default Optional<TlsInfo> tls() {
        return Optional.empty();
    }

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
     * A broken body is never answered as a success. Always the same stream. Its
     * {@code transferTo(out)} passes the body on from the connection's buffer, without an array
     * of its own (an echo, a proxy, a body into a file); what {@code out} throws is not the
     * body's failure, and the bytes of the write it threw on can still be read.
     */
    InputStream body();

    /**
     * Sets the body limit for this request (as Go's {@code MaxBytesReader}): a longer body fails
     * as in {@link #body()}, with 413. Lower than the server's {@code maxBodyBytes} for a route
     * that takes little; higher, up to the server's {@code maxUploadBytes} (a larger value is
     * capped there), for an upload route. The last call before reading wins. Call it before
     * reading, e.g. in a route's handler or a filter.
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

    /**
     * The body as an {@code application/x-www-form-urlencoded} form, read whole (at most the
     * server's {@code maxFormBytes}, 64 KiB by default, and never more than the body limit) and
     * parsed strictly: a bad {@code %}-escape or bytes that are not UTF-8 are 400, a longer body
     * 413, failures that stick like the body's (see {@link #body()}). The server's implementation
     * reads the body once: later calls return the same form. This default (for other
     * implementations) parses with the default limit on every call, without the sticky failure;
     * see {@link Form#read}.
     *
     * @throws HttpException 415 when the Content-Type is not {@value Form#MEDIA_TYPE} (not
     *     sticky: the body is untouched, and the handler may try another format)
     * @throws IOException for a malformed or too long body
     */
    default Form form() throws IOException {
        return Form.read(body(), header("Content-Type"), Form.DEFAULT_MAX_BYTES, null);
    }

    /**
     * The body as {@code multipart/form-data} parts (RFC 7578), streamed: see {@link Multipart}
     * for the loop and the limits (the server's {@code maxMultipartParts}, {@code maxPartBytes},
     * {@code maxPartHeaderBytes}, {@code maxPartHeaderCount}; the whole body stays bounded by the
     * body limit, which an upload route raises with {@link #limitBody(long)}). A malformed body
     * is 400, a broken limit 413, and the failure sticks like the body's. The server's
     * implementation returns the same {@code Multipart} on later calls; this default (for other
     * implementations) uses {@link Multipart.Limits#DEFAULTS}, without the sticky failure.
     *
     * @throws HttpException 415 when the Content-Type is not {@value Multipart#MEDIA_TYPE} (not sticky)
     * @throws IOException when its boundary parameter is missing or invalid (400, sticky)
     */
    default Multipart multipart() throws IOException {
        return Multipart.read(body(), header("Content-Type"), Multipart.Limits.DEFAULTS, null);
    }

    /**
     * The value of cookie {@code name} from the {@code Cookie} header(s), or {@code null}; see
     * {@link #cookies()}.
     */
    default String cookie(String name) {
        return cookies().get(name);
    }

    /**
     * The request's cookies, name to value, in the order sent (RFC 6265 §5.4). Parsed leniently
     * but safely: whitespace around pairs is dropped and one pair of quotes around a value
     * removed; a pair without {@code =}, with a name that is not a token, or with a control
     * byte, quote or backslash in its value is skipped. For a name sent twice the first wins.
     * Unmodifiable.
     */
    default Map<String, String> cookies() {
        return dev.weft.http.internal.CookieHeader.parse(headers().all("Cookie"));
    }
}
