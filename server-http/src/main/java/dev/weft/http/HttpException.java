package dev.weft.http;

/**
 * Thrown by a handler to answer with an error status: the response is {@code status} with
 * {@code reason} as a short {@code text/plain} body. The connection stays open unless the
 * request's framing is broken.
 */
public class HttpException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    /**
     * @param status an HTTP status, 400–599
     * @param reason a short text for the client (no stack traces, no secrets)
     */
    public HttpException(int status, String reason) {
        this(status, reason, null);
    }

    /** As {@link #HttpException(int, String)}, keeping the exception that led to it. */
    public HttpException(int status, String reason, Throwable cause) {
        super(reason, cause);
        this.status = checked(status);
    }

    private static int checked(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status = " + status + ": an HttpException needs a 4xx or 5xx status");
        }
        return status;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return getMessage();
    }
}
