package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.weft.http.internal.BadMessageException;
import dev.weft.http.internal.HttpConnection;
import dev.weft.http.internal.HttpSettings;
import dev.weft.http.internal.Router;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Fuzz test of the chunked request-body decoder, driven the way a connection drives it: a whole
 * connection's bytes (a chunked POST whose body is the fuzzer's input, then a pipelined GET) go
 * through the connection handler over a {@link MemoryConnection}; the handler reads the body to
 * its end, once with {@code readAllBytes} and once with {@code transferTo} (which passes the bytes
 * on from the connection's buffer), and both must come out the same. Seeds: {@code src/test/resources/dev/weft/http/ChunkedBodyFuzzTestInputs/body/}.
 *
 * <p>Invariants: reading the body either yields its bytes or fails with
 * {@link BadMessageException} (answered with that rule's status) or {@link EOFException} (the
 * input ended inside the body); the connection handler itself never throws. An accepted body is
 * the one a plain reference decoder reads from the same bytes; when the body ends exactly where
 * the input does, the pipelined GET behind it is served next (the framing stayed in step: no
 * request smuggled, none swallowed). Re-encoded as one chunk with the same trailers, it decodes
 * to the same bytes and trailers.
 */
class ChunkedBodyFuzzTest {

    private static final byte[] HEAD = Raw.bytes("POST /echo HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: chunked\r\n\r\n");
    private static final byte[] NEXT = Raw.bytes("GET /next HTTP/1.1\r\nHost: e\r\n\r\n");

    /** What one run of the connection handler saw. */
    private static final class Outcome {
        final List<String> served = new ArrayList<>();
        byte[] body;
        List<String> trailers;
        IOException failure;
        byte[] written;
    }

    @FuzzTest(maxDuration = "30s")
    void body(byte[] input) throws Exception {
        if (input.length > 64 << 10) {
            return;
        }
        Outcome o = serve(input, false);
        // Passed on with transferTo (straight from the connection's buffer), the same bytes or the same failure.
        Outcome t = serve(input, true);
        assertEquals(o.served, t.served, "transferTo: the same requests served");
        assertEquals(status(o.written), status(t.written), "transferTo: the same status");
        assertEquals(o.failure == null ? null : o.failure.getClass(), t.failure == null ? null : t.failure.getClass(),
                () -> "transferTo: the same failure: " + o.failure + " / " + t.failure);
        if (o.body != null) {
            assertArrayEquals(o.body, t.body, "transferTo: the same bytes");
            assertEquals(o.trailers, t.trailers, "transferTo: the same trailers");
        }
        Reference ref = Reference.decode(input);
        if (o.body == null) {
            IOException e = o.failure;
            if (e instanceof BadMessageException bad) {
                assertEquals(bad.violation().status(), status(o.written), "the broken rule's status is the answer");
            } else if (!(e instanceof EOFException)) {
                fail("reading a chunked body failed with an undocumented exception", e);
            }
            return;
        }
        assertEquals(200, status(o.written));
        assertTrue(ref != null, "the reference decoder reads a body the server accepted");
        assertArrayEquals(ref.data, o.body, "same bytes as the reference decoder");
        assertEquals(ref.trailers, o.trailers, "same trailers as the reference decoder");
        if (ref.end == input.length) {
            assertEquals(List.of("/echo", "/next"), o.served, "the pipelined request behind the body is served next");
        }

        Outcome again = serve(oneChunk(o.body, o.trailers), false);
        assertArrayEquals(o.body, again.body, () -> "re-encoded as one chunk, it decodes the same: " + again.failure);
        assertEquals(o.trailers, again.trailers);
        assertEquals(List.of("/echo", "/next"), again.served);
    }

    private static Outcome serve(byte[] chunkedBody, boolean transfer) throws Exception {
        Outcome o = new Outcome();
        Handler echo = (req, res) -> {
            o.served.add(req.rawPath());
            try {
                if (transfer) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    req.body().transferTo(b);
                    o.body = b.toByteArray();
                } else {
                    o.body = req.body().readAllBytes();
                }
            } catch (IOException e) {
                o.failure = e;
                throw e;
            }
            List<String> t = new ArrayList<>();
            for (int i = 0; i < req.trailers().size(); i++) {
                t.add(req.trailers().name(i) + ": " + req.trailers().value(i));
            }
            o.trailers = t;
            res.send("ok");
        };
        Handler next = (req, res) -> {
            o.served.add(req.rawPath());
            res.send("next");
        };
        Router router = new Router(List.of(new Router.Definition("POST", "/echo", echo),
                new Router.Definition("GET", "/next", next)));
        // The defaults of HttpServer.Builder, without the access log.
        HttpSettings settings = new HttpSettings(8192, 16384, 100, 16L << 20, 256L << 10, Duration.ofSeconds(10),
                Duration.ofMinutes(5), Duration.ofSeconds(15), true, false, null, false, dev.weft.http.AccessLogFormat.WEFT, false, router, new Filter[0], null,
                new HttpSettings.BodyLimits(16L << 20, 64 << 10, Multipart.Limits.DEFAULTS));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(HEAD);
        wire.write(chunkedBody);
        wire.write(NEXT);
        MemoryConnection conn = new MemoryConnection(wire.toByteArray());
        new HttpConnection.RequestLoop(settings).handle(conn);
        o.written = conn.written();
        return o;
    }

    /** The body as one chunk, then the last chunk, the trailers and the blank line. */
    private static byte[] oneChunk(byte[] data, List<String> trailers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (data.length > 0) {
            out.writeBytes(Raw.bytes(Integer.toHexString(data.length) + "\r\n"));
            out.writeBytes(data);
            out.writeBytes(Raw.bytes("\r\n"));
        }
        StringBuilder sb = new StringBuilder("0\r\n");
        for (String t : trailers) {
            sb.append(t).append("\r\n");
        }
        out.writeBytes(sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /** The status code of the first response written, or -1. */
    private static int status(byte[] written) {
        String s = new String(written, 0, Math.min(written.length, 12), StandardCharsets.ISO_8859_1);
        return s.startsWith("HTTP/1.1 ") && s.length() == 12 ? Integer.parseInt(s.substring(9, 12)) : -1;
    }

    /**
     * A lenient chunked decoder (RFC 9112 §7.1, the decoding sketch of §7.1.3): a size of hex
     * digits, anything up to CRLF ignored (extensions), data, CRLF; after the last chunk, field
     * lines up to an empty line. Anything the server accepts, this reads the same way.
     */
    private record Reference(byte[] data, List<String> trailers, int end) {
        static Reference decode(byte[] in) {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            int pos = 0;
            while (true) {
                int eol = lineEnd(in, pos);
                if (eol < 0) {
                    return null;
                }
                int digits = 0;
                while (pos + digits < eol && HexFormat.isHexDigit(in[pos + digits])) {
                    digits++;
                }
                if (digits == 0 || digits > 15) {
                    return null;
                }
                long size = Long.parseLong(new String(in, pos, digits, StandardCharsets.ISO_8859_1), 16);
                pos = eol + 2;
                if (size == 0) {
                    break;
                }
                if (in.length - pos < size + 2 || in[pos + (int) size] != '\r' || in[pos + (int) size + 1] != '\n') {
                    return null;
                }
                data.write(in, pos, (int) size);
                pos += (int) size + 2;
            }
            List<String> trailers = new ArrayList<>();
            while (true) {
                int eol = lineEnd(in, pos);
                if (eol < 0) {
                    return null;
                }
                if (eol == pos) {
                    return new Reference(data.toByteArray(), trailers, eol + 2);
                }
                String line = new String(in, pos, eol - pos, StandardCharsets.ISO_8859_1);
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    return null;
                }
                trailers.add(line.substring(0, colon).toLowerCase(java.util.Locale.ROOT) + ": " + trimOws(line.substring(colon + 1)));
                pos = eol + 2;
            }
        }

        private static String trimOws(String s) {
            int from = 0;
            int to = s.length();
            while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
                from++;
            }
            while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
                to--;
            }
            return s.substring(from, to);
        }

        /** Index of the CR of the next CRLF at or after {@code from}, or -1. */
        private static int lineEnd(byte[] in, int from) {
            for (int i = from; i + 1 < in.length; i++) {
                if (in[i] == '\r' && in[i + 1] == '\n') {
                    return i;
                }
            }
            return -1;
        }
    }
}
