import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Start-up of two or more launches of an HTTP server, side by side: from starting the process to
 * the first {@code 200} for {@code GET /plaintext}, polled every 2 ms as the benchmark Runner's
 * start-up workload does, and the server's CPU time (user + system from /proc/PID/stat, in the
 * kernel's 10 ms ticks) at that moment. Each launch runs pinned to CPU 0 (this client polls from
 * CPU 1), alternating for --rounds rounds (default 9) so drift in the machine falls on all of them;
 * each is stopped with SIGTERM after its answer. Prints every run, then per launch the median and
 * minimum of both figures.
 *
 * <pre>
 *   java modules/benchmarks/StartupTime.java [--rounds 9] [[--java PATH] LAUNCH...]...
 *   LAUNCH: JAR, or JAR@JVMFLAGS (space-separated flags before -jar), or JAR@JVMFLAGS@ARGS
 *   e.g. samples/target/weft-samples.jar 'samples/target/weft-samples.jar@-XX:AOTCache=app.aot'
 * </pre>
 *
 * The jar's main class gets {@code --port N} and then ARGS. A launch runs on the java of the
 * last --java before it (a jlink image's bin/java, say), else $JAVA_HOME/bin/java, else the java
 * this runs on.
 */
public final class StartupTime {
    private static final long START_TIMEOUT_MS = 30_000;

    record Launch(String text, String java, String jar, List<String> jvmFlags, List<String> args) {
        static Launch parse(String text, String java) {
            String[] parts = text.split("@", -1);
            if (parts.length > 3 || parts[0].isEmpty()) {
                throw new IllegalArgumentException("a launch is JAR[@JVMFLAGS[@ARGS]], not '" + text + "'");
            }
            return new Launch(text, java, parts[0], words(parts.length > 1 ? parts[1] : ""), words(parts.length > 2 ? parts[2] : ""));
        }

        String label() {
            return java + " " + text;
        }

        private static List<String> words(String s) {
            return s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
        }
    }

    record Run(double wallMs, double cpuMs) {}

    public static void main(String[] argv) throws Exception {
        int rounds = 9;
        String java = System.getenv("JAVA_HOME") != null
                ? Path.of(System.getenv("JAVA_HOME"), "bin", "java").toString()
                : Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Launch> launches = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--rounds" -> rounds = Integer.parseInt(value(argv, ++i, "--rounds"));
                case "--java" -> java = value(argv, ++i, "--java");
                default -> launches.add(Launch.parse(argv[i], java));
            }
        }
        if (launches.isEmpty() || rounds < 1) {
            System.err.println("usage: java StartupTime.java [--rounds 9] [[--java PATH] JAR[@JVMFLAGS[@ARGS]]...]...");
            System.exit(2);
        }
        for (Launch l : launches) {
            if (!Files.isRegularFile(Path.of(l.jar()))) {
                throw new IllegalArgumentException("no such jar: " + l.jar());
            }
        }
        pinSelf();
        List<List<Run>> runs = new ArrayList<>();
        launches.forEach(l -> runs.add(new ArrayList<>()));
        for (int round = 1; round <= rounds; round++) {
            for (int i = 0; i < launches.size(); i++) {
                Run r = once(launches.get(i));
                runs.get(i).add(r);
                System.out.printf(Locale.ROOT, "%s round %d: %.0f ms to the first 200, %.0f ms of CPU%n",
                        launches.get(i).label(), round, r.wallMs(), r.cpuMs());
            }
        }
        for (int i = 0; i < launches.size(); i++) {
            double[] wall = runs.get(i).stream().mapToDouble(Run::wallMs).sorted().toArray();
            double[] cpu = runs.get(i).stream().mapToDouble(Run::cpuMs).sorted().toArray();
            System.out.printf(Locale.ROOT, "%s: median %.0f ms (min %.0f), CPU median %.0f ms (min %.0f), %d rounds%n",
                    launches.get(i).label(), wall[wall.length / 2], wall[0], cpu[cpu.length / 2], cpu[0], wall.length);
        }
    }

    private static String value(String[] argv, int i, String flag) {
        if (i >= argv.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return argv[i];
    }

    /** This client polls from CPU 1, away from the server's CPU 0. */
    private static void pinSelf() throws IOException, InterruptedException {
        new ProcessBuilder("taskset", "-a", "-p", "-c", "1", Long.toString(ProcessHandle.current().pid()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    private static Run once(Launch launch) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", "0", launch.java()));
        cmd.addAll(launch.jvmFlags());
        cmd.addAll(List.of("-jar", launch.jar(), "--port", Integer.toString(port)));
        cmd.addAll(launch.args());
        long launched = System.nanoTime();
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = launched + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException(String.join(" ", cmd) + " exited with " + process.exitValue() + " before answering");
                }
                if (status(port) == 200) {
                    double wall = (System.nanoTime() - launched) / 1e6;
                    return new Run(wall, cpuMs(process.pid()));
                }
                Thread.sleep(2); // polling interval: the resolution of the figure, as in the Runner
            }
            throw new IOException("no 200 from GET /plaintext within " + START_TIMEOUT_MS + " ms: " + String.join(" ", cmd));
        } finally {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** The status of one GET /plaintext on a fresh connection; 0 while nothing listens or answers. */
    private static int status(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            String line = new String(head, StandardCharsets.US_ASCII);
            return line.startsWith("HTTP/1.1 ") ? Integer.parseInt(line.substring(9, 12)) : 0;
        } catch (IOException | NumberFormatException notYet) {
            return 0;
        }
    }

    /** utime + stime of the process (taskset execs java, so the pid is the JVM's), in ms. */
    private static double cpuMs(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 1000.0 / 100; // USER_HZ is 100 on Linux (sysconf(_SC_CLK_TCK))
    }
}
