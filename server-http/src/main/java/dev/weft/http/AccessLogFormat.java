package dev.weft.http;

/**
 * The layout of the access-log lines (see {@link HttpServer.Builder#accessLog(AccessLogFormat)}).
 * Every format writes the peer's address without a leading {@code /}, and the request target
 * without its query unless {@link HttpServer.Builder#accessLogQuery(boolean)} allows it (query
 * strings carry tokens and personal data).
 *
 * <p>A response cut short by a connection reset (a failure after it began, or the client gone)
 * is logged as it really went: the status of the head that went out and the body bytes handed
 * to the connection; if no head went out at all, the status is {@code -}. {@link #WEFT} adds
 * {@code aborted} at the end of such a line; the Common and Combined formats have no field for
 * it (the {@code dev.weft.HttpRequest} JFR event's {@code outcome} has).
 */
public enum AccessLogFormat {

    /**
     * Weft's own line, the default: {@code 127.0.0.1:52144 "GET /a HTTP/1.1" 200 6 0ms}
     * (remote address and port, request line, status, body bytes, milliseconds from the first
     * byte of the head; then {@code aborted} for a reset response). A head that broke the rules
     * is not repeated: its request is {@code "-"}.
     */
    WEFT,

    /**
     * The NCSA Common Log Format, as Apache's {@code common}:
     * {@code 127.0.0.1 - - [03/Dec/2026:12:20:00 +0000] "GET /a HTTP/1.1" 200 6}; bytes
     * {@code -} when no body was sent. Times in UTC.
     */
    COMMON,

    /**
     * The Combined Log Format, as Apache's {@code combined}: {@link #COMMON} plus the
     * {@code Referer} and {@code User-Agent} headers, quoted ({@code "-"} when absent;
     * {@code "} and {@code \} escaped with a backslash, control bytes as {@code \xHH}).
     */
    COMBINED
}
