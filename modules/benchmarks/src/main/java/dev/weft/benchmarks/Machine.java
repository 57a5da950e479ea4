package dev.weft.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** What the report says about the machine and the software, read once at the start of a run. */
final class Machine {
    /** The key under which the runner lists servers it could not run on this machine, and why. */
    static final String NOT_MEASURED = "Not measured";

    /** {@code h2load} is the HTTP/2 load client when that workload runs, else {@code null}. */
    static Map<String, String> describe(String java, String command, ServerSpec.Tools tools, Path h2load) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        List<String> cpuinfo = Files.readAllLines(Path.of("/proc/cpuinfo"));
        m.put("CPUs", Long.toString(cpuinfo.stream().filter(l -> l.startsWith("processor")).count()));
        m.put("CPU model", cpuinfo.stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown"));
        m.put("Memory", Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024 + " GiB").findFirst().orElse("unknown"));
        m.put("Kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
        m.put("OS", osName());
        m.put("JDK", firstLine(List.of(java, "-version"), "Runtime Environment"));
        m.put("wrk", firstLine(List.of("wrk", "-v"), null));
        if (h2load != null) {
            m.put("h2load", firstLine(List.of(h2load.toString(), "--version"), null));
        }
        Properties versions = new Properties();
        try (InputStream in = Machine.class.getResourceAsStream("versions.properties")) {
            versions.load(in);
        }
        m.put("Helidon", versions.getProperty("helidon"));
        m.put("Netty", versions.getProperty("netty"));
        m.put("Jetty", versions.getProperty("jetty"));
        if (Files.isExecutable(tools.goBinary())) {
            m.put("Go", firstLine(List.of("go", "version", tools.goBinary().toString()), null));
        }
        if (tools.nginx() != null && Files.isExecutable(tools.nginx())) {
            m.put("nginx", firstLine(List.of(tools.nginx().toString(), "-v"), null));
        }
        m.put("Weft commit", firstLine(List.of("git", "rev-parse", "--short", "HEAD"), null));
        m.put("Date (UTC)", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("Command", command);
        return m;
    }

    static void write(Map<String, String> m, Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(k).append('\t').append(v).append('\n'));
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }

    static Map<String, String> read(Path file) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                m.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        return m;
    }

    private static String osName() throws IOException {
        Path release = Path.of("/etc/os-release");
        if (!Files.exists(release)) {
            return "unknown";
        }
        return Files.readAllLines(release).stream().filter(l -> l.startsWith("PRETTY_NAME="))
                .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", "")).findFirst().orElse("unknown");
    }

    /** The first output line of a command, or the line containing {@code key}; "unknown" if it fails. */
    private static String firstLine(List<String> command, String key) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            for (String line : out.lines().toList()) {
                if (key == null) {
                    return line.trim();
                }
                if (line.contains(key)) {
                    return line.trim();
                }
            }
        } catch (IOException | InterruptedException e) {
            // The report says unknown rather than failing the run over a description line.
        }
        return "unknown";
    }

    private Machine() {}
}
