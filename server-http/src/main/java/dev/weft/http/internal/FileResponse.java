package dev.weft.http.internal;

import dev.weft.http.Request;
import dev.weft.http.Response;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * Answers a GET or HEAD for one resolved resource (a file, or a class-path entry): validators,
 * the conditional requests of RFC 9110 §13 in the order of §13.2.2, and ranges (§14). The
 * resource is closed when this returns, or handed to the response (a file's channel, written
 * at finish).
 */
public final class FileResponse {

    /** Where the bytes come from. */
    public interface Resource extends Closeable {
        /** The representation's length in bytes. */
        long length();

        /** Modification time in epoch milliseconds, or 0 when unknown. */
        long lastModified();

        /** What changes with every write, for the ETag: the modification time, as precise as it is kept. */
        default long version() {
            return lastModified();
        }

        /** Sends {@code length} bytes from {@code position} as the response body; takes ownership. */
        void send(Response res, long position, long length) throws IOException;

        /** Copies {@code length} bytes from {@code position} to {@code out}; throws if the source is shorter. */
        void copy(OutputStream out, long position, long length) throws IOException;
    }

    /** A file, open: the channel's size is the length (the one that will be sent), its bytes go out by sendfile. */
    public static final class FileResource implements Resource {
        private final FileChannel channel;
        private final long length;
        private final long lastModified;
        private final long version;
        private boolean handedOver;

        /** {@code modified}: the file's modification time, kept to the nanosecond where the file system has it. */
        public FileResource(FileChannel channel, java.nio.file.attribute.FileTime modified) throws IOException {
            this.channel = channel;
            this.length = channel.size();
            this.lastModified = modified.toMillis();
            this.version = modified.to(java.util.concurrent.TimeUnit.NANOSECONDS);
        }

        @Override
        public long version() {
            return version;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public long lastModified() {
            return lastModified;
        }

        @Override
        public void send(Response res, long position, long count) throws IOException {
            handedOver = true;
            res.sendFile(channel, position, count);
        }

        @Override
        public void copy(OutputStream out, long position, long count) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(16384, Math.max(1, count)));
            long done = 0;
            while (done < count) {
                buf.clear().limit((int) Math.min(buf.capacity(), count - done));
                int n = channel.read(buf, position + done);
                if (n < 0) {
                    throw new IOException("file ended after " + done + " of " + count + " bytes of a range");
                }
                out.write(buf.array(), 0, n);
                done += n;
            }
        }

        @Override
        public void close() throws IOException {
            if (!handedOver) {
                channel.close();
            }
        }
    }

    /**
     * A class-path entry that is not a plain file (in a jar): streamed through the response's
     * output with its length declared, each range from a fresh stream.
     */
    public static final class UrlResource implements Resource {
        private final java.net.URL url;
        private final long length;
        private final long lastModified;

        public UrlResource(java.net.URL url, long length, long lastModified) {
            this.url = url;
            this.length = length;
            this.lastModified = lastModified;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public long lastModified() {
            return lastModified;
        }

        @Override
        public void send(Response res, long position, long count) throws IOException {
            res.contentLength(count);
            try (OutputStream out = res.outputStream()) {
                copy(out, position, count);
            }
        }

        @Override
        public void copy(OutputStream out, long position, long count) throws IOException {
            try (InputStream in = url.openStream()) {
                in.skipNBytes(position);
                byte[] buf = new byte[(int) Math.min(16384, Math.max(1, count))];
                long done = 0;
                while (done < count) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, count - done));
                    if (n < 0) {
                        throw new IOException(url + " ended after " + done + " of " + count + " bytes");
                    }
                    out.write(buf, 0, n);
                    done += n;
                }
            }
        }

        @Override
        public void close() {
        }
    }

    private FileResponse() {
    }

    /**
     * Answers {@code req} with {@code r}. {@code contentType} is the type of the representation
     * (of the original name when {@code encoding} is set), {@code encoding} its Content-Encoding
     * (a precompressed sibling) or null, {@code vary} whether Vary: Accept-Encoding belongs on
     * it (a sibling exists), {@code cacheControl} the mount's Cache-Control or null.
     */
    public static void respond(Request req, Response res, Resource r, String contentType, String encoding,
            boolean vary, String cacheControl) throws IOException {
        try (r) {
            answer(req, res, r, contentType, encoding, vary, cacheControl);
        }
    }

    private static void answer(Request req, Response res, Resource r, String contentType, String encoding,
            boolean vary, String cacheControl) throws IOException {
        long length = r.length();
        long nowSecond = System.currentTimeMillis() / 1000;
        // §8.8.2.1: never a Last-Modified later than the response's Date.
        long modified = r.lastModified() > 0 ? Math.min(r.lastModified() / 1000, nowSecond) : -1;
        // §8.8.3: a strong validator changes whenever the bytes do; size and modification time
        // (to the nanosecond, where the file system keeps it) stand for them, as in nginx.
        // A precompressed sibling is another representation: its own tag, marked by its coding.
        String etag = "\"" + Long.toHexString(length) + "-" + Long.toHexString(Math.max(0, r.version()))
                + (encoding == null ? "" : encoding.equals("br") ? "-br" : "-gz") + "\"";
        res.header("ETag", etag);
        if (modified >= 0) {
            res.header("Last-Modified", HttpDate.format(modified));
        }
        if (cacheControl != null) {
            res.header("Cache-Control", cacheControl);
        }
        if (vary) {
            res.addHeader("Vary", "Accept-Encoding"); // added: a Vary a filter set stays (a list field, §5.3)
        }
        boolean get = req.method().equals("GET");

        // RFC 9110 §13.2.2, in order.
        String ifMatch = req.header("If-Match");
        if (ifMatch != null) {
            if (!matches(ifMatch, etag, false)) {
                fail(res, 412, "precondition failed: If-Match");
                return;
            }
        } else {
            long since = HttpDate.parse(req.header("If-Unmodified-Since"), nowSecond);
            // §13.1.4: only a representation with a modification date can have been modified since.
            if (since != HttpDate.INVALID && modified >= 0 && modified > since) {
                fail(res, 412, "precondition failed: If-Unmodified-Since");
                return;
            }
        }
        String ifNoneMatch = req.header("If-None-Match");
        if (ifNoneMatch != null) {
            if (matches(ifNoneMatch, etag, true)) {
                res.status(304).send(); // GET and HEAD only reach here (§13.1.2: 304 for them)
                return;
            }
        } else if (modified >= 0) {
            long since = HttpDate.parse(req.header("If-Modified-Since"), nowSecond);
            if (since != HttpDate.INVALID && modified <= since) {
                res.status(304).send();
                return;
            }
        }

        res.contentType(contentType);
        if (encoding != null) {
            res.header("Content-Encoding", encoding);
        }
        // Also on an encoded answer: a Range request for the resource is served (of the identity bytes).
        res.header("Accept-Ranges", "bytes");
        String range = get && encoding == null ? req.header("Range") : null;
        if (range != null && ifRangeHolds(req.header("If-Range"), etag, modified, nowSecond)) {
            Ranges.Result ranges = Ranges.parse(range, length);
            switch (ranges.kind()) {
                case UNSATISFIABLE -> {
                    res.header("Content-Range", "bytes */" + length);
                    fail(res, 416, "range not satisfiable");
                    return;
                }
                case RANGES -> {
                    res.status(206);
                    if (ranges.count() == 1) {
                        long first = ranges.firsts()[0];
                        long last = ranges.lasts()[0];
                        res.header("Content-Range", "bytes " + first + "-" + last + "/" + length);
                        r.send(res, first, last - first + 1);
                    } else {
                        multipart(res, r, contentType, ranges, length);
                    }
                    return;
                }
                default -> {
                    // ignored: the whole representation below
                }
            }
        }
        if (!get) {
            res.contentLength(length).send(); // HEAD: the length a GET gets, no body
            return;
        }
        r.send(res, 0, length);
    }

    private static void fail(Response res, int status, String reason) {
        res.status(status).contentType("text/plain; charset=utf-8").send(reason + "\n");
    }

    /**
     * {@code multipart/byteranges} (RFC 9110 §14.6): each part with its Content-Type and
     * Content-Range, the length of the whole declared up front. Streamed through the response's
     * output, so a source that fails part-way is a reset once bytes went out.
     */
    private static void multipart(Response res, Resource r, String contentType, Ranges.Result ranges, long length)
            throws IOException {
        String boundary = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE)
                + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
        int n = ranges.count();
        byte[][] heads = new byte[n][];
        long total = 0;
        for (int i = 0; i < n; i++) {
            long first = ranges.firsts()[i];
            long last = ranges.lasts()[i];
            heads[i] = ((i == 0 ? "" : "\r\n") + "--" + boundary + "\r\nContent-Type: " + contentType
                    + "\r\nContent-Range: bytes " + first + "-" + last + "/" + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            total += heads[i].length + (last - first + 1);
        }
        byte[] end = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
        total += end.length;
        res.contentType("multipart/byteranges; boundary=" + boundary).contentLength(total);
        try (OutputStream out = res.outputStream()) {
            for (int i = 0; i < n; i++) {
                out.write(heads[i]);
                r.copy(out, ranges.firsts()[i], ranges.lasts()[i] - ranges.firsts()[i] + 1);
            }
            out.write(end);
        }
    }

    /**
     * If-Range (§13.1.5): the range applies only if the representation is the one the client
     * has. An entity tag must match strongly; a date must equal Last-Modified exactly, and
     * only counts when that date is strong (at least a second before now, §8.8.2.2).
     */
    static boolean ifRangeHolds(String ifRange, String etag, long modified, long nowSecond) {
        if (ifRange == null) {
            return true;
        }
        String v = ifRange.trim();
        if (v.startsWith("\"") || v.startsWith("W/")) {
            return v.equals(etag); // a weak tag never matches strongly
        }
        long date = HttpDate.parse(v, nowSecond);
        return date != HttpDate.INVALID && modified >= 0 && date == modified && modified < nowSecond;
    }

    /**
     * True when the list {@code header} ({@code *} or 1#entity-tag, §8.8.3) holds {@code etag}:
     * by weak comparison (If-None-Match, §13.1.2) or strong (If-Match, §13.1.1: a weak tag never
     * matches). A list that does not follow the grammar matches nothing from its first bad member.
     */
    static boolean matches(String header, String etag, boolean weak) {
        String h = header.trim();
        if (h.equals("*")) {
            return true;
        }
        int i = 0;
        int n = h.length();
        while (i < n) {
            char c = h.charAt(i);
            if (c == ',' || c == ' ' || c == '\t') {
                i++;
                continue;
            }
            boolean isWeak = false;
            if (c == 'W' && i + 1 < n && h.charAt(i + 1) == '/') {
                isWeak = true;
                i += 2;
            }
            if (i >= n || h.charAt(i) != '"') {
                return false;
            }
            int close = i + 1;
            while (close < n && h.charAt(close) != '"') {
                char e = h.charAt(close);
                if (e < 0x21 || e == 0x7F) {
                    return false; // etagc is %x21 / %x23-7E / obs-text
                }
                close++;
            }
            if (close >= n) {
                return false;
            }
            String opaque = h.substring(i, close + 1);
            if (opaque.equals(etag) && (weak || !isWeak)) {
                return true;
            }
            i = close + 1;
        }
        return false;
    }

    /**
     * The weight {@code acceptEncoding} gives {@code coding} in thousandths (RFC 9110 §12.5.3):
     * its own entry (for gzip also {@code x-gzip}), else that of {@code *}, else 0. A missing
     * header accepts no coding here: the file is then sent as it is.
     */
    public static int quality(String acceptEncoding, String coding) {
        if (acceptEncoding == null) {
            return 0;
        }
        int own = -1;
        int star = -1;
        for (String item : acceptEncoding.split(",")) {
            int semi = item.indexOf(';');
            String name = (semi < 0 ? item : item.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
            int q = semi < 0 ? 1000 : weight(item.substring(semi + 1));
            if (name.equals(coding) || (coding.equals("gzip") && name.equals("x-gzip"))) {
                own = Math.max(own, q);
            } else if (name.equals("*")) {
                star = q;
            }
        }
        return own >= 0 ? own : Math.max(star, 0);
    }

    /** {@code q=…} in thousandths (§12.4.2); a malformed weight counts as 0, so it never picks a coding. */
    private static int weight(String params) {
        for (String p : params.split(";")) {
            p = p.trim();
            if (p.length() >= 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                String v = p.substring(2).trim();
                if (v.matches("0(\\.[0-9]{0,3})?")) {
                    return v.length() > 2 ? Integer.parseInt((v.substring(2) + "000").substring(0, 3)) : 0;
                }
                return v.matches("1(\\.0{0,3})?") ? 1000 : 0;
            }
        }
        return 1000;
    }
}
