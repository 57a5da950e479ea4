package dev.weft.http;

/**
 * Serves one request. Runs on the connection's own virtual thread, so it may block freely.
 * Returning without sending anything sends the current status with an empty body.
 */
@FunctionalInterface
public interface Handler {
    void handle(Request request, Response response) throws Exception;
}
