package dev.weft.http.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date} header line (RFC 9110 §6.6.1, IMF-fixdate), formatted at most once a
 * second and shared by every connection without a lock: a stale read is only a second old.
 */
public final class DateCache {

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private record Line(long second, byte[] bytes) {
    }

    private static volatile Line current = new Line(Long.MIN_VALUE, new byte[0]);

    private DateCache() {
    }

    /** {@code Date: <IMF-fixdate>\r\n} for the current second. Callers must not modify it. */
    public static byte[] line() {
        long second = System.currentTimeMillis() / 1000;
        Line l = current;
        if (l.second != second) {
            l = new Line(second, ("Date: " + IMF_FIXDATE.format(Instant.ofEpochSecond(second)) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            current = l;
        }
        return l.bytes;
    }
}
