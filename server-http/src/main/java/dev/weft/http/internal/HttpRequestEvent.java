package dev.weft.http.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One HTTP request, from the first byte of its head to the end of its response (the event's
 * duration). The name and the field names are a contract (docs/observability.md): recordings
 * and {@code jfr print --events dev.weft.HttpRequest} scripts depend on them.
 *
 * <p>Created only when the event type is enabled in some recording ({@link Jfr#requests()}), so a
 * server that is not recorded allocates nothing for it and never even loads this class.
 */
@Name("dev.weft.HttpRequest")
@Label("HTTP Request")
@Category({"Weft", "HTTP"})
@Description("One HTTP/1.1 request: from the first byte of its head to the end of its response")
@StackTrace(false)
public final class HttpRequestEvent extends Event {

    @Label("Method")
    public String method;

    @Label("Route")
    @Description("The path template of the matched route; null when none matched (404, 405, OPTIONS)")
    public String route;

    @Label("Path")
    @Description("The path of the request target as sent (percent-encoded), without the query: queries carry secrets")
    public String path;

    @Label("Status")
    @Description("The status sent; for an aborted response, the status of the head that went out (see outcome)")
    public int status;

    @Label("Outcome")
    @Description("complete, aborted (connection reset after the response began), rejected (bad head), or upgraded")
    public String outcome;

    @Label("Bytes In")
    @Description("Request body bytes read off the wire (chunk framing included)")
    @DataAmount
    public long bytesIn;

    @Label("Bytes Out")
    @Description("Response body bytes written (after compression); for an aborted response, as far as it got")
    @DataAmount
    public long bytesOut;

    @Label("Connection Id")
    public long connectionId;

    @Label("Exception")
    @Description("The class of the failure behind a 5xx or an abort, null otherwise")
    public String exception;
}
