package dev.weft.http.internal;

/**
 * The {@code Date} header line (RFC 9110 §6.6.1; IMF-fixdate, §5.6.7), formatted at most once a
 * second and shared by every connection without a lock: a stale read is only a second old.
 *
 * <p>Formatted by hand rather than with {@code DateTimeFormatter}, and from plain arithmetic
 * rather than {@code java.time}: the formatter's first use loads locale data, and even
 * {@code LocalDateTime} initializes {@code Year}, whose parser builds a formatter (regex and
 * lambdas included): tens of milliseconds on the way to a server's first response.
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
        long days = Math.floorDiv(epochSecond, 86_400);
        int secondOfDay = (int) Math.floorMod(epochSecond, 86_400);
        // Days since 1970-01-01 to year, month, day in the proleptic Gregorian calendar
        // (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", civil_from_days).
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        int weekday = (int) Math.floorMod(days + 3, 7); // 1970-01-01 was a Thursday; 0 = Monday
        byte[] b = "Date: Www, DD Mmm YYYY hh:mm:ss GMT\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(DAYS, weekday * 3, b, 6, 3);
        two(b, 11, day);
        System.arraycopy(MONTHS, (month - 1) * 3, b, 14, 3);
        two(b, 18, (int) (year / 100 % 100));
        two(b, 20, (int) (year % 100));
        two(b, 23, secondOfDay / 3600);
        two(b, 26, secondOfDay / 60 % 60);
        two(b, 29, secondOfDay % 60);
        return b;
    }

    private static void two(byte[] b, int at, int v) {
        b[at] = (byte) ('0' + v / 10);
        b[at + 1] = (byte) ('0' + v % 10);
    }
}
