package dev.weft.http;

/**
 * Wraps the handling of every request (after routing, so path parameters are set; also for
 * 404 and 405 answers). Filters run in the order they were added; each calls
 * {@link Chain#next()} to go on, or answers itself and does not.
 */
@FunctionalInterface
public interface Filter {

    void filter(Request request, Response response, Chain chain) throws Exception;

    /** The rest of the filters, then the route's handler. */
    interface Chain {
        void next() throws Exception;
    }
}
