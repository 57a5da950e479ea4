package dev.weft.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    private static Results.Row row(int round, String server, Workload w, Double value) {
        return new Results.Row(round, server, w.id(), value, w.unit(), 0, "");
    }

    @Test
    void medianMinMaxIgnoreFailedRuns() {
        Report.Stats s = Report.summarize(List.of(
                row(1, "weft", Workload.PLAINTEXT_256, 300.0),
                row(2, "weft", Workload.PLAINTEXT_256, 100.0),
                row(3, "weft", Workload.PLAINTEXT_256, null),
                row(4, "weft", Workload.PLAINTEXT_256, 200.0)));
        assertEquals(200.0, s.median());
        assertEquals(100.0, s.min());
        assertEquals(300.0, s.max());
        assertEquals(3, s.runs());
        assertEquals(1, s.failed());
    }

    @Test
    void evenCountAveragesTheMiddlePair() {
        Report.Stats s = Report.summarize(List.of(row(1, "netty", Workload.JSON_256, 10.0), row(2, "netty", Workload.JSON_256, 20.0)));
        assertEquals(15.0, s.median());
    }

    @Test
    void csvRoundTripsQuotesAndFailures(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("r.csv");
        try (Results r = new Results(csv)) {
            r.add(new Results.Row(1, "weft", "startup", 123.456, "ms", 0, "a \"quoted\", detail"));
            r.add(new Results.Row(1, "jdk", "startup", null, "ms", 0, "server did not come up"));
        }
        List<Results.Row> rows = Results.read(csv);
        assertEquals(2, rows.size());
        assertEquals(123.456, rows.get(0).value(), 1e-9);
        assertEquals("a \"quoted\", detail", rows.get(0).detail());
        assertTrue(rows.get(1).failed());
    }

    @Test
    void writesTablesRatiosTargetsAndCharts(@TempDir Path dir) throws IOException {
        List<Results.Row> rows = List.of(
                row(1, "weft", Workload.PLAINTEXT_256, 120_000.0),
                row(1, "netty", Workload.PLAINTEXT_256, 100_000.0),
                row(1, "netty-epoll", Workload.PLAINTEXT_256, 150_000.0),
                row(1, "helidon", Workload.PLAINTEXT_256, 60_000.0),
                row(1, "weft", Workload.STARTUP, 250.0),
                row(1, "weft-echo", Workload.TCP_PINGPONG, 50_000.0),
                row(1, "netty-echo", Workload.TCP_PINGPONG, 40_000.0),
                row(1, "netty-epoll-echo", Workload.TCP_PINGPONG, 45_000.0));
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("CPUs", "2");
        machine.put("Command", "modules/benchmarks/run.sh");
        Path md = dir.resolve("bench.md");

        Report.write(rows, machine, md, false);

        String text = Files.readString(md);
        assertTrue(text.contains("| Netty 4.1 NIO | 100,000 | 100,000 – 100,000 | 0.83× | 0 |"), text);
        assertTrue(text.contains("| Netty 4.1 epoll | 150,000 | 150,000 – 150,000 | 1.25× | 0 |"), text);
        assertTrue(text.contains("| plaintext-256: Weft HttpDemo ≥ 1.0× Netty 4.1 epoll | 0.80× | **no** |"), text);
        assertTrue(text.contains("| tcp-pingpong-64: Weft EchoServer ≥ 1.0× Netty 4.1 epoll echo | 1.11× | yes |"), text);
        assertTrue(text.contains("| plaintext-256: Weft HttpDemo ≥ 1.5× Helidon 4 WebServer | 2.00× | yes |"), text);
        assertTrue(text.contains("| Start-up to first response ≤ 300 ms | 250 ms | yes |"), text);
        assertTrue(text.contains("| Netty 4.1 NIO echo | 40,000 | 40,000 – 40,000 | 0.80× | 0 |"), text);
        assertTrue(text.contains("| json-256: Weft HttpDemo ≥ 1.0× Netty 4.1 epoll | not measured | – |"), text);
        assertTrue(text.contains("modules/benchmarks/run.sh"), text);
        for (String chart : List.of("http", "startup", "tcp-pingpong")) {
            Path png = dir.resolve("bench-" + chart + ".png");
            assertTrue(text.contains("(bench-" + chart + ".png)"), chart);
            byte[] head = Files.readAllBytes(png);
            assertEquals((byte) 0x89, head[0]);
            assertEquals('P', head[1]);
        }
    }

    @Test
    void cpuPerRequestAndP99AreColumnsBesideThroughput(@TempDir Path dir) throws IOException {
        Workload w = Workload.PLAINTEXT_16;
        List<Results.Row> rows = List.of(
                row(1, "weft", w, 100_000.0),
                new Results.Row(1, "weft", w.cpu(), 9.5, "µs/req", 0, ""),
                new Results.Row(1, "weft", w.p99(), 0.25, "ms", 0, ""),
                row(1, "nginx", w, 200_000.0),
                new Results.Row(1, "nginx", w.cpu(), 4.25, "µs/req", 0, ""),
                row(1, "go", w, null));
        Path md = dir.resolve("bench.md");
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put(Machine.NOT_MEASURED, "Go net/http: no Go binary");

        Report.write(rows, machine, md, true);

        String text = Files.readString(md);
        assertTrue(text.contains("| Server | Median | Min–max | × Weft | CPU µs/req | p99 ms | Errors |"), text);
        assertTrue(text.contains("| Weft HttpDemo | 100,000 | 100,000 – 100,000 | 1.00× | 9.5 | 0.25 | 0 |"), text);
        assertTrue(text.contains("| nginx (1 worker) | 200,000 | 200,000 – 200,000 | 2.00× | 4.2 |  | 0 |")
                || text.contains("| nginx (1 worker) | 200,000 | 200,000 – 200,000 | 2.00× | 4.3 |  | 0 |"), text);
        assertTrue(text.contains("| Go net/http | failed | | |  | | 1 failed |"), text);
        assertTrue(text.contains("> Not measured on this machine: Go net/http: no Go binary."), text);
        // The side figures are columns, not tables of their own.
        assertTrue(!text.contains("plaintext-16/cpu"), text);
    }

    @Test
    void http2RowsHaveCpuButNoP99AndTheirTargets(@TempDir Path dir) throws IOException {
        Workload w = Workload.H2_PLAINTEXT;
        List<Results.Row> rows = List.of(
                row(1, "weft", w, 90_000.0),
                new Results.Row(1, "weft", w.cpu(), 8.0, "µs/req", 0, ""),
                row(1, "netty-epoll", w, 100_000.0),
                new Results.Row(1, "netty-epoll", w.cpu(), 7.0, "µs/req", 0, ""),
                row(1, "jetty", w, 50_000.0),
                row(1, "netty", w, null));
        Path md = dir.resolve("bench.md");

        Report.write(rows, new LinkedHashMap<>(), md, false);

        String text = Files.readString(md);
        assertTrue(text.contains("### HTTP/2 (h2c, prior knowledge) GET /plaintext, 16 connections x 100 streams"), text);
        assertTrue(text.contains("| Server | Median | Min–max | × Weft | CPU µs/req | Errors |\n|---|---:|---:|---:|---:|---:|\n"), text);
        assertTrue(text.contains("| Weft HttpDemo | 90,000 | 90,000 – 90,000 | 1.00× | 8.0 | 0 |"), text);
        assertTrue(text.contains("| Jetty 12 VirtualThreadPool | 50,000 | 50,000 – 50,000 | 0.56× |  | 0 |"), text);
        assertTrue(text.contains("| Netty 4.1 NIO | failed | | |  | 1 failed |"), text);
        assertTrue(text.contains("| h2-plaintext-16x100: Weft HttpDemo ≥ 1.0× Netty 4.1 epoll | 0.90× | **no** |"), text);
        assertTrue(text.contains("| h2-plaintext-16x100: Weft HttpDemo ≥ 1.5× Jetty 12 VirtualThreadPool | 1.80× | yes |"), text);
        assertTrue(text.contains("(bench-h2.png)"), text);
    }

    @Test
    void idleTitlesCarryTheConnectionCount(@TempDir Path dir) throws IOException {
        List<Results.Row> rows = List.of(
                new Results.Row(1, "weft", Workload.IDLE_RSS_LARGE.id(), 3.1, "KB/conn", 0, "100000 connections (opened in 9.0 s), 100000 still open"),
                new Results.Row(1, "weft", Workload.IDLE_RSS.id(), 3.3, "KB/conn", 0, "10000 connections (opened in 1.0 s), 10000 still open"));
        Path md = dir.resolve("bench.md");

        Report.write(rows, Map.of(), md, true);

        String text = Files.readString(md);
        assertTrue(text.contains("### Idle keep-alive connection: RSS growth per connection (10,000 connections)"), text);
        assertTrue(text.contains("RSS growth per connection (100,000 connections)"), text);
    }
}
