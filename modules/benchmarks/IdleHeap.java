import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live heap per idle keep-alive HTTP connection of one or more builds of HttpDemo, class by class.
 * Each jar in turn (alternating for --rounds rounds) is started alone, warmed as the benchmark
 * Runner warms it before its idle-heap workload ({@code wrk -t1 -c16} for --warmup seconds, 6 by
 * default, after 200 requests on fresh connections), then: {@code jcmd PID GC.class_histogram} (a full GC first) and
 * {@code GC.heap_info}; N connections that each send one {@code GET /plaintext}, read the answer
 * and stay open (spread over 127.0.0.2, .3, … at --per-source connections each); --settle seconds;
 * the same two readings again. Prints the difference per connection (the histogram's sum without
 * the JVM's filler objects, which is what the benchmark's idle-heap workload reads, and the heap in
 * use after GC, which also counts the dead space a full GC of the Serial collector leaves as
 * fillers: the JVM picks that collector when pinned to one CPU, as the benchmark pins servers) and
 * the classes that grew most, with bytes and instances per connection.
 *
 * <pre>
 *   java modules/benchmarks/IdleHeap.java [--connections 10000] [--per-source 9000] [--rounds 1]
 *        [--settle 5] [--top 25] [--warmup 6] [--websocket PATH] [--server-arg ARG]... JAR [JAR...]
 *   e.g. --server-arg --hibernate-idle-after --server-arg 1000
 * </pre>
 *
 * With {@code --websocket PATH} each connection is a WebSocket session instead (no
 * permessage-deflate offered): the opening handshake to PATH, one text message "hi" that must
 * come back (an echo, e.g. HttpDemo's {@code /ws/echo} or {@code /ws/listener-echo}), then idle;
 * the warm-up opens and closes 200 such sessions as well.
 *
 * Needs the open-files limit above the connection count in this JVM and in the server.
 */
public final class IdleHeap {

    private static final int PORT = 18481;
    /** --websocket: the sessions' path; null for keep-alive HTTP connections. */
    private static String websocketPath;

    public static void main(String[] args) throws Exception {
        int n = 10_000;
        int perSource = 9_000;
        int rounds = 1;
        int settle = 5;
        int top = 25;
        int warmup = 6;
        List<String> serverArgs = new ArrayList<>();
        List<String> jars = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--connections" -> n = Integer.parseInt(args[++i]);
                case "--per-source" -> perSource = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--settle" -> settle = Integer.parseInt(args[++i]);
                case "--top" -> top = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--server-arg" -> serverArgs.add(args[++i]);
                case "--websocket" -> websocketPath = args[++i];
                default -> jars.add(args[i]);
            }
        }
        if (jars.isEmpty()) {
            System.err.println("IdleHeap: give at least one jar");
            System.exit(2);
        }
        int source = 2;
        for (int r = 1; r <= rounds; r++) {
            for (String jar : jars) {
                measure(jar, r, n, perSource, source, settle, top, warmup, serverArgs);
                source += Math.max(1, (n + perSource - 1) / perSource);
                if (source > 200) {
                    source = 2;
                }
            }
        }
    }

    private static void measure(String jar, int round, int n, int perSource, int firstSource, int settle, int top, int warmup,
                                List<String> serverArgs) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-jar", jar, "--port", Integer.toString(PORT)));
        cmd.addAll(serverArgs);
        Path log = Files.createTempFile("idleheap-server", ".log");
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", PORT);
            waitUp(target);
            for (int i = 0; i < 200; i++) {
                try (Socket s = new Socket()) {
                    s.connect(target, 5000);
                    s.setSoTimeout(5000);
                    exchange(s, target);
                }
                if (websocketPath != null) {
                    try (Socket s = new Socket()) {
                        s.connect(target, 5000);
                        s.setSoTimeout(5000);
                        wsExchange(s, target);
                    }
                }
            }
            if (warmup > 0) {
                // As the benchmark Runner warms before its idle-heap workload: the request path
                // JIT-compiled, which also sets the size of a parked thread's stack frames.
                Process wrk = new ProcessBuilder("wrk", "-t1", "-c16", "-d" + warmup + "s",
                        "http://127.0.0.1:" + PORT + "/plaintext").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                wrk.waitFor();
            }
            Thread.sleep(2000);
            long pid = server.pid();
            Map<String, long[]> before = histogram(jcmd(pid, "GC.class_histogram"));
            long heapBefore = heapUsedKb(jcmd(pid, "GC.heap_info"));
            List<Socket> open = openIdle(target, n, perSource, firstSource);
            try {
                Thread.sleep(settle * 1000L);
                Map<String, long[]> after = histogram(jcmd(pid, "GC.class_histogram"));
                long heapAfter = heapUsedKb(jcmd(pid, "GC.heap_info"));
                int stillOpen = stillOpen(open);
                report(jar, round, n, before, after, heapBefore, heapAfter, stillOpen, top, serverArgs, pid);
            } finally {
                for (Socket s : open) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // best effort
                    }
                }
            }
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
    }

    private static void report(String jar, int round, int n, Map<String, long[]> before, Map<String, long[]> after,
                               long heapBefore, long heapAfter, int stillOpen, int top, List<String> serverArgs,
                               long pid) throws Exception {
        long total = 0;
        List<Map.Entry<String, long[]>> rows = new ArrayList<>();
        for (var e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long[] d = {e.getValue()[0] - b[0], e.getValue()[1] - b[1]};
            total += d[1];
            rows.add(Map.entry(e.getKey(), d));
        }
        for (var e : before.entrySet()) {
            if (!after.containsKey(e.getKey())) {
                total -= e.getValue()[1];
                rows.add(Map.entry(e.getKey(), new long[] {-e.getValue()[0], -e.getValue()[1]}));
            }
        }
        rows.sort((x, y) -> Long.compare(Math.abs(y.getValue()[1]), Math.abs(x.getValue()[1])));
        System.out.printf(Locale.ROOT, "%s round %d %s: %d connections, %d still open; histogram %.0f B/conn; "
                        + "heap_info %d -> %d KiB = %.0f B/conn%n", jar, round, String.join(" ", serverArgs), n, stillOpen,
                (double) total / n, heapBefore, heapAfter, (heapAfter - heapBefore) * 1024.0 / n);
        System.out.printf(Locale.ROOT, "  %10s %10s  %s%n", "B/conn", "inst/conn", "class");
        for (int i = 0; i < Math.min(top, rows.size()); i++) {
            var e = rows.get(i);
            System.out.printf(Locale.ROOT, "  %10.1f %10.2f  %s%n", (double) e.getValue()[1] / n,
                    (double) e.getValue()[0] / n, e.getKey());
        }
    }

    /** class name -> {instances, bytes} from GC.class_histogram's table. */
    private static Map<String, long[]> histogram(String text) {
        Map<String, long[]> m = new HashMap<>();
        Pattern row = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)(.*)$");
        for (String line : text.split("\n")) {
            Matcher x = row.matcher(line);
            if (x.matches()) {
                String name = x.group(3); // without the module, "(java.base@25)"
                if (name.startsWith("jdk.internal.vm.Filler") || name.startsWith("[Ljdk.internal.vm.Filler")) {
                    continue; // dead space left by the GC, not live objects (see the class comment)
                }
                long[] v = m.computeIfAbsent(name, k -> new long[2]);
                v[0] += Long.parseLong(x.group(1));
                v[1] += Long.parseLong(x.group(2));
            }
        }
        return m;
    }

    /** Sums "used" over the heap's spaces as GC.heap_info prints them: one "total" line for G1, one per generation for Serial and Parallel. */
    private static long heapUsedKb(String info) {
        Pattern used = Pattern.compile("\\btotal\\b.*?\\bused (\\d+)K");
        long sum = 0;
        for (String line : info.split("\n")) {
            Matcher m = used.matcher(line);
            if (m.find() && !line.contains("Metaspace") && !line.contains("class space")) {
                sum += Long.parseLong(m.group(1));
            }
        }
        return sum;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        p.waitFor();
        return new String(out, StandardCharsets.UTF_8);
    }

    private static void waitUp(InetSocketAddress target) throws Exception {
        long until = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(target, 1000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > until) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static List<Socket> openIdle(InetSocketAddress target, int n, int perSource, int firstSource) throws Exception {
        List<InetAddress> sources = new ArrayList<>();
        if (n > perSource) {
            for (int i = 0; i < (n + perSource - 1) / perSource; i++) {
                sources.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (firstSource + i)}));
            }
        }
        List<Socket> all = Collections.synchronizedList(new ArrayList<>(n));
        int workers = 8;
        try (ExecutorService pool = Executors.newFixedThreadPool(workers)) {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                int share = n / workers + (w < n % workers ? 1 : 0);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < share; i++) {
                        Socket s = new Socket();
                        all.add(s);
                        if (!sources.isEmpty()) {
                            s.bind(new InetSocketAddress(sources.get((i * workers + worker) % sources.size()), 0));
                        }
                        s.connect(target, 10_000);
                        s.setSoTimeout(10_000);
                        if (websocketPath != null) {
                            wsExchange(s, target);
                        } else {
                            exchange(s, target);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        return all;
    }

    /** Connections the server has not closed: a 1 ms read times out (no EOF, no reset). */
    private static int stillOpen(List<Socket> all) {
        int open = 0;
        for (Socket s : all) {
            try {
                s.setSoTimeout(1);
                if (s.getInputStream().read() >= 0) {
                    continue;
                }
            } catch (java.net.SocketTimeoutException e) {
                open++;
            } catch (IOException e) {
                // reset: closed
            }
        }
        return open;
    }

    /** A response head, up to and with its blank line. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed inside a response head: " + head);
            }
            head.append((char) b);
            last4 = (last4 << 8) | b;
        }
        return head.toString();
    }

    /** A WebSocket handshake to --websocket's path, then one masked text message "hi" and its echo. */
    private static void wsExchange(Socket s, InetSocketAddress target) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET " + websocketPath + " HTTP/1.1\r\nHost: 127.0.0.1:" + target.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        // FIN + text, masked, 2 bytes; the mask 1 2 3 4 (RFC 6455 §5.3: any key will do for a test client).
        out.write(new byte[] {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2});
        out.flush();
        InputStream in = s.getInputStream();
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("not a 101: " + head);
        }
        byte[] echo = in.readNBytes(4);
        if (echo.length != 4 || echo[0] != (byte) 0x81 || echo[1] != 2 || echo[2] != 'h' || echo[3] != 'i') {
            throw new IOException("not the echo of \"hi\": " + java.util.Arrays.toString(echo));
        }
    }

    /** One keep-alive GET /plaintext; reads the head and its Content-Length body. */
    private static void exchange(Socket s, InetSocketAddress target) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:" + target.getPort() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 200")) {
            throw new IOException("not a 200: " + head);
        }
        Matcher m = Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
        if (!m.find()) {
            throw new IOException("no Content-Length: " + head);
        }
        in.skipNBytes(Long.parseLong(m.group(1)));
    }
}
