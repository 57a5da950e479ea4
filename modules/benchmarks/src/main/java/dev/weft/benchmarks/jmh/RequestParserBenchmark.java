package dev.weft.benchmarks.jmh;

import dev.weft.http.internal.RequestHead;
import dev.weft.http.internal.RequestParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Weft's request-head parser on three heads: wrk's minimal GET, a browser's GET with a dozen
 * headers, and a small POST. Run with {@code -prof gc} for B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RequestParserBenchmark {

    static final Map<String, String> HEADS = Map.of(
            "wrk", "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
            "browser", """
                    GET /json?user=42&verbose=true HTTP/1.1\r
                    Host: localhost:8080\r
                    Connection: keep-alive\r
                    Cache-Control: max-age=0\r
                    sec-ch-ua: "Chromium";v="130", "Not?A_Brand";v="99"\r
                    Upgrade-Insecure-Requests: 1\r
                    User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36\r
                    Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r
                    Sec-Fetch-Site: none\r
                    Sec-Fetch-Mode: navigate\r
                    Sec-Fetch-Dest: document\r
                    Accept-Encoding: gzip, deflate, br, zstd\r
                    Accept-Language: en-US,en;q=0.9\r
                    Cookie: session=6f1c2a9e0b7d4c3a; theme=dark\r
                    \r
                    """,
            "post", "POST /echo HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/octet-stream\r\nContent-Length: 4096\r\n\r\n");

    @Param({"wrk", "browser", "post"})
    public String head;

    private BytesInput in;
    private RequestParser parser;

    @Setup
    public void setup() throws IOException {
        in = new BytesInput(HEADS.get(head).getBytes(StandardCharsets.ISO_8859_1));
        parser = RequestParser.forStream();
        if (parse() == null) {
            throw new IllegalStateException("the '" + head + "' head did not parse");
        }
    }

    @Benchmark
    public RequestHead parse() throws IOException {
        in.rewind();
        return parser.readHead(in);
    }

    /**
     * An unsynchronized stream over a byte array ({@code ByteArrayInputStream}'s methods are
     * synchronized), standing in for the connection's buffered input.
     */
    static final class BytesInput extends InputStream {
        private final byte[] bytes;
        private int pos;

        BytesInput(byte[] bytes) {
            this.bytes = bytes;
        }

        void rewind() {
            pos = 0;
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= bytes.length) {
                return -1;
            }
            int n = Math.min(len, bytes.length - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return bytes.length - pos;
        }
    }
}
