package dev.weft.http.internal;

import dev.weft.core.Connection;
import dev.weft.http.AccessLogFormat;
import dev.weft.http.Request;
import java.net.InetSocketAddress;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.slf4j.Logger;

/**
 * Writes one access-log line per request in the configured {@link AccessLogFormat}. Only called
 * when the line will be logged: the building happens here, never on a path that does not log.
 */
public final class AccessLog {

    /** Apache's {@code %t}: {@code [10/Oct/2000:13:55:36 -0700]}. */
    private static final DateTimeFormatter CLF_TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US);

    private AccessLog() {
    }

    /** The line of a served request; a reset one shows what really went out. */
    static void served(HttpSettings settings, Logger log, Exchange ex, ResponseImpl res, long millis) {
        // Nothing went out of an aborted response that never committed: no status was sent.
        exchange(settings, log, ex, ex.aborted && !res.committed ? -1 : res.status(), res.bodyBytes, ex.aborted, millis);
    }

    /**
     * The line of a request of any protocol (HTTP/2's through {@code HttpDispatcher}), by the same
     * rules: the query hidden unless allowed, {@code -} for the status of an aborted response
     * whose head never went out ({@code status} -1), {@code aborted} at the end of a WEFT line
     * for a reset one.
     */
    public static void exchange(HttpSettings settings, Logger log, Request req, int status, long bytes,
            boolean aborted, long millis) {
        AccessLogFormat format = settings.accessLogFormat();
        String target = req.target();
        int query = settings.accessLogQuery() || req.rawQuery() == null ? -1 : target.indexOf('?');
        if (query >= 0) {
            target = target.substring(0, query);
        }
        String request = req.method() + " " + target + " " + req.version();
        String s = status < 0 ? "-" : Integer.toString(status);
        InetSocketAddress remote = req.remoteAddress();
        if (format == AccessLogFormat.WEFT) {
            log.info("{} \"{}\" {} {} {}ms{}", hostPort(remote), request, s, bytes, millis, aborted ? " aborted" : "");
        } else {
            log.info(clf(remote, request, s, bytes, format == AccessLogFormat.COMBINED,
                    req.header("Referer"), req.header("User-Agent")));
        }
    }

    /** The line of a head that broke the rules (or timed out): its request is {@code "-"}; status -1 when the answer could not be sent. */
    static void rejected(HttpSettings settings, Logger log, Connection conn, int status, long sent, long millis) {
        String s = status < 0 ? "-" : Integer.toString(status);
        if (settings.accessLogFormat() == AccessLogFormat.WEFT) {
            log.info("{} \"-\" {} {} {}ms{}", hostPort(conn.remoteAddress()), s, sent, millis, status < 0 ? " aborted" : "");
        } else {
            log.info(clf(conn.remoteAddress(), "-", s, sent, settings.accessLogFormat() == AccessLogFormat.COMBINED, null, null));
        }
    }

    private static String clf(InetSocketAddress remote, String request, String status, long bytes, boolean combined,
            String referer, String userAgent) {
        StringBuilder b = new StringBuilder(160);
        b.append(remote.getAddress().getHostAddress()).append(" - - [")
                .append(CLF_TIME.format(ZonedDateTime.now(ZoneOffset.UTC))).append("] \"");
        escape(b, request);
        b.append("\" ").append(status).append(' ');
        if (bytes > 0) {
            b.append(bytes);
        } else {
            b.append('-'); // Apache's %b: "-" rather than 0
        }
        if (combined) {
            quoted(b.append(' '), referer);
            quoted(b.append(' '), userAgent);
        }
        return b.toString();
    }

    private static void quoted(StringBuilder b, String value) {
        b.append('"');
        if (value == null) {
            b.append('-');
        } else {
            escape(b, value);
        }
        b.append('"');
    }

    /** As Apache's log escaping: a value cannot close its quotes or forge a line of its own. */
    private static void escape(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7F) {
                b.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            } else {
                b.append(c);
            }
        }
    }

    /** {@code 127.0.0.1:52144}, {@code [::1]:52144}: no leading slash as InetSocketAddress.toString() has. */
    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
