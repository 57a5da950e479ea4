package dev.weft.http.internal;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The {@code Date} header line (RFC 9110 §6.6.1; IMF-fixdate, §5.6.7), formatted at most once a
 * second and shared by every connection without a lock: a stale read is only a second old.
 *
 * <p>Formatted by hand rather than with {@code DateTimeFormatter}: the formatter's first use
 * loads the locale data for day and month names, tens of milliseconds on the way to a
 * server's first response.
 */
public final class DateCache {

    private static final byte[] DAYS = "MonTueWedThuFriSatSun".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

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
            l = new Line(second, format(second));
            current = l;
        }
        return l.bytes;
    }

    /** {@code Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n} for {@code epochSecond}. */
    public static byte[] format(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        byte[] b = "Date: Www, DD Mmm YYYY hh:mm:ss GMT\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int day = (t.getDayOfWeek().getValue() - 1) * 3;
        System.arraycopy(DAYS, day, b, 6, 3);
        two(b, 11, t.getDayOfMonth());
        System.arraycopy(MONTHS, (t.getMonthValue() - 1) * 3, b, 14, 3);
        int year = t.getYear();
        two(b, 18, year / 100 % 100);
        two(b, 20, year % 100);
        two(b, 23, t.getHour());
        two(b, 26, t.getMinute());
        two(b, 29, t.getSecond());
        return b;
    }

    private static void two(byte[] b, int at, int v) {
        b[at] = (byte) ('0' + v / 10);
        b[at + 1] = (byte) ('0' + v % 10);
    }
}
