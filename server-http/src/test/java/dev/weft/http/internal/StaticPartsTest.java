package dev.weft.http.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pieces of static content on their own: Range parsing, HTTP-dates, entity-tag lists, codings, types. */
class StaticPartsTest {

    private static final long LEN = 1000;

    private static String ranges(String header) {
        Ranges.Result r = Ranges.parse(header, LEN);
        if (r.kind() != Ranges.Kind.RANGES) {
            return r.kind().name();
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < r.count(); i++) {
            sb.append(i == 0 ? "" : ",").append(r.firsts()[i]).append('-').append(r.lasts()[i]);
        }
        return sb.toString();
    }

    @Test
    void rangeTable() {
        String[][] rows = {
            {null, "IGNORE"}, {"bytes=0-0", "0-0"}, {"bytes=0-999", "0-999"}, {"bytes=0-5000", "0-999"},
            {"bytes=-1", "999-999"}, {"bytes=-1000", "0-999"}, {"bytes=-5000", "0-999"}, {"bytes=999-", "999-999"},
            {"bytes=1000-", "UNSATISFIABLE"}, {"bytes=-0", "UNSATISFIABLE"}, {"bytes=0-1,1000-", "0-1"},
            {"BYTES=1-2", "1-2"}, {"bytes=1-2, ,3-4", "1-4"}, {"bytes=0-9,500-509", "0-9,500-509"},
            {"bytes=0-9,50-59", "0-59"}, {"bytes=0-9,90-99", "0-9,90-99"}, {"bytes=500-509,0-9", "0-9,500-509"},
            {"bytes=0-500,100-200", "0-500"}, {"bytes=2-1", "UNSATISFIABLE"}, {"bytes=a-b", "UNSATISFIABLE"},
            {"bytes=", "UNSATISFIABLE"}, {"bytes=1", "UNSATISFIABLE"}, {"bytes=-", "UNSATISFIABLE"},
            {"bytes=1-2;x", "UNSATISFIABLE"}, {"bytes=99999999999999999999999-", "UNSATISFIABLE"},
            {"bytes=0-99999999999999999999999", "0-999"}, {"pages=1-2", "IGNORE"}, {"bytes", "IGNORE"},
            {"bytes=" + "0-0,".repeat(16), "0-0"}, {"bytes=" + "0-0,".repeat(17), "IGNORE"},
            {"bytes=" + "9".repeat(1100) + "-", "IGNORE"},
        };
        for (String[] row : rows) {
            assertEquals(row[1], ranges(row[0]), String.valueOf(row[0]));
        }
        assertEquals("UNSATISFIABLE", Ranges.parse("bytes=0-", 0).kind().name(), "nothing of an empty file");
        assertEquals("UNSATISFIABLE", Ranges.parse("bytes=-5", 0).kind().name());
    }

    @Test
    void httpDates() {
        long t = 784111777; // Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110 §5.6.7's example
        long now = 1_800_000_000;
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.format(t));
        assertEquals(t, HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT", now));
        assertEquals(t, HttpDate.parse("Sunday, 06-Nov-94 08:49:37 GMT", now));
        assertEquals(t, HttpDate.parse("Sun Nov  6 08:49:37 1994", now));
        assertEquals(0, HttpDate.parse("Thu, 01 Jan 1970 00:00:00 GMT", now));
        assertEquals(951782400L, HttpDate.parse("Tue, 29 Feb 2000 00:00:00 GMT", now));
        for (String bad : new String[] {"", "yesterday", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC",
                "Sun, 06 Nov 1994 08:49:37 +0000", "sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 nov 1994 08:49:37 GMT",
                "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 32 Nov 1994 08:49:37 GMT",
                "Sun, 06 Xyz 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08-49-37 GMT", "Sonntag, 06-Nov-94 08:49:37 GMT",
                "Sun Nov 6 08:49:37 1994", "1994-11-06T08:49:37Z", "Sun, 06 Nov 19a4 08:49:37 GMT"}) {
            assertEquals(HttpDate.INVALID, HttpDate.parse(bad, now), bad);
        }
        // RFC 850's two-digit year: more than 50 years ahead means the past century (§5.6.7).
        long in2026 = HttpDate.parse("Thu, 03 Dec 2026 00:00:00 GMT", now);
        assertEquals(HttpDate.parse("Sat, 01 Jan 2050 00:00:00 GMT", now), HttpDate.parse("Saturday, 01-Jan-50 00:00:00 GMT", in2026));
        assertEquals(HttpDate.parse("Sat, 01 Jan 1977 00:00:00 GMT", now), HttpDate.parse("Saturday, 01-Jan-77 00:00:00 GMT", in2026));
    }

    @Test
    void entityTagLists() {
        String tag = "\"abc-1\"";
        assertEquals(true, FileResponse.matches(tag, tag, false));
        assertEquals(true, FileResponse.matches(" \"x\" , " + tag, tag, false));
        assertEquals(true, FileResponse.matches("*", tag, false));
        assertEquals(false, FileResponse.matches("W/" + tag, tag, false), "strong comparison");
        assertEquals(true, FileResponse.matches("W/" + tag, tag, true), "weak comparison");
        assertEquals(false, FileResponse.matches("\"abc-1", tag, true), "unterminated");
        assertEquals(false, FileResponse.matches("abc-1", tag, true), "unquoted");
        assertEquals(false, FileResponse.matches("\"a b\", " + tag, tag, true), "a space is no etagc: the list is malformed");
        assertEquals(false, FileResponse.matches("", tag, true));
        assertEquals(true, FileResponse.ifRangeHolds(null, tag, 5, 100));
        assertEquals(true, FileResponse.ifRangeHolds(tag, tag, 5, 100));
        assertEquals(false, FileResponse.ifRangeHolds("W/" + tag, tag, 5, 100));
        assertEquals(true, FileResponse.ifRangeHolds(HttpDate.format(5), tag, 5, 100));
        assertEquals(false, FileResponse.ifRangeHolds(HttpDate.format(5), tag, 5, 5), "a date of this second is weak");
        assertEquals(false, FileResponse.ifRangeHolds(HttpDate.format(6), tag, 5, 100));
    }

    @Test
    void acceptEncodingWeights() {
        assertEquals(1000, FileResponse.quality("br, gzip", "br"));
        assertEquals(500, FileResponse.quality("br;q=0.5", "br"));
        assertEquals(0, FileResponse.quality("br;q=0", "br"));
        assertEquals(1000, FileResponse.quality("x-gzip", "gzip"));
        assertEquals(300, FileResponse.quality("*;q=0.3", "br"));
        assertEquals(0, FileResponse.quality("*, br;q=0", "br"));
        assertEquals(0, FileResponse.quality("br;q=2", "br"), "malformed weight");
        assertEquals(0, FileResponse.quality(null, "gzip"));
        assertEquals(0, FileResponse.quality("identity", "gzip"));
        assertEquals(1000, FileResponse.quality("BR;Q=1.000", "br"));
    }

    @Test
    void mediaTypes() {
        Map<String, String> none = Map.of();
        String[][] rows = {
            {"a.html", "text/html; charset=utf-8"}, {"A.HTML", "text/html; charset=utf-8"}, {"x.css", "text/css; charset=utf-8"},
            {"x.js", "text/javascript; charset=utf-8"}, {"x.mjs", "text/javascript; charset=utf-8"},
            {"x.json", "application/json"}, {"x.js.map", "application/json"}, {"x.webmanifest", "application/manifest+json"},
            {"x.svg", "image/svg+xml; charset=utf-8"}, {"x.png", "image/png"}, {"x.jpg", "image/jpeg"},
            {"x.gif", "image/gif"}, {"x.webp", "image/webp"}, {"x.avif", "image/avif"}, {"x.ico", "image/vnd.microsoft.icon"},
            {"x.woff", "font/woff"}, {"x.woff2", "font/woff2"}, {"x.ttf", "font/ttf"}, {"x.txt", "text/plain; charset=utf-8"},
            {"x.xml", "application/xml; charset=utf-8"}, {"x.pdf", "application/pdf"}, {"x.wasm", "application/wasm"},
            {"x.mp4", "video/mp4"}, {"x.webm", "video/webm"}, {"x.mp3", "audio/mpeg"}, {"x.zip", "application/zip"},
            {"x.tar.gz", "application/gzip"}, {"x.unknown", "application/octet-stream"}, {"Makefile", "application/octet-stream"},
            {".bashrc", "application/octet-stream"}, {"dir.d/file", "application/octet-stream"}, {"x.", "application/octet-stream"},
        };
        for (String[] row : rows) {
            assertEquals(row[1], MediaTypes.forName(row[0], none), row[0]);
        }
        assertEquals("text/x-test", MediaTypes.forName("a.PNG", Map.of("png", "text/x-test")));
        assertArrayEquals(new String[] {"png", ""}, new String[] {MediaTypes.extension("a.b.PNG"), MediaTypes.extension("a")});
    }
}
