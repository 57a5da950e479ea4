package dev.weft.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class H2loadTest {

    /** The summary as nghttp2 1.52's h2load prints it for a timing-based run (-D). */
    private static final String CLEAN = """
            starting benchmark...
            spawning thread #0: 16 total client(s). Timing-based test with 0s of warm-up time and 2s of main duration for measurements.
            Warm-up started for thread #0.
            progress: 6% of clients started
            Warm-up phase is over for thread #0.
            Main benchmark duration is started for thread #0.
            Main benchmark duration is over for thread #0. Stopping all clients.
            Stopped all clients for thread #0

            finished in 2.00s, 45678.50 req/s, 1.50MB/s
            requests: 91357 total, 92957 started, 91357 done, 91357 succeeded, 0 failed, 0 errored, 0 timeout
            status codes: 91357 2xx, 0 3xx, 0 4xx, 0 5xx
            traffic: 3.02MB (3163245) total, 1.05MB (1096284) headers (space savings 93.10%), 1.18MB (1187641) data
                                 min         max         mean         sd        +/- sd
            time for request:     1.23ms     98.12ms     33.40ms     10.12ms    71.23%
            time for connect:      160us      1.23ms       677us       334us    62.50%
            time to 1st byte:     3.21ms      5.23ms      4.12ms       567us    56.25%
            req/s           :    2812.34     2901.23     2854.89       23.45    68.75%
            """;

    @Test
    void readsThroughputRequestsAndLatency() throws IOException {
        H2load.Result r = H2load.parse(CLEAN);
        assertEquals(45678.50, r.requestsPerSecond(), 1e-9);
        assertEquals(91_357, r.done());
        assertEquals(91_357, r.succeeded());
        assertEquals(91_357, r.status2xx());
        assertEquals("33.40ms", r.meanLatency());
        assertEquals(0, r.errors());
        assertEquals("failed 0, errored 0, timeout 0, 3xx 0, 4xx 0, 5xx 0", r.errorSummary());
    }

    @Test
    void errorsAreStreamsWithoutAStatusPlusEveryStatusButTwoHundreds() throws IOException {
        // h2load: failed = errored + 4xx + 5xx (3xx count as succeeded), timeout is part of errored.
        String out = """
                finished in 1.00s, 900.00 req/s, 10.00KB/s
                requests: 1000 total, 1100 started, 1000 done, 930 succeeded, 70 failed, 40 errored, 5 timeout
                status codes: 900 2xx, 30 3xx, 20 4xx, 10 5xx
                """;
        H2load.Result r = H2load.parse(out);
        assertEquals(40, r.errored());
        assertEquals(60, r.non2xx());
        assertEquals(100, r.errors());
        assertEquals(r.failed() + r.status3xx(), r.errors());
        assertEquals("failed 70, errored 40, timeout 5, 3xx 30, 4xx 20, 5xx 10", r.errorSummary());
        assertEquals("", r.meanLatency());
    }

    @Test
    void nothingListeningIsASummaryOfZeros() throws IOException {
        // h2load 1.52 against a closed port: exit code 0 and a summary with no request; the runner fails
        // the run on its zero 2xx.
        H2load.Result r = H2load.parse("""
                starting benchmark...
                spawning thread #0: 16 total client(s). Timing-based test with 0s of warm-up time and 1s of main duration for measurements.
                Stopped all clients for thread #0

                finished in 1.00s, 0.00 req/s, 0B/s
                requests: 0 total, 0 started, 0 done, 0 succeeded, 0 failed, 0 errored, 0 timeout
                status codes: 0 2xx, 0 3xx, 0 4xx, 0 5xx
                traffic: 0B (0) total, 0B (0) headers (space savings 0.00%), 0B (0) data
                                     min         max         mean         sd        +/- sd
                time for request:        0us         0us         0us         0us     0.00%
                """);
        assertEquals(0, r.status2xx());
        assertEquals(0, r.done());
        assertEquals(0.0, r.requestsPerSecond());
    }

    @Test
    void outputWithoutSummaryIsAnError() {
        assertThrows(IOException.class, () -> H2load.parse("""
                h2load: unrecognized option '--bogus'
                Usage: h2load [OPTIONS]... [URI]...
                """));
    }
}
