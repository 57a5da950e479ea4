package dev.weft.benchmarks;

import dev.weft.benchmarks.load.Http;
import dev.weft.benchmarks.load.IdleConnections;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs every server through every workload of its kind, round after round (A B C … A B C …),
 * writes {@code results.csv} and {@code machine.txt} into the output directory, then the report.
 *
 * <p>Each server starts pinned to CPU {@value #SERVER_CPU}; wrk and the load clients run pinned to
 * CPU {@value #LOAD_CPU}; traffic goes to 127.0.0.1 only; every run is bounded in time; the
 * server is stopped by PID (SIGTERM, then SIGKILL after 15 s; children it leaves are killed too).
 * Servers whose binary this machine lacks (Go, nginx) and a large idle count the open-files limit
 * cannot hold are skipped and named in the report. Each HTTP wrk run also records the server's CPU
 * time per request and wrk's p99; the static-file workloads run on a second launch of each server
 * that serves files. {@code modules/benchmarks/run.sh} is the documented way to start it.
 */
public final class Runner {
    static final String SERVER_CPU = "0";
    static final String LOAD_CPU = "1";
    private static final String HOST = "127.0.0.1";
    private static final int START_TIMEOUT_MS = 30_000;

    /** Command-line options; {@code --smoke} swaps in the small CI settings. */
    record Options(boolean smoke, int rounds, double duration, double warmup, int idleConnections, int idleLarge,
                   boolean staticFiles, boolean h2, long streamBytes, Set<String> only, Path weftJar, Path benchJar, Path goBinary,
                   Path nginx, Path out, Path report, String java, String command) {

        static Options parse(String[] args) {
            boolean smoke = false;
            Boolean staticFiles = null, h2 = null;
            Integer rounds = null, idle = null, idleLarge = null;
            Double duration = null, warmup = null;
            Long streamMib = null;
            Set<String> only = new LinkedHashSet<>();
            Path weftJar = Path.of("samples/target/weft-samples.jar");
            Path benchJar = Path.of("modules/benchmarks/target/weft-benchmarks.jar");
            Path goBinary = Path.of("modules/benchmarks/target/go-httpserver");
            Path nginx = null;
            Path out = Path.of("modules/benchmarks/target/benchmarks");
            Path report = null;
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String command = "java -jar weft-benchmarks.jar " + String.join(" ", args);
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--smoke" -> smoke = true;
                    case "--rounds" -> rounds = positiveInt(a, value(args, ++i, a));
                    case "--duration" -> duration = positiveDouble(a, value(args, ++i, a));
                    case "--warmup" -> warmup = Double.parseDouble(value(args, ++i, a));
                    case "--idle" -> idle = positiveInt(a, value(args, ++i, a));
                    case "--idle-large" -> idleLarge = Integer.parseInt(value(args, ++i, a));
                    case "--static" -> staticFiles = true;
                    case "--no-static" -> staticFiles = false;
                    case "--h2" -> h2 = true;
                    case "--no-h2" -> h2 = false;
                    case "--stream-mib" -> streamMib = (long) positiveInt(a, value(args, ++i, a));
                    case "--only" -> only.addAll(List.of(value(args, ++i, a).split(",")));
                    case "--weft-jar" -> weftJar = Path.of(value(args, ++i, a));
                    case "--bench-jar" -> benchJar = Path.of(value(args, ++i, a));
                    case "--go-bin" -> goBinary = Path.of(value(args, ++i, a));
                    case "--nginx" -> nginx = Path.of(value(args, ++i, a));
                    case "--out" -> out = Path.of(value(args, ++i, a));
                    case "--report" -> report = Path.of(value(args, ++i, a));
                    case "--java" -> java = value(args, ++i, a);
                    case "--command" -> command = value(args, ++i, a);
                    default -> throw new IllegalArgumentException("unknown option '" + a + "'; options: --smoke --rounds N "
                            + "--duration S --warmup S --idle N --idle-large N --static --no-static --h2 --no-h2 --stream-mib M "
                            + "--only id,id --weft-jar P --bench-jar P --go-bin P --nginx P --out DIR --report FILE "
                            + "--java PATH --command TEXT");
                }
            }
            if (idleLarge != null && idleLarge < 0) {
                throw new IllegalArgumentException("--idle-large must be 0 (off) or a count of connections, got " + idleLarge);
            }
            for (String id : only) {
                if (!ServerSpec.order().contains(id)) {
                    throw new IllegalArgumentException("--only: unknown server '" + id + "'; known: " + ServerSpec.order());
                }
            }
            if (smoke) {
                return new Options(true, or(rounds, 1), or(duration, 1.0), or(warmup, 1.0), or(idle, 200), or(idleLarge, 0),
                        or(staticFiles, false), or(h2, false), or(streamMib, 64L) << 20,
                        only.isEmpty() ? Set.of("weft", "weft-echo", "weft-eventloop-echo") : only,
                        weftJar, benchJar, goBinary, nginx, out,
                        report == null ? out.resolve("benchmarks-smoke.md") : report, java, command);
            }
            return new Options(false, or(rounds, 3), or(duration, 10.0), or(warmup, 3.0), or(idle, 10_000),
                    or(idleLarge, 100_000), or(staticFiles, true), or(h2, true), or(streamMib, 1024L) << 20, only, weftJar, benchJar,
                    goBinary, nginx, out, report == null ? Path.of("docs/benchmarks.md") : report, java, command);
        }

        Options withoutIdleLarge() {
            return new Options(smoke, rounds, duration, warmup, idleConnections, 0, staticFiles, h2, streamBytes, only,
                    weftJar, benchJar, goBinary, nginx, out, report, java, command);
        }

        Options withoutH2() {
            return new Options(smoke, rounds, duration, warmup, idleConnections, idleLarge, staticFiles, false, streamBytes,
                    only, weftJar, benchJar, goBinary, nginx, out, report, java, command);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int positiveInt(String option, String v) {
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw new IllegalArgumentException(option + " must be at least 1, got " + v);
            }
            return n;
        }

        private static double positiveDouble(String option, String v) {
            double d = Double.parseDouble(v);
            if (!(d > 0)) {
                throw new IllegalArgumentException(option + " must be positive, got " + v);
            }
            return d;
        }

        private static <T> T or(T value, T fallback) {
            return value != null ? value : fallback;
        }
    }

    /** Idle connections from one client address: well inside the default ephemeral port range (32768–60999). */
    static final int CONNECTIONS_PER_SOURCE = 10_000;
    /** Static files the runner writes into {@code OUT/static}: name and size. */
    static final Map<String, Integer> STATIC_FILES = Map.of("4k.bin", 4096, "1m.bin", 1 << 20);

    private final Options options;
    private final Results results;
    private final Wrk wrk;
    /** {@code null} when h2load is not installed (the HTTP/2 workload is then off). */
    private final H2load h2load;
    private final ServerSpec.Tools tools;
    private final Path staticDir;
    private int failures;
    /** The next loopback source address (127.0.0.x) a spread idle run starts from. */
    private int nextSource = 2;

    private Runner(Options options, Results results, Wrk wrk, H2load h2load, ServerSpec.Tools tools, Path staticDir) {
        this.options = options;
        this.results = results;
        this.wrk = wrk;
        this.h2load = h2load;
        this.tools = tools;
        this.staticDir = staticDir;
    }

    public static void main(String[] args) throws Exception {
        Options parsed = Options.parse(args);
        List<String> notMeasured = new ArrayList<>();
        long files = Proc.openFilesLimit();
        // A machine limit, not a failure of a server: said at the top of the report, like a missing nginx.
        Options o = parsed;
        if (parsed.idleLarge() > 0 && files >= 0 && files < parsed.idleLarge() + 1024L) {
            notMeasured.add(String.format(Locale.ROOT, "%,d idle connections (needs %,d open files, the limit here is %,d: "
                    + "raising the hard limit with `ulimit -Hn` needs root with CAP_SYS_RESOURCE)",
                    parsed.idleLarge(), parsed.idleLarge() + 1024L, files));
            log("skipping the large idle count: " + notMeasured.getLast());
            o = o.withoutIdleLarge();
        }
        Path h2load = findOnPath("h2load");
        if (o.h2() && h2load == null) {
            notMeasured.add("the HTTP/2 workload " + Workload.H2_PLAINTEXT.id() + " (h2load not installed: Debian nghttp2-client; "
                    + "run.sh installs it when root)");
            log("skipping the HTTP/2 workload: " + notMeasured.getLast());
            o = o.withoutH2();
        }
        for (Path jar : List.of(o.weftJar(), o.benchJar())) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " does not exist: build first (modules/benchmarks/run.sh does)");
            }
        }
        Files.createDirectories(o.out().resolve("logs"));
        Path scripts = o.out().resolve("wrk");
        Files.createDirectories(scripts);
        for (String script : List.of("pipeline.lua", "echo.lua")) {
            try (InputStream in = Runner.class.getResourceAsStream("wrk/" + script)) {
                Files.copy(in, scripts.resolve(script), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path nginx = o.nginx() != null ? o.nginx() : findNginx();
        var tools = new ServerSpec.Tools(o.weftJar().toAbsolutePath(), o.benchJar().toAbsolutePath(),
                o.goBinary().toAbsolutePath(), nginx);
        Map<String, String> machine = Machine.describe(o.java(), o.command(), tools, o.h2() ? h2load : null);

        List<ServerSpec> servers = new ArrayList<>();
        for (ServerSpec s : ServerSpec.all(tools)) {
            if (!o.only().isEmpty() && !o.only().contains(s.id())) {
                continue;
            }
            String missing = missing(s, tools);
            if (missing != null) {
                notMeasured.add(s.label() + ": " + missing);
                log("skipping " + s.label() + ": " + missing);
            } else {
                servers.add(s);
            }
        }
        if (!notMeasured.isEmpty()) {
            machine.put(Machine.NOT_MEASURED, String.join("; ", notMeasured));
        }
        Path machineFile = o.out().resolve("machine.txt");
        Machine.write(machine, machineFile);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("--only " + o.only() + " leaves no server to run: " + notMeasured);
        }
        Path staticDir = o.out().resolve("static");
        if (o.staticFiles()) {
            writeStaticFiles(staticDir);
        }
        Path csv = o.out().resolve("results.csv");
        int failures;
        try (Results results = new Results(csv)) {
            Runner runner = new Runner(o, results, new Wrk(LOAD_CPU, scripts),
                    h2load == null ? null : new H2load(LOAD_CPU, h2load.toString()), tools, staticDir.toAbsolutePath());
            for (int round = 1; round <= o.rounds(); round++) {
                for (ServerSpec server : servers) {
                    runner.run(server, round);
                }
            }
            failures = runner.failures;
        }
        Report.write(Results.read(csv), machine, o.report(), o.smoke());
        log("results: " + csv.toAbsolutePath());
        log("report:  " + o.report().toAbsolutePath());
        if (failures > 0) {
            log(failures + " measurement(s) failed: see the 'detail' column of " + csv + " and " + o.out().resolve("logs"));
            System.exit(1);
        }
    }

    /** Why a server cannot run on this machine, or {@code null} if it can. */
    private static String missing(ServerSpec s, ServerSpec.Tools tools) {
        return switch (s.launcher()) {
            case JAVA -> null;
            case GO -> Files.isExecutable(tools.goBinary()) ? null
                    : "no Go binary at " + tools.goBinary() + " (run.sh builds it when `go` is installed: Debian golang-go)";
            case NGINX -> tools.nginx() != null && Files.isExecutable(tools.nginx()) ? null
                    : "nginx not installed (Debian nginx-light; run.sh installs it when root)";
        };
    }

    private static Path findNginx() {
        return findOnPath("nginx", "/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin");
    }

    /** The first executable {@code name} on PATH, then in {@code extraDirs}; {@code null} if none. */
    private static Path findOnPath(String name, String... extraDirs) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of(extraDirs));
        for (String d : dirs) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Random bytes (fixed seed, so every run serves the same files), incompressible so no server gzips them. */
    private static void writeStaticFiles(Path dir) throws IOException {
        Files.createDirectories(dir);
        var random = new java.util.Random(4);
        for (var e : STATIC_FILES.entrySet()) {
            byte[] bytes = new byte[e.getValue()];
            random.nextBytes(bytes);
            Files.write(dir.resolve(e.getKey()), bytes);
        }
    }

    private Process launch(ServerSpec server, int port, Path files, Path logFile) throws IOException {
        Path conf = null;
        if (server.launcher() == ServerSpec.Launcher.NGINX) {
            int max = Math.max(options.idleConnections(), options.idleLarge());
            conf = Nginx.writeConfig(options.out().resolve("nginx").toAbsolutePath(), port,
                    files != null ? files : staticDir, max + 1024);
        }
        List<String> cmd = server.command(SERVER_CPU, options.java(), tools, port, files, conf);
        Files.writeString(logFile, "# " + String.join(" ", cmd) + "\n");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
    }

    private void run(ServerSpec server, int round) throws IOException {
        log("round " + round + "/" + options.rounds() + ": " + server.label());
        int port = freePort();
        Path logFile = options.out().resolve("logs").resolve(server.id() + "-round" + round + ".log");
        long launched = System.nanoTime();
        Process process;
        try {
            process = launch(server, port, null, logFile);
        } catch (IOException e) {
            fail(round, server, server.kind() == ServerSpec.Kind.HTTP ? Workload.STARTUP : Workload.TCP_PINGPONG,
                    "could not start: " + e.getMessage());
            return;
        }
        var target = new InetSocketAddress(HOST, port);
        try {
            if (server.kind() == ServerSpec.Kind.HTTP) {
                double startupMs = awaitFirst200(process, target, launched, logFile);
                record(round, server, Workload.STARTUP, startupMs, 0, "");
                http(server, round, target, process);
            } else {
                awaitPort(process, target, logFile);
                tcp(server, round, port);
            }
        } catch (Exception e) {
            fail(round, server, server.kind() == ServerSpec.Kind.HTTP ? Workload.STARTUP : Workload.TCP_PINGPONG,
                    "server did not come up: " + e.getMessage());
        } finally {
            stop(process);
        }
        if (server.kind() == ServerSpec.Kind.HTTP && options.idleLarge() > 0) {
            idleLarge(server, round);
        }
        if (options.staticFiles() && server.has(ServerSpec.Feature.STATIC)) {
            staticFiles(server, round);
        }
    }

    /**
     * The large idle count on a launch of its own, warmed like the first: measured right after the
     * small count, its baseline would still hold connections the server had not yet seen close.
     */
    private void idleLarge(ServerSpec server, int round) throws IOException {
        int port = freePort();
        Path logFile = options.out().resolve("logs").resolve(server.id() + "-idle-large-round" + round + ".log");
        Process process;
        try {
            process = launch(server, port, null, logFile);
        } catch (IOException e) {
            fail(round, server, Workload.IDLE_RSS_LARGE, "could not start: " + e.getMessage());
            return;
        }
        var target = new InetSocketAddress(HOST, port);
        try {
            awaitFirst200(process, target, System.nanoTime(), logFile);
            if (options.warmup() > 0) {
                wrk.run("http://" + HOST + ":" + port + "/plaintext", 16, null, 2 * options.warmup());
            }
            idleMemory(server, round, target, process.toHandle(), options.idleLarge(), Workload.IDLE_RSS_LARGE,
                    Workload.IDLE_HEAP_LARGE);
        } catch (Exception e) {
            fail(round, server, Workload.IDLE_RSS_LARGE, "server did not come up for the large idle count: " + e.getMessage());
        } finally {
            stop(process);
        }
    }

    /**
     * The static-file workloads, on a launch of their own with the files directory (for Weft,
     * HttpDemo's {@code --files DIR}): a server that cannot serve files fails these rows only.
     */
    private void staticFiles(ServerSpec server, int round) throws IOException {
        List<Workload> workloads = List.of(Workload.STATIC_4K, Workload.STATIC_1M);
        int port = freePort();
        Path logFile = options.out().resolve("logs").resolve(server.id() + "-static-round" + round + ".log");
        Process process = null;
        var target = new InetSocketAddress(HOST, port);
        try {
            process = launch(server, port, staticDir, logFile);
            awaitFirst200(process, target, System.nanoTime(), logFile);
        } catch (Exception e) {
            if (process != null) {
                stop(process);
            }
            for (Workload w : workloads) {
                fail(round, server, w, "server did not come up with a files directory: " + e.getMessage());
            }
            return;
        }
        try {
            String base = "http://" + HOST + ":" + port + "/files/";
            for (Workload w : workloads) {
                String name = w == Workload.STATIC_4K ? "4k.bin" : "1m.bin";
                String wrong = checkFile(base + name, staticDir.resolve(name));
                if (wrong != null) {
                    fail(round, server, w, wrong);
                    continue;
                }
                wrkWorkload(server, round, w, base + name, w == Workload.STATIC_4K ? 64 : 16, null, process.toHandle());
            }
        } finally {
            stop(process);
        }
    }

    /** {@code null} if GET url answers 200 with exactly the file's bytes, else what is wrong. */
    private static String checkFile(String url, Path file) {
        try (var client = java.net.http.HttpClient.newHttpClient()) {
            var response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                    .timeout(java.time.Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                return "GET " + url + " answered " + response.statusCode() + ", not 200 with the file";
            }
            if (!java.util.Arrays.equals(response.body(), Files.readAllBytes(file))) {
                return "GET " + url + " answered 200 but not the file's " + Files.size(file) + " bytes (got "
                        + response.body().length + ")";
            }
            return null;
        } catch (IOException e) {
            return "GET " + url + " failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "GET " + url + " interrupted";
        }
    }

    private void http(ServerSpec server, int round, InetSocketAddress target, Process process) throws IOException {
        String base = "http://" + HOST + ":" + target.getPort();
        // Idle memory comes first, on a server that has only warmed its request path: after the
        // throughput runs the heap's high-water mark hides new objects in pages already resident.
        if (options.warmup() > 0) {
            try {
                wrk.run(base + "/plaintext", 16, null, 2 * options.warmup());
            } catch (IOException | InterruptedException e) {
                fail(round, server, Workload.IDLE_RSS, "warm-up failed: " + e.getMessage());
            }
        }
        ProcessHandle handle = process.toHandle();
        idleMemory(server, round, target, handle, options.idleConnections(), Workload.IDLE_RSS, Workload.IDLE_HEAP);
        wrkWorkload(server, round, Workload.PLAINTEXT_16, base + "/plaintext", 16, null, handle);
        wrkWorkload(server, round, Workload.PLAINTEXT_256, base + "/plaintext", 256, null, handle);
        wrkWorkload(server, round, Workload.JSON_16, base + "/json", 16, null, handle);
        wrkWorkload(server, round, Workload.JSON_256, base + "/json", 256, null, handle);
        wrkWorkload(server, round, Workload.PIPELINED, base + "/plaintext", 256, "pipeline.lua", handle);
        if (server.has(ServerSpec.Feature.ECHO)) {
            wrkWorkload(server, round, Workload.ECHO_4K, base + "/echo", 64, "echo.lua", handle);
        }
        if (options.h2() && server.has(ServerSpec.Feature.H2C)) {
            h2Workload(server, round, Workload.H2_PLAINTEXT, base + "/plaintext", handle);
        }
    }

    /** Connections and concurrent streams per connection of the HTTP/2 workload (issue #13: 100 streams on 16 connections). */
    static final int H2_CONNECTIONS = 16;
    static final int H2_STREAMS = 100;

    /**
     * One h2load run (h2c with prior knowledge on the server's plain port) after a warm-up of the
     * same load, with the server's CPU time read around the measured run as for wrk.
     */
    private void h2Workload(ServerSpec server, int round, Workload w, String url, ProcessHandle process) throws IOException {
        try {
            if (options.warmup() > 0) {
                h2load.run(url, H2_CONNECTIONS, H2_STREAMS, options.warmup());
            }
            long cpuBefore = Proc.cpuTicks(process);
            H2load.Result r = h2load.run(url, H2_CONNECTIONS, H2_STREAMS, options.duration());
            long cpuTicks = Proc.cpuTicks(process) - cpuBefore;
            String cpu = String.format(Locale.ROOT, "server CPU %.2f s", (double) cpuTicks / Proc.CLOCK_TICKS);
            record(round, server, w, r.requestsPerSecond(), r.errors(), r.done() + " requests done, " + r.status2xx()
                    + " 2xx; mean " + r.meanLatency() + "; " + cpu + "; errors: " + r.errorSummary());
            if (r.done() > 0) {
                results.add(new Results.Row(round, server.id(), w.cpu(), cpuTicks * 1e6 / Proc.CLOCK_TICKS / r.done(),
                        "µs/req", 0, cpu));
            }
            // As for wrk: no 2xx at all or any other status fails the run; streams without a status
            // (reset, connection lost) are counted in the errors column.
            if (r.status2xx() == 0 || r.non2xx() > 0) {
                failures++;
                log("  " + w.id() + " FAILED: " + r.status2xx() + " 2xx responses, errors: " + r.errorSummary());
            }
        } catch (IOException | InterruptedException e) {
            fail(round, server, w, e.getMessage());
        }
    }

    /**
     * One wrk run after a warm-up of the same workload, with the server's CPU time (user + system,
     * its whole process tree) read from /proc just before and after the measured run.
     */
    private void wrkWorkload(ServerSpec server, int round, Workload w, String url, int connections, String script,
                             ProcessHandle process) throws IOException {
        try {
            if (options.warmup() > 0) {
                wrk.run(url, connections, script, options.warmup());
            }
            long cpuBefore = Proc.cpuTicks(process);
            Wrk.Result r = wrk.run(url, connections, script, options.duration());
            long cpuTicks = Proc.cpuTicks(process) - cpuBefore;
            double cpuMicrosPerRequest = r.requests() == 0 ? 0 : cpuTicks * 1e6 / Proc.CLOCK_TICKS / r.requests();
            String cpu = String.format(Locale.ROOT, "server CPU %.2f s", (double) cpuTicks / Proc.CLOCK_TICKS);
            record(round, server, w, r.requestsPerSecond(), r.errors(),
                    r.requests() + " requests; p99 " + r.p99() + "; " + cpu + "; errors: " + r.errorSummary());
            if (r.requests() > 0) {
                results.add(new Results.Row(round, server.id(), w.cpu(), cpuMicrosPerRequest, "µs/req", 0, cpu));
            }
            if (r.p99Millis() != null) {
                results.add(new Results.Row(round, server.id(), w.p99(), r.p99Millis(), "ms", 0, "wrk --latency 99%"));
            }
            if (r.requests() == 0 || r.non2xx() > 0) {
                failures++;
                log("  " + w.id() + " FAILED: " + r.requests() + " requests, errors: " + r.errorSummary());
            }
        } catch (IOException | InterruptedException e) {
            fail(round, server, w, e.getMessage());
        }
    }

    /**
     * RSS and the live heap are read after a full GC before and after opening the connections, so
     * the difference is what the connections hold, not garbage the load runs left behind. Servers that
     * are no JVM get RSS only (of their whole process tree). Counts above
     * {@value #CONNECTIONS_PER_SOURCE} connect from several loopback source addresses.
     */
    private void idleMemory(ServerSpec server, int round, InetSocketAddress target, ProcessHandle process, int n,
                            Workload rssWorkload, Workload heapWorkload) throws IOException {
        boolean jvm = server.has(ServerSpec.Feature.JVM_HEAP);
        long pid = process.pid();
        long limit = Proc.openFilesLimit();
        if (limit >= 0 && limit < n + 1024L) {
            fail(round, server, rssWorkload, n + " idle connections need " + (n + 1024) + " open files in the runner (and "
                    + "the server), its limit is " + limit + ": run.sh raises `ulimit -n` (as root up to fs.nr_open)");
            return;
        }
        try {
            if (jvm) {
                gc(pid);
            }
            long rssBefore = Proc.rssKb(process);
            long heapBefore = jvm ? liveHeapBytes(pid) : 0;
            long opening = System.nanoTime();
            var sources = IdleConnections.loopbackSources(n, CONNECTIONS_PER_SOURCE, nextSource);
            nextSource += sources.size();
            try (IdleConnections idle = IdleConnections.open(target, n, 10_000, sources)) {
                double openSeconds = (System.nanoTime() - opening) / 1e9;
                // Idle means settled: let the server finish whatever it does after a response
                // (Weft, for one, keeps a connection's buffers for its first second of idleness).
                Thread.sleep(3000);
                if (jvm) {
                    gc(pid);
                }
                long rssAfter = Proc.rssKb(process);
                long heapAfter = jvm ? liveHeapBytes(pid) : 0;
                int open = idle.stillOpen();
                double rssPerConn = (rssAfter - rssBefore) * 1024.0 / n / 1000.0;
                double heapPerConn = (heapAfter - heapBefore) / 1000.0 / n;
                String detail = n + " connections (opened in " + String.format(Locale.ROOT, "%.1f", openSeconds) + " s), "
                        + open + " still open; RSS " + rssBefore + " -> " + rssAfter + " KiB"
                        + (jvm ? "; live heap " + heapBefore / 1024 + " -> " + heapAfter / 1024 + " KiB" : "");
                record(round, server, rssWorkload, rssPerConn, n - open, detail);
                if (jvm) {
                    record(round, server, heapWorkload, heapPerConn, n - open, detail);
                }
                if (open < n) {
                    failures++;
                    log("  idle memory: the server closed " + (n - open) + " of " + n + " idle connections");
                }
            }
        } catch (Exception e) {
            fail(round, server, rssWorkload, n + " idle connections: " + e);
        }
    }

    private void tcp(ServerSpec server, int round, int port) throws IOException {
        String p = Integer.toString(port);
        try {
            String out = loadClient("dev.weft.benchmarks.load.TcpPingPong", List.of(HOST, p, "64", "64",
                    fmt(options.warmup()), fmt(options.duration())), options.warmup() + options.duration() + 30);
            Matcher m = Pattern.compile("round_trips_per_sec=([0-9.]+) round_trips=(\\d+) errors=(\\d+)").matcher(out);
            if (!m.find()) {
                throw new IOException("TcpPingPong printed no result: " + out);
            }
            long errors = Long.parseLong(m.group(3));
            record(round, server, Workload.TCP_PINGPONG, Double.parseDouble(m.group(1)), errors, m.group(2) + " round trips");
            if (Long.parseLong(m.group(2)) == 0 || errors > 0) {
                failures++;
            }
        } catch (IOException | InterruptedException e) {
            fail(round, server, Workload.TCP_PINGPONG, e.getMessage());
        }
        try {
            long warmupBytes = options.warmup() > 0 ? options.streamBytes() / 4 : 0;
            int timeout = options.smoke() ? 10 : 20;
            String out = loadClient("dev.weft.benchmarks.load.TcpStream", List.of(HOST, p,
                    Long.toString(options.streamBytes()), Long.toString(warmupBytes), Integer.toString(timeout)),
                    2 * timeout + 30);
            Matcher m = Pattern.compile("gb_per_sec=([0-9.]+) bytes=(\\d+) seconds=([0-9.]+) complete=(\\w+) errors=(\\d+)")
                    .matcher(out);
            if (!m.find()) {
                throw new IOException("TcpStream printed no result: " + out);
            }
            boolean complete = Boolean.parseBoolean(m.group(4));
            long errors = Long.parseLong(m.group(5));
            // A stream that did not finish in time is a (bad) figure, not a harness failure:
            // it is reported with what arrived and counted in the errors column.
            record(round, server, Workload.TCP_STREAM, Double.parseDouble(m.group(1)), errors + (complete ? 0 : 1),
                    m.group(2) + " bytes echoed in " + m.group(3) + " s" + (complete ? "" : " (incomplete: timed out)"));
            if (errors > 0) {
                failures++;
            }
        } catch (IOException | InterruptedException e) {
            fail(round, server, Workload.TCP_STREAM, e.getMessage());
        }
    }

    /** Runs a load client from this jar in its own JVM on the load CPU and returns what it printed. */
    private String loadClient(String main, List<String> args, double timeoutSeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", LOAD_CPU, options.java(), "-cp",
                options.benchJar().toAbsolutePath().toString(), main));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor((long) timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IOException(main + " did not finish within " + timeoutSeconds + " s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(main + " exited with " + p.exitValue() + ": " + text);
        }
        return text;
    }

    private void record(int round, ServerSpec server, Workload w, double value, long errors, String detail) throws IOException {
        results.add(new Results.Row(round, server.id(), w.id(), value, w.unit(), errors, detail));
        log(String.format("  %-18s %12.3f %-14s errors %d", w.id(), value, w.unit(), errors));
    }

    private void fail(int round, ServerSpec server, Workload w, String why) throws IOException {
        failures++;
        results.add(new Results.Row(round, server.id(), w.id(), null, w.unit(), 0, why));
        log("  " + w.id() + " FAILED: " + why);
    }

    /** Milliseconds from launching the process to the first 200 response to GET /plaintext. */
    private static double awaitFirst200(Process process, InetSocketAddress target, long launched, Path logFile)
            throws IOException, InterruptedException {
        long deadline = launched + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            checkAlive(process, logFile);
            try {
                if (Http.get(target, "/plaintext", 1000) == 200) {
                    return (System.nanoTime() - launched) / 1e6;
                }
            } catch (ConnectException | SocketTimeoutException notYet) {
                // Not listening yet.
            } catch (SocketException resetDuringStart) {
                // Listening but not yet serving.
            }
            Thread.sleep(2); // polling interval: resolution of the start-up figure
        }
        throw new IOException("no 200 from GET /plaintext within " + START_TIMEOUT_MS + " ms; log: " + tail(logFile));
    }

    private static void awaitPort(Process process, InetSocketAddress target, Path logFile) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            checkAlive(process, logFile);
            try (Socket s = new Socket()) {
                s.connect(target, 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(5); // polling interval
            }
        }
        throw new IOException("port " + target.getPort() + " not open within " + START_TIMEOUT_MS + " ms; log: " + tail(logFile));
    }

    private static void checkAlive(Process process, Path logFile) throws IOException {
        if (!process.isAlive()) {
            throw new IOException("server exited with " + process.exitValue() + "; log: " + tail(logFile));
        }
    }

    private static void stop(Process process) {
        // nginx's worker is a child of the PID we hold: whatever outlives its parent is killed below.
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy(); // SIGTERM to the server's PID (taskset execs the server, so it is the JVM, Go binary or nginx master)
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                log("  server " + process.pid() + " ignored SIGTERM for 15 s: SIGKILL");
                process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                log("  server process " + child.pid() + " outlived its parent: SIGKILL");
                child.destroyForcibly();
            }
        }
    }

    private static void gc(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        Thread.sleep(500); // lets the GC's uncommit of freed heap reach RSS
    }

    /**
     * The live heap: {@code jcmd PID GC.class_histogram} (which runs a full GC first) summed over
     * every class but the JVM's fillers. Not the heap in use after a GC: a server pinned to one CPU
     * gets the Serial collector, whose full GC leaves up to {@code MarkSweepDeadRatio} (5%) of the
     * old generation's capacity uncompacted as filler arrays ({@code jdk.internal.vm.FillerElement}),
     * and counts them as used (docs/performance-history.md, "The idle-heap rows").
     */
    static long liveHeapBytes(long pid) throws IOException, InterruptedException {
        return parseLiveHeapBytes(jcmd(pid, "GC.class_histogram"));
    }

    private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)");

    /** Sums the bytes column of a {@code GC.class_histogram} over every class but {@code jdk.internal.vm.Filler*}. */
    static long parseLiveHeapBytes(String histogram) throws IOException {
        long bytes = 0;
        boolean found = false;
        for (String line : histogram.lines().toList()) {
            Matcher m = HISTOGRAM_ROW.matcher(line);
            if (m.find()) {
                found = true;
                String cls = m.group(2);
                if (!cls.startsWith("jdk.internal.vm.Filler") && !cls.startsWith("[Ljdk.internal.vm.Filler")) {
                    bytes += Long.parseLong(m.group(1));
                }
            }
        }
        if (!found) {
            throw new IOException("could not read a class histogram from GC.class_histogram:\n" + histogram);
        }
        return bytes;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), command))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed: " + out);
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static String fmt(double d) {
        return Double.toString(d);
    }

    private static void log(String line) {
        System.out.println(line);
    }
}
