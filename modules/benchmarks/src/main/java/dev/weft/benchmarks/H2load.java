package dev.weft.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs nghttp2's {@code h2load} (Debian {@code nghttp2-client}) pinned to the load CPU and reads
 * its summary. An {@code http://} URL makes h2load speak h2c with prior knowledge (its
 * {@code --no-tls-proto} default), the HTTP/2 preface straight away with no upgrade.
 */
final class H2load {
    private static final Pattern FINISHED = Pattern.compile("finished in [^,]+, ([0-9.]+) req/s");
    private static final Pattern REQUESTS = Pattern.compile(
            "requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored, (\\d+) timeout");
    private static final Pattern STATUS = Pattern.compile("status codes: (\\d+) 2xx, (\\d+) 3xx, (\\d+) 4xx, (\\d+) 5xx");
    private static final Pattern MEAN = Pattern.compile("time for request:\\s+\\S+\\s+\\S+\\s+(\\S+)");

    /**
     * One h2load run. h2load's own definitions: {@code succeeded} are responses with a 2xx or 3xx
     * status; {@code failed} counts every other request, HTTP-level failures (4xx, 5xx) included;
     * {@code errored} is the part of {@code failed} that never got a status (a reset stream, a
     * broken connection); {@code timeout} the part of {@code errored} whose connection timed out.
     */
    record Result(double requestsPerSecond, long done, long succeeded, long failed, long errored, long timeouts,
                  long status2xx, long status3xx, long status4xx, long status5xx, String meanLatency, String output) {

        /** Requests that did not end in a 2xx: the ones without a status, and every status but 2xx. */
        long errors() {
            return errored + non2xx();
        }

        long non2xx() {
            return status3xx + status4xx + status5xx;
        }

        String errorSummary() {
            return "failed " + failed + ", errored " + errored + ", timeout " + timeouts + ", 3xx " + status3xx
                    + ", 4xx " + status4xx + ", 5xx " + status5xx;
        }
    }

    private final String loadCpu;
    private final String binary;

    H2load(String loadCpu, String binary) {
        this.loadCpu = loadCpu;
        this.binary = binary;
    }

    /**
     * {@code clients} connections with up to {@code streams} concurrent streams each, for
     * {@code seconds} (whole seconds, at least one, as for wrk), on one h2load thread.
     */
    Result run(String url, int clients, int streams, double seconds) throws IOException, InterruptedException {
        long whole = Math.max(1, Math.round(seconds));
        List<String> cmd = List.of("taskset", "-c", loadCpu, binary, "-t1", "-c" + clients, "-m" + streams,
                "-D", Long.toString(whole), url);
        Path log = Files.createTempFile("h2load", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            // h2load ends by itself after -D; the margin covers connection set-up and its summary.
            if (!p.waitFor(whole + 30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IOException("h2load did not finish within " + (whole + 30) + " s: " + String.join(" ", cmd));
            }
            String out = Files.readString(log);
            if (p.exitValue() != 0) {
                throw new IOException("h2load exited with " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + out);
            }
            return parse(out);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static Result parse(String out) throws IOException {
        Matcher finished = FINISHED.matcher(out);
        Matcher requests = REQUESTS.matcher(out);
        Matcher status = STATUS.matcher(out);
        if (!finished.find() || !requests.find() || !status.find()) {
            throw new IOException("h2load printed no summary (finished / requests / status codes lines):\n" + out);
        }
        Matcher mean = MEAN.matcher(out);
        return new Result(Double.parseDouble(finished.group(1)), Long.parseLong(requests.group(3)),
                Long.parseLong(requests.group(4)), Long.parseLong(requests.group(5)), Long.parseLong(requests.group(6)),
                Long.parseLong(requests.group(7)), Long.parseLong(status.group(1)), Long.parseLong(status.group(2)),
                Long.parseLong(status.group(3)), Long.parseLong(status.group(4)), mean.find() ? mean.group(1) : "", out);
    }
}
