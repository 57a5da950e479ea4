package dev.weft.opentelemetry;

import dev.weft.http.Filter;
import dev.weft.http.HttpException;
import dev.weft.http.Request;
import dev.weft.http.Response;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link Filter} that traces every request as a {@link SpanKind#SERVER} span, following the
 * OpenTelemetry semantic conventions for HTTP servers:
 *
 * <ul>
 *   <li>the parent is extracted from the request headers with the {@code OpenTelemetry}
 *       instance's propagators (W3C {@code traceparent} and {@code tracestate} with the usual
 *       configuration), so a client's trace is continued;</li>
 *   <li>the span is named {@code "{method} {route}"} ({@code GET /users/{id}}), only
 *       {@code "{method}"} when no route matched (no raw path in a span name: one name per
 *       route);</li>
 *   <li>attributes {@code http.request.method} ({@code _OTHER} with
 *       {@code http.request.method_original} for a non-standard one), {@code url.path},
 *       {@code url.scheme}, {@code http.route}, {@code http.response.status_code},
 *       {@code server.address} and {@code server.port} (from the request's host),
 *       {@code client.address}, {@code client.port}, {@code network.protocol.version},
 *       {@code user_agent.original}, and {@code error.type} for a 5xx (the failure's class
 *       name, or the status code) or a reset response (the failure's class name);</li>
 *   <li>status {@link StatusCode#ERROR} for a 5xx or a reset response (4xx are the client's
 *       errors, not the server's: unset, as the conventions say);</li>
 *   <li>the span is {@linkplain Span#current() current} while the rest of the filters and the
 *       handler run, on the request's virtual thread: a handler's own spans and outgoing calls
 *       are its children.</li>
 * </ul>
 *
 * <pre>{@code
 * OpenTelemetry otel = ...; // the SDK, or GlobalOpenTelemetry.get()
 * HttpServer server = HttpServer.builder()
 *         .filter(new HttpServerTracing(otel))
 *         .get("/users/{id}", handler)
 *         .start();
 * }</pre>
 *
 * <p>Add it first, so its span covers the other filters. The span ends when the exchange is
 * over ({@link Response#onComplete}): the server finished the message (a {@code send(...)} body
 * written) or reset the connection, also for a failure while the server ends the message (the
 * client left while the last bytes went out).
 */
public final class HttpServerTracing implements Filter {

    /** The instrumentation scope's name. */
    public static final String INSTRUMENTATION_NAME = "dev.weft.opentelemetry";

    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> METHOD_ORIGINAL = AttributeKey.stringKey("http.request.method_original");
    private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    private static final AttributeKey<Long> CLIENT_PORT = AttributeKey.longKey("client.port");
    private static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
    private static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    /** The methods the conventions name; any other is {@code _OTHER}. */
    private static final Set<String> KNOWN_METHODS = Set.of("CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH",
            "POST", "PUT", "TRACE");

    /** Reads propagation headers from a request: names case-insensitive, as HTTP's. */
    private static final TextMapGetter<Request> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Request carrier) {
            return carrier.headers().names();
        }

        @Override
        public String get(Request carrier, String key) {
            return carrier == null ? null : carrier.header(key);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    /** Traces with {@code openTelemetry}'s tracer provider and propagators. */
    public HttpServerTracing(OpenTelemetry openTelemetry) {
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        this.tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME);
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    }

    @Override
    public void filter(Request request, Response response, Chain chain) throws Exception {
        Context parent = propagator.extract(Context.current(), request, HEADERS);
        String method = request.method();
        String route = request.routeTemplate();
        boolean known = KNOWN_METHODS.contains(method);
        String name = (known ? method : "HTTP") + (route != null ? " " + route : "");
        SpanBuilder builder = tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute(METHOD, known ? method : "_OTHER")
                .setAttribute(URL_PATH, request.rawPath())
                .setAttribute(URL_SCHEME, request.isSecure() ? "https" : "http")
                .setAttribute(PROTOCOL_VERSION, request.version().substring("HTTP/".length()));
        if (!known) {
            builder.setAttribute(METHOD_ORIGINAL, method);
        }
        if (route != null) {
            builder.setAttribute(ROUTE, route);
        }
        serverAddress(builder, request);
        InetSocketAddress client = request.remoteAddress();
        if (client != null && client.getAddress() != null) {
            builder.setAttribute(CLIENT_ADDRESS, client.getAddress().getHostAddress())
                    .setAttribute(CLIENT_PORT, (long) client.getPort());
        }
        String userAgent = request.header("User-Agent");
        if (userAgent != null) {
            builder.setAttribute(USER_AGENT, userAgent);
        }
        Span span = builder.startSpan();
        boolean onComplete;
        try {
            // Ended when the exchange is over, so the span also covers the writing of the body and
            // sees a failure while the server ends the message.
            response.onComplete(failure -> end(span, response, failure));
            onComplete = true;
        } catch (UnsupportedOperationException e) {
            onComplete = false; // a Response implementation without it: end on the way out
        }
        Throwable reset = null;
        try (Scope ignored = parent.with(span).makeCurrent()) {
            chain.next();
        } catch (Throwable e) {
            // Only a failure the server can no longer answer leaves chain.next(): the connection is reset.
            reset = e;
            throw e;
        } finally {
            if (!onComplete) {
                end(span, response, reset);
            }
        }
    }

    /** Status and error attributes, then the end; {@code reset} is what reset the connection, or null. */
    private static void end(Span span, Response response, Throwable reset) {
        if (reset != null) {
            if (response.isCommitted()) {
                span.setAttribute(STATUS, (long) response.status());
            }
            span.setAttribute(ERROR_TYPE, reset.getClass().getName());
            span.setStatus(StatusCode.ERROR, "connection reset: " + reset.getClass().getSimpleName());
            span.recordException(reset);
            span.end();
            return;
        }
        int status = response.status();
        span.setAttribute(STATUS, (long) status);
        if (status >= 500) {
            Throwable failure = response.failure();
            boolean thrown = failure != null && !(failure instanceof HttpException);
            span.setAttribute(ERROR_TYPE, thrown ? failure.getClass().getName() : Integer.toString(status));
            span.setStatus(StatusCode.ERROR);
            if (thrown) {
                span.recordException(failure);
            }
        }
        span.end();
    }

    /** {@code server.address}/{@code server.port} from the host the request is for (RFC 9110 §7.2). */
    private static void serverAddress(SpanBuilder builder, Request request) {
        String host = request.host();
        if (host == null || host.isEmpty()) {
            return;
        }
        String address = host;
        long port = -1;
        int colon = host.lastIndexOf(':');
        int bracket = host.lastIndexOf(']');
        if (colon > bracket && colon > 0) {
            address = host.substring(0, colon);
            try {
                port = Long.parseLong(host.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1; // the parser checked the Host; a bad port here is only not reported
            }
        }
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        builder.setAttribute(SERVER_ADDRESS, address);
        if (port < 0) {
            port = request.isSecure() ? 443 : 80;
        }
        builder.setAttribute(SERVER_PORT, port);
    }
}
