package dev.weft.http.internal;

/**
 * HTTP-date (RFC 9110 §5.6.7): formats IMF-fixdate and parses the three forms a recipient must
 * accept (IMF-fixdate, the obsolete RFC 850 form, asctime), by hand: {@code DateTimeFormatter}
 * is lenient in ways the grammar is not (a one-digit day, any zone), and costs start-up time.
 */
public final class HttpDate {

    /** What {@link #parse} returns for a value that is not an HTTP-date: the header is then ignored. */
    public static final long INVALID = Long.MIN_VALUE;

    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] LONG_DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

    private HttpDate() {
    }

    /** {@code Sun, 06 Nov 1994 08:49:37 GMT} for {@code epochSecond}. */
    public static String format(long epochSecond) {
        byte[] line = DateCache.format(epochSecond); // "Date: <IMF-fixdate>\r\n"
        return new String(line, 6, line.length - 8, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * The epoch second of {@code value}, or {@link #INVALID}. Case-sensitive, as the grammar is;
     * a two-digit RFC 850 year more than 50 years in the future is taken as the past century's.
     *
     * @param nowEpochSecond the current time, for the RFC 850 century
     */
    public static long parse(String value, long nowEpochSecond) {
        if (value == null) {
            return INVALID;
        }
        String v = value.trim();
        try {
            if (v.length() == 29 && v.charAt(3) == ',') {
                // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
                if (day(v.substring(0, 3)) < 0 || v.charAt(4) != ' ' || v.charAt(7) != ' ' || v.charAt(11) != ' '
                        || v.charAt(16) != ' ' || !v.endsWith(" GMT")) {
                    return INVALID;
                }
                return of(num(v, 12, 4), month(v, 8), num(v, 5, 2), v, 17);
            }
            int comma = v.indexOf(',');
            if (comma > 0) {
                // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
                String d = v.substring(0, comma);
                int day = -1;
                for (int i = 0; i < LONG_DAYS.length; i++) {
                    if (LONG_DAYS[i].equals(d)) {
                        day = i;
                    }
                }
                String r = v.substring(comma + 1);
                if (day < 0 || r.length() != 23 || r.charAt(0) != ' ' || r.charAt(3) != '-' || r.charAt(7) != '-'
                        || r.charAt(10) != ' ' || !r.endsWith(" GMT")) {
                    return INVALID;
                }
                int yy = num(r, 8, 2);
                long nowYear = yearOf(nowEpochSecond);
                long year = nowYear / 100 * 100 + yy;
                if (year > nowYear + 50) {
                    year -= 100;
                }
                return of(year, month(r, 4), num(r, 1, 2), r, 11);
            }
            // asctime: Sun Nov  6 08:49:37 1994
            if (v.length() == 24 && day(v.substring(0, 3)) >= 0 && v.charAt(3) == ' ' && v.charAt(7) == ' '
                    && v.charAt(10) == ' ' && v.charAt(19) == ' ') {
                int dd = v.charAt(8) == ' ' ? num(v, 9, 1) : num(v, 8, 2);
                return of(num(v, 20, 4), month(v, 4), dd, v, 11);
            }
        } catch (NumberFormatException e) {
            return INVALID;
        }
        return INVALID;
    }

    private static int day(String s) {
        for (int i = 0; i < DAYS.length; i++) {
            if (DAYS[i].equals(s)) {
                return i;
            }
        }
        return -1;
    }

    private static int month(String s, int at) {
        int i = MONTHS.indexOf(s.substring(at, at + 3));
        if (i < 0 || i % 3 != 0) {
            throw new NumberFormatException("month");
        }
        return i / 3 + 1;
    }

    private static int num(String s, int at, int len) {
        int n = 0;
        for (int i = at; i < at + len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException("digit");
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** From the {@code hh:mm:ss} at {@code at} in {@code s}. */
    private static long of(long year, int month, int day, String s, int at) {
        if (s.charAt(at + 2) != ':' || s.charAt(at + 5) != ':') {
            return INVALID;
        }
        int h = num(s, at, 2);
        int m = num(s, at + 3, 2);
        int sec = num(s, at + 6, 2);
        if (day < 1 || day > 31 || h > 23 || m > 59 || sec > 60) {
            return INVALID;
        }
        return days(year, month, day) * 86_400 + h * 3600L + m * 60L + Math.min(sec, 59);
    }

    /** Days since 1970-01-01 (H. Hinnant's days_from_civil). */
    private static long days(long y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    private static long yearOf(long epochSecond) {
        String f = format(epochSecond);
        return Long.parseLong(f.substring(12, 16));
    }
}
