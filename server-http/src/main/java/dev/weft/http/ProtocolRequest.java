package dev.weft.http;

/**
 * A {@link Request} as another protocol implements it for {@link HttpDispatcher}: the two
 * things the dispatcher must tell it or ask it beyond what a handler sees.
 */
public interface ProtocolRequest extends Request {

    /**
     * Sets the path parameters the router matched, before filters run ({@link #pathParam}
     * answers from them). Called once per request.
     *
     * @param names  the template's parameter names ({@code *} for a rest-of-path segment)
     * @param values their decoded values, in the same order
     */
    void pathParams(String[] names, String[] values);

    /**
     * Sets the template of the route that serves the request (as registered), or {@code null}
     * when no route's handler matched, before filters run; {@link #routeTemplate()} should
     * answer it, so metrics and traces group by route on every protocol. Called once per request.
     * The default ignores it.
     *
     * @param template the matched template, or null
     */
    default void routeTemplate(String template) {
    }

    /**
     * The request body's failure, if it broke a rule (longer than its limit: 413; broken
     * framing: 400; too slow: 408), as the error that answers it; {@code null} while the body is
     * fine. Sticky: whatever the handler made of it, the response is this error (or, once
     * committed, an abort).
     */
    HttpException bodyFailure();

    /**
     * True once this exchange can no longer be answered at all (HTTP/2: its stream was reset):
     * a failure is then not rendered as an error answer, nor logged as the handler's bug; it
     * propagates, and the protocol ends the exchange. Default false.
     */
    default boolean aborted() {
        return false;
    }
}
