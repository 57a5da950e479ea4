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
                row(1, "helidon", Workload.PLAINTEXT_256, 60_000.0),
                row(1, "weft", Workload.STARTUP, 250.0),
                row(1, "weft-echo", Workload.TCP_PINGPONG, 50_000.0),
                row(1, "netty-echo", Workload.TCP_PINGPONG, 40_000.0));
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("CPUs", "2");
        machine.put("Command", "modules/benchmarks/run.sh");
        Path md = dir.resolve("bench.md");

        Report.write(rows, machine, md, false);

        String text = Files.readString(md);
        assertTrue(text.contains("| Netty 4.1 NIO | 100,000 | 100,000 – 100,000 | 0.83× | 0 |"), text);
        assertTrue(text.contains("| plaintext-256: Weft HttpDemo ≥ 1.0× Netty 4.1 NIO | 1.20× | yes |"), text);
        assertTrue(text.contains("| plaintext-256: Weft HttpDemo ≥ 1.5× Helidon 4 WebServer | 2.00× | yes |"), text);
        assertTrue(text.contains("| Start-up to first response ≤ 300 ms | 250 ms | yes |"), text);
        assertTrue(text.contains("| Netty 4.1 NIO echo | 40,000 | 40,000 – 40,000 | 0.80× | 0 |"), text);
        assertTrue(text.contains("| json-256: Weft HttpDemo ≥ 1.0× Netty 4.1 NIO | not measured | – |"), text);
        assertTrue(text.contains("modules/benchmarks/run.sh"), text);
        for (String chart : List.of("http", "startup", "tcp-pingpong")) {
            Path png = dir.resolve("bench-" + chart + ".png");
            assertTrue(text.contains("(bench-" + chart + ".png)"), chart);
            byte[] head = Files.readAllBytes(png);
            assertEquals((byte) 0x89, head[0]);
            assertEquals('P', head[1]);
        }
    }
}
