package dev.weft.http;

/**
 * Turns an exception thrown by a handler or filter into a response, while nothing has been
 * sent yet. If it throws (or is not set), the defaults apply: an {@link HttpException} becomes
 * its status and reason; anything else a 500 with a short body, logged with the connection id.
 */
@FunctionalInterface
public interface ExceptionMapper {
    void map(Exception exception, Request request, Response response) throws Exception;
}
