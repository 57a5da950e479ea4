package dev.weft.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the runner reads from {@code /proc} about a server: its CPU time and resident memory,
 * summed over the process and its descendants (nginx serves from a worker its master forked).
 */
final class Proc {

    /** Clock ticks per second, the unit of utime and stime in {@code /proc/PID/stat}. */
    static final long CLOCK_TICKS = clockTicks();

    /** User plus system CPU time of the process tree, in clock ticks. */
    static long cpuTicks(ProcessHandle process) throws IOException {
        long ticks = 0;
        for (ProcessHandle p : tree(process)) {
            try {
                ticks += parseCpuTicks(Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat")));
            } catch (NoSuchFileException exited) {
                // A process of the tree that ended between listing and reading: nothing to add.
            }
        }
        return ticks;
    }

    /**
     * utime + stime (fields 14 and 15 of proc(5)'s stat line), summed over all threads of the
     * process. The command name (field 2) is in parentheses and may hold spaces and ')', so the
     * fields are counted from the last ')'.
     */
    static long parseCpuTicks(String stat) throws IOException {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IOException("not a /proc/PID/stat line: " + stat);
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state), so field n is f[n - 3].
        if (f.length < 13) {
            throw new IOException("short /proc/PID/stat line: " + stat);
        }
        return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
    }

    /** VmRSS of the process tree, in KiB. */
    static long rssKb(ProcessHandle process) throws IOException {
        long kb = 0;
        boolean found = false;
        for (ProcessHandle p : tree(process)) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        kb += Long.parseLong(line.replaceAll("\\D", ""));
                        found = true;
                    }
                }
            } catch (NoSuchFileException exited) {
                // Ended meanwhile: holds no memory any more.
            }
        }
        if (!found) {
            throw new IOException("no VmRSS in /proc/" + process.pid() + "/status (has the server exited?)");
        }
        return kb;
    }

    /** The soft limit on open files of this process ("Max open files" in /proc/self/limits), or -1 if unlimited or unknown. */
    static long openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Unknown: the caller does not refuse a run over it.
        }
        return -1;
    }

    private static List<ProcessHandle> tree(ProcessHandle process) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process);
        process.descendants().forEach(all::add);
        return all;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // Fall through to the Linux default.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100; // USER_HZ on every mainstream Linux architecture
    }

    private Proc() {}
}
