package dev.weft.micrometer;

import dev.weft.http.Filter;
import dev.weft.http.HttpException;
import dev.weft.http.Request;
import dev.weft.http.Response;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Filter} that times every request into the timer {@code http.server.requests}, with
 * the tags Spring Boot uses, so existing dashboards and alerts work:
 *
 * <ul>
 *   <li>{@code method}: the request method;</li>
 *   <li>{@code uri}: the matched route's path template ({@code /users/{id}}), never the raw path
 *       (one series per route, not per user id); for a request no route served:
 *       {@code NOT_FOUND} (404), {@code REDIRECTION} (3xx) or {@code UNKNOWN};</li>
 *   <li>{@code status}: the final status, error answers included (a filter sees the status
 *       after a handler's failure was mapped); {@code UNKNOWN} when the connection was lost
 *       before any status went out;</li>
 *   <li>{@code outcome}: {@code INFORMATIONAL}, {@code SUCCESS}, {@code REDIRECTION},
 *       {@code CLIENT_ERROR}, {@code SERVER_ERROR}, or {@code UNKNOWN} for a response the
 *       connection was reset under (a failure after it began: the client got a cut response,
 *       whatever status its head said);</li>
 *   <li>{@code exception}: the simple class name of the failure behind a 5xx answer
 *       ({@code HttpException} for one thrown with a 5xx status) or a reset; {@code none}
 *       otherwise (a 4xx is the client's error, whatever exception answered it).</li>
 * </ul>
 *
 * <pre>{@code
 * MeterRegistry registry = ...;
 * HttpServer server = HttpServer.builder()
 *         .filter(new HttpServerMetrics(registry))
 *         .get("/users/{id}", handler)
 *         .start();
 * new ServerStatsMetrics(server::stats).bindTo(registry);
 * }</pre>
 *
 * <p>Add it first, so its time covers the other filters. The time runs from when the filter is
 * entered until the exchange is over ({@link Response#onComplete}): the server finished the
 * message (a {@code send(...)} body written) or reset the connection; a failure while the
 * server ends the message (the client left while the last bytes went out) is recorded as a
 * reset too.
 */
public final class HttpServerMetrics implements Filter {

    /** The timer's name, as Spring Boot's. */
    public static final String METRIC = "http.server.requests";

    private final MeterRegistry registry;

    /** Times requests into {@code registry}. */
    public HttpServerMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void filter(Request request, Response response, Chain chain) throws Exception {
        long start = System.nanoTime();
        boolean onComplete;
        try {
            // Recorded when the exchange is over: that also covers the writing of the body and a
            // failure while the server ends the message, which code after chain.next() cannot see.
            response.onComplete(failure -> record(request, response, failure, System.nanoTime() - start));
            onComplete = true;
        } catch (UnsupportedOperationException e) {
            onComplete = false; // a Request/Response implementation without it: record on the way out
        }
        if (onComplete) {
            chain.next();
            return;
        }
        Throwable reset = null;
        try {
            chain.next();
        } catch (Throwable e) {
            // Only a failure the server can no longer answer leaves chain.next(): the connection is reset.
            reset = e;
            throw e;
        } finally {
            record(request, response, reset, System.nanoTime() - start);
        }
    }

    private void record(Request request, Response response, Throwable reset, long nanos) {
        boolean statusSent = reset == null || response.isCommitted();
        int status = response.status();
        Throwable failure = reset != null ? reset : response.failure();
        String exception = "none";
        // A 4xx is the client's error, even when an exception made it (a body past its limit): not tagged.
        if (failure != null && (reset != null || status >= 500)) {
            exception = failure instanceof HttpException ? "HttpException" : failure.getClass().getSimpleName();
            if (exception.isEmpty()) {
                exception = failure.getClass().getName(); // anonymous classes have no simple name
            }
        }
        Tags tags = Tags.of("method", request.method(),
                "uri", uri(request.routeTemplate(), status),
                "status", statusSent ? Integer.toString(status) : "UNKNOWN",
                "outcome", reset != null ? "UNKNOWN" : outcome(status),
                "exception", exception);
        Timer.builder(METRIC)
                .description("Duration of HTTP server request handling")
                .tags(tags)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** As Spring's {@code WebMvcTags.uri}: the template, or a constant when no route matched. */
    static String uri(String route, int status) {
        if (route != null) {
            return route;
        }
        if (status == 404) {
            return "NOT_FOUND";
        }
        if (status >= 300 && status < 400) {
            return "REDIRECTION";
        }
        return "UNKNOWN";
    }

    /** As Micrometer's {@code Outcome.forStatus}. */
    static String outcome(int status) {
        if (status >= 100 && status < 200) {
            return "INFORMATIONAL";
        }
        if (status >= 200 && status < 300) {
            return "SUCCESS";
        }
        if (status >= 300 && status < 400) {
            return "REDIRECTION";
        }
        if (status >= 400 && status < 500) {
            return "CLIENT_ERROR";
        }
        if (status >= 500 && status < 600) {
            return "SERVER_ERROR";
        }
        return "UNKNOWN";
    }
}
