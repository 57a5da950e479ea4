package dev.weft.benchmarks;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The machine-readable results: one CSV row per server, workload and round, appended and flushed
 * as each measurement ends so an interrupted run still leaves what it measured.
 * A failed measurement has an empty value and says why in {@code detail}.
 */
final class Results implements AutoCloseable {
    static final String HEADER = "round,server,workload,value,unit,errors,detail";

    record Row(int round, String server, String workload, Double value, String unit, long errors, String detail) {
        boolean failed() {
            return value == null;
        }
    }

    private final BufferedWriter out;
    private final List<Row> rows = new ArrayList<>();

    Results(Path file) throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        out.write(HEADER);
        out.newLine();
        out.flush();
    }

    void add(Row row) throws IOException {
        rows.add(row);
        out.write(row.round() + "," + row.server() + "," + row.workload() + ","
                + (row.value() == null ? "" : String.format(Locale.ROOT, "%.3f", row.value())) + ","
                + row.unit() + "," + row.errors() + "," + quote(row.detail()));
        out.newLine();
        out.flush();
    }

    List<Row> rows() {
        return List.copyOf(rows);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    static List<Row> read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IOException(file + ": expected the header '" + HEADER + "'");
        }
        for (int i = 1; i < lines.size(); i++) {
            List<String> f = split(lines.get(i));
            if (f.size() != 7) {
                throw new IOException(file + ":" + (i + 1) + ": expected 7 fields, found " + f.size());
            }
            rows.add(new Row(Integer.parseInt(f.get(0)), f.get(1), f.get(2),
                    f.get(3).isEmpty() ? null : Double.valueOf(f.get(3)), f.get(4), Long.parseLong(f.get(5)), f.get(6)));
        }
        return rows;
    }

    private static String quote(String s) {
        String flat = s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
        return "\"" + flat.replace("\"", "\"\"") + "\"";
    }

    private static List<String> split(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        fields.add(cur.toString());
        return fields;
    }
}
