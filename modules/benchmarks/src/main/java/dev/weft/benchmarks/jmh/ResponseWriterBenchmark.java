package dev.weft.benchmarks.jmh;

import dev.weft.http.internal.ResponseWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Weft's response writer assembling a whole small response (status line, Date, Content-Type,
 * Content-Length, body) into its reusable buffer, as a handler's {@code send} does. No I/O.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResponseWriterBenchmark {
    private static final byte[] PLAINTEXT = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JSON = "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII);

    private ResponseWriter writer;

    @Setup
    public void setup() {
        writer = new ResponseWriter();
    }

    @Benchmark
    public int plaintext() {
        return writer.writeSimple(200, "text/plain", PLAINTEXT, false);
    }

    @Benchmark
    public int json() {
        return writer.writeSimple(200, "application/json", JSON, false);
    }

    @Benchmark
    public int notFoundClose() {
        return writer.writeSimple(404, "text/plain", PLAINTEXT, true);
    }
}
