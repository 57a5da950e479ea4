package dev.weft.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class WrkTest {

    @Test
    void readsThroughputLatencyAndEveryErrorKind() throws IOException {
        String out = """
                Running 10s test @ http://127.0.0.1:8080/plaintext
                  1 threads and 256 connections
                  Thread Stats   Avg      Stdev     Max   +/- Stdev
                    Latency     2.10ms    1.01ms  30.12ms   90.00%
                    Req/Sec   121.50k     5.10k  130.00k    70.00%
                  Latency Distribution
                     50%    1.98ms
                     75%    2.30ms
                     90%    2.80ms
                     99%    5.12ms
                  1215000 requests in 10.00s, 150.00MB read
                  Socket errors: connect 1, read 2, write 3, timeout 4
                  Non-2xx or 3xx responses: 5
                Requests/sec: 121500.42
                Transfer/sec:     15.00MB
                """;
        Wrk.Result r = Wrk.parse(out);
        assertEquals(121500.42, r.requestsPerSecond(), 1e-9);
        assertEquals(1_215_000, r.requests());
        assertEquals("5.12ms", r.p99());
        assertEquals(5.12, r.p99Millis(), 1e-9);
        assertEquals(15, r.errors());
        assertEquals("connect 1, read 2, write 3, timeout 4, non-2xx 5", r.errorSummary());
    }

    @Test
    void cleanRunHasNoErrors() throws IOException {
        Wrk.Result r = Wrk.parse("  100 requests in 1.00s, 10.00KB read\nRequests/sec:    100.00\n");
        assertEquals(0, r.errors());
        assertEquals(100, r.requests());
    }

    @Test
    void outputWithoutSummaryIsAnError() {
        assertThrows(IOException.class, () -> Wrk.parse("unable to connect to 127.0.0.1:1 Connection refused\n"));
    }

    @Test
    void latencyUnitsBecomeMilliseconds() {
        assertEquals(0.812, Wrk.millis("812.00us"), 1e-9);
        assertEquals(5.12, Wrk.millis("5.12ms"), 1e-9);
        assertEquals(1200.0, Wrk.millis("1.20s"), 1e-9);
        assertEquals(120_000.0, Wrk.millis("2.00m"), 1e-9);
        assertEquals(null, Wrk.millis(""));
        assertEquals(null, Wrk.millis("fast"));
    }
}
