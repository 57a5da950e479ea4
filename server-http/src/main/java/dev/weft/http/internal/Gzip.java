package dev.weft.http.internal;

import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Response compression: which responses are worth gzip, whether the client takes it, and a
 * streaming gzip encoder over the JDK's {@link Deflater} (not {@code GZIPOutputStream}, whose
 * {@code write} holds the stream's monitor and would pin a virtual thread on JDK 21 while it
 * writes to the socket).
 */
public final class Gzip {

    /** Bodies smaller than this are sent as they are: gzip's framing would eat the gain. */
    public static final int MIN_BYTES = 1024;

    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    private final CRC32 crc = new CRC32();
    private long inputBytes;
    private boolean headerDone;

    /** True for types that shrink: text, JSON, XML, JavaScript, SVG, WebAssembly. Not event streams. */
    public static boolean compressible(String contentType) {
        if (contentType == null) {
            return false;
        }
        String t = contentType.toLowerCase(java.util.Locale.ROOT);
        int semi = t.indexOf(';');
        if (semi >= 0) {
            t = t.substring(0, semi);
        }
        t = t.trim();
        if (t.equals("text/event-stream")) {
            return false; // each event must reach the client as it is sent
        }
        return t.startsWith("text/") || t.endsWith("+json") || t.endsWith("+xml") || t.equals("application/json")
                || t.equals("application/javascript") || t.equals("application/xml") || t.equals("application/wasm")
                || t.equals("image/svg+xml") || t.equals("application/x-ndjson");
    }

    /**
     * True when {@code acceptEncoding} (RFC 9110 §12.5.3) takes gzip: listed (or {@code *}) with
     * a quality above 0, and not refused by {@code gzip;q=0}.
     */
    public static boolean accepted(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        int gzip = -1;
        int star = -1;
        int i = 0;
        int n = acceptEncoding.length();
        while (i < n) {
            int end = acceptEncoding.indexOf(',', i);
            if (end < 0) {
                end = n;
            }
            String item = acceptEncoding.substring(i, end).trim();
            i = end + 1;
            int semi = item.indexOf(';');
            String coding = (semi < 0 ? item : item.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
            int q = semi < 0 ? 1000 : quality(item.substring(semi + 1));
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                gzip = Math.max(gzip, q);
            } else if (coding.equals("*")) {
                star = q;
            }
        }
        return gzip >= 0 ? gzip > 0 : star > 0;
    }

    /** The weight of {@code q=…} in thousandths (RFC 9110 §12.4.2); malformed weights count as 0. */
    private static int quality(String params) {
        for (String p : params.split(";")) {
            p = p.trim();
            if (p.length() >= 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                String v = p.substring(2).trim();
                if (v.matches("0(\\.[0-9]{0,3})?")) {
                    String frac = v.length() > 2 ? (v.substring(2) + "000").substring(0, 3) : "000";
                    return Integer.parseInt(frac);
                }
                if (v.matches("1(\\.0{0,3})?")) {
                    return 1000;
                }
                return 0;
            }
        }
        return 1000;
    }

    /** Where compressed bytes go. */
    public interface Sink {
        void accept(byte[] b, int off, int len) throws java.io.IOException;
    }

    private final byte[] out = new byte[8192];

    /** A new encoder; {@link #finish} or {@link #end} frees it. */
    public Gzip() {
    }

    /** Compresses a whole body at once. */
    public static byte[] compress(byte[] body) {
        Gzip g = new Gzip();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(Math.max(64, body.length / 3));
        try {
            g.write(body, 0, body.length, bytes::write);
            g.finish(bytes::write);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    private void header(Sink sink) throws java.io.IOException {
        if (!headerDone) {
            headerDone = true;
            sink.accept(HEADER, 0, HEADER.length);
        }
    }

    /** Compresses {@code len} bytes; what the deflater emits goes to {@code sink}. */
    public void write(byte[] b, int off, int len, Sink sink) throws java.io.IOException {
        header(sink);
        crc.update(b, off, len);
        inputBytes += len;
        deflater.setInput(b, off, len);
        while (!deflater.needsInput()) {
            int n = deflater.deflate(out, 0, out.length, Deflater.NO_FLUSH);
            if (n > 0) {
                sink.accept(out, 0, n);
            }
        }
    }

    /** Emits everything compressed so far (a sync flush): the client can decode what was written. */
    public void flush(Sink sink) throws java.io.IOException {
        header(sink);
        int n;
        do {
            n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
            if (n > 0) {
                sink.accept(out, 0, n);
            }
        } while (n == out.length);
    }

    /** Ends the stream: the rest of the deflate data and the gzip trailer (CRC-32, length mod 2^32); frees the deflater. */
    public void finish(Sink sink) throws java.io.IOException {
        try {
            header(sink);
            deflater.finish();
            while (!deflater.finished()) {
                int n = deflater.deflate(out, 0, out.length);
                if (n > 0) {
                    sink.accept(out, 0, n);
                }
            }
            long c = crc.getValue();
            byte[] t = new byte[8];
            for (int i = 0; i < 4; i++) {
                t[i] = (byte) (c >>> (8 * i));
                t[4 + i] = (byte) (inputBytes >>> (8 * i));
            }
            sink.accept(t, 0, 8);
        } finally {
            deflater.end();
        }
    }

    /** Frees the deflater's native memory when the stream is abandoned. */
    public void end() {
        deflater.end();
    }
}
