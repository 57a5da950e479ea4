package dev.weft.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs {@code wrk} pinned to the load CPU and reads its summary. */
final class Wrk {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern P99 = Pattern.compile("\\s99%\\s+(\\S+)");

    /** One wrk run: throughput, and every error wrk counted, by kind. */
    record Result(double requestsPerSecond, long requests, long connectErrors, long readErrors, long writeErrors,
                  long timeouts, long non2xx, String p99, String output) {
        long errors() {
            return connectErrors + readErrors + writeErrors + timeouts + non2xx;
        }

        /** The 99th percentile in milliseconds, or {@code null} when wrk printed none. */
        Double p99Millis() {
            return millis(p99);
        }

        String errorSummary() {
            return "connect " + connectErrors + ", read " + readErrors + ", write " + writeErrors
                    + ", timeout " + timeouts + ", non-2xx " + non2xx;
        }
    }

    private final String loadCpu;
    private final Path scripts;

    Wrk(String loadCpu, Path scripts) {
        this.loadCpu = loadCpu;
        this.scripts = scripts;
    }

    Result run(String url, int connections, String script, double seconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", loadCpu, "wrk", "-t1", "-c" + connections,
                "-d" + Math.max(1, Math.round(seconds)) + "s", "--latency"));
        if (script != null) {
            cmd.add("-s");
            cmd.add(scripts.resolve(script).toString());
        }
        cmd.add(url);
        Path log = Files.createTempFile("wrk", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            // wrk ends by itself after -d; the margin covers connection set-up and its final report.
            if (!p.waitFor((long) seconds + 30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IOException("wrk did not finish within " + ((long) seconds + 30) + " s: " + String.join(" ", cmd));
            }
            String out = Files.readString(log);
            if (p.exitValue() != 0) {
                throw new IOException("wrk exited with " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + out);
            }
            return parse(out);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** A duration as wrk prints it ({@code 812.00us}, {@code 5.12ms}, {@code 1.20s}, {@code 2.00m}) in milliseconds. */
    static Double millis(String wrkTime) {
        Matcher m = Pattern.compile("([0-9.]+)(us|ms|s|m|h)").matcher(wrkTime == null ? "" : wrkTime);
        if (!m.matches()) {
            return null;
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "ms" -> v;
            case "s" -> v * 1000;
            case "m" -> v * 60_000;
            default -> v * 3_600_000;
        };
    }

    static Result parse(String out) throws IOException {
        Matcher rps = RPS.matcher(out);
        Matcher requests = REQUESTS.matcher(out);
        if (!rps.find() || !requests.find()) {
            throw new IOException("wrk printed no Requests/sec line:\n" + out);
        }
        long connect = 0, read = 0, write = 0, timeout = 0, non2xx = 0;
        Matcher errors = SOCKET_ERRORS.matcher(out);
        if (errors.find()) {
            connect = Long.parseLong(errors.group(1));
            read = Long.parseLong(errors.group(2));
            write = Long.parseLong(errors.group(3));
            timeout = Long.parseLong(errors.group(4));
        }
        Matcher bad = NON_2XX.matcher(out);
        if (bad.find()) {
            non2xx = Long.parseLong(bad.group(1));
        }
        Matcher p99 = P99.matcher(out);
        return new Result(Double.parseDouble(rps.group(1)), Long.parseLong(requests.group(1)), connect, read, write,
                timeout, non2xx, p99.find() ? p99.group(1) : "", out);
    }
}
