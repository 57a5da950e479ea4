package dev.weft.http.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code Range} header of a GET (RFC 9110 §14.1.2, §14.2) against a representation of a
 * known length.
 *
 * <ul>
 *   <li>Another unit than {@code bytes} is ignored (§14.2: the whole representation is sent).
 *   <li>A {@code bytes} range set that does not follow the grammar, or none of whose ranges is
 *       satisfiable (a first position at or past the end, a zero suffix), is 416 (§15.5.17).
 *   <li>More than {@link #MAX_RANGES} ranges are ignored, as §14.2 allows for "many small
 *       ranges": the answer is the whole file, which costs no more than a client asking for it.
 *   <li>Overlapping ranges, and ranges a gap of less than {@link #COALESCE_GAP} bytes apart, are
 *       merged (§14.2's MAY; the Apache "Range: bytes=0-,0-,…" amplification, CVE-2011-3192),
 *       and parts are sent in ascending order: the body is never longer than the file plus the
 *       framing of at most {@link #MAX_RANGES} parts.
 * </ul>
 */
public final class Ranges {

    /** The most ranges one request may ask for before its Range header is ignored. */
    public static final int MAX_RANGES = 16;
    /** Ranges closer than this are merged: a part's own header costs about as much. */
    public static final long COALESCE_GAP = 80;
    /** The longest Range header looked at; a longer one is ignored (whole file). */
    public static final int MAX_HEADER = 1024;

    /** What to do with the request's Range header. */
    public enum Kind {
        /** No Range, another unit, or too many ranges: the whole representation, 200. */
        IGNORE,
        /** Malformed or unsatisfiable: 416 with {@code Content-Range: bytes *}{@code /length}. */
        UNSATISFIABLE,
        /** The ranges to send (inclusive byte positions), in ascending order, merged. */
        RANGES
    }

    /** The outcome: its kind and, for {@link Kind#RANGES}, pairs of first and last positions. */
    public record Result(Kind kind, long[] firsts, long[] lasts) {
        public int count() {
            return firsts.length;
        }
    }

    private static final Result IGNORE = new Result(Kind.IGNORE, new long[0], new long[0]);
    private static final Result UNSATISFIABLE = new Result(Kind.UNSATISFIABLE, new long[0], new long[0]);

    private Ranges() {
    }

    /** Evaluates {@code header} (null: none) for a representation of {@code length} bytes. */
    public static Result parse(String header, long length) {
        if (header == null || header.length() > MAX_HEADER) {
            return IGNORE;
        }
        int eq = header.indexOf('=');
        if (eq < 0) {
            return IGNORE; // no ranges-specifier of any unit: nothing we understand (§14.2)
        }
        String unit = header.substring(0, eq);
        if (!unit.equalsIgnoreCase("bytes")) {
            // §14.2: a unit we do not understand is ignored (and a malformed one too: it is no bytes range).
            return IGNORE;
        }
        List<long[]> wanted = new ArrayList<>();
        int specs = 0;
        for (String element : header.substring(eq + 1).split(",", -1)) {
            String spec = element.strip(); // OWS around list elements (§5.6.1)
            if (spec.isEmpty()) {
                continue; // empty list elements are allowed and ignored (§5.6.1)
            }
            if (++specs > MAX_RANGES) {
                return IGNORE;
            }
            int dash = spec.indexOf('-');
            if (dash < 0) {
                return UNSATISFIABLE;
            }
            String a = spec.substring(0, dash);
            String b = spec.substring(dash + 1);
            long first;
            long last;
            if (a.isEmpty()) {
                long suffix = digits(b);
                if (suffix < 0) {
                    return UNSATISFIABLE;
                }
                if (suffix == 0 || length == 0) {
                    continue; // unsatisfiable on its own (§14.1.3)
                }
                first = Math.max(0, length - suffix);
                last = length - 1;
            } else {
                first = digits(a);
                last = b.isEmpty() ? Long.MAX_VALUE : digits(b);
                if (first < 0 || last < 0 || last < first) {
                    return UNSATISFIABLE; // §14.1.1: last-pos below first-pos makes the range set invalid
                }
                if (first >= length) {
                    continue; // unsatisfiable on its own
                }
                last = Math.min(last, length - 1);
            }
            wanted.add(new long[] {first, last});
        }
        if (specs == 0) {
            return UNSATISFIABLE; // "bytes=" or "bytes=," : no range-spec at all
        }
        if (wanted.isEmpty()) {
            return UNSATISFIABLE;
        }
        wanted.sort((x, y) -> Long.compare(x[0], y[0]));
        long[] firsts = new long[wanted.size()];
        long[] lasts = new long[wanted.size()];
        int n = 0;
        for (long[] r : wanted) {
            if (n > 0 && r[0] <= lasts[n - 1] + COALESCE_GAP) {
                lasts[n - 1] = Math.max(lasts[n - 1], r[1]);
            } else {
                firsts[n] = r[0];
                lasts[n++] = r[1];
            }
        }
        return new Result(Kind.RANGES, Arrays.copyOf(firsts, n), Arrays.copyOf(lasts, n));
    }

    /** A decimal number, saturating at Long.MAX_VALUE (a position past any file); -1 if not 1*DIGIT. */
    private static long digits(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : v * 10 + (c - '0');
        }
        return v;
    }
}
