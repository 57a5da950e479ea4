package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The strong form of "zero cost when not recorded": in a JVM with no recording, serving
 * requests (and shutting down) never loads an event class at all, so no event object can have
 * been created, and the JFR machinery (which loading any {@code jdk.jfr.Event} subclass brings
 * up) stays down. Observed from outside, with {@code -Xlog:class+load} in a child JVM; the same
 * child with {@code -XX:StartFlightRecording} is the control that the log would show them.
 */
class JfrNotLoadedTest {

    @TempDir
    Path dir;

    /** The child: one server, a few requests (plain, streamed, 404), a graceful shutdown. */
    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).accessLog(false)
                .get("/a", (req, res) -> res.send("a"))
                .get("/s", (req, res) -> {
                    try (OutputStream out = res.outputStream()) {
                        out.write("streamed".getBytes(StandardCharsets.UTF_8));
                    }
                })
                .start();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.getOutputStream().write(("GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /s HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /none HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            if (!all.contains("404")) {
                throw new AssertionError("no 404 in " + all);
            }
        }
        server.shutdown(Duration.ofSeconds(5));
        System.out.println("served");
    }

    private List<String> loadedClasses(String... jvmOptions) throws Exception {
        List<String> cp = new ArrayList<>();
        for (String prop : new String[] {"jdk.module.path", "java.class.path"}) {
            String v = System.getProperty(prop);
            if (v != null && !v.isEmpty()) {
                cp.add(v);
            }
        }
        Path log = dir.resolve("classes-" + jvmOptions.length + ".txt");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-Xlog:class+load=info:file=" + log, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", String.join(File.pathSeparator, cp), JfrNotLoadedTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("served"), out);
        return Files.readAllLines(log).stream().filter(l -> l.contains("[class,load]")).toList();
    }

    @Test
    void noEventClassIsLoadedUnlessSomethingRecords() throws Exception {
        List<String> off = loadedClasses();
        assertTrue(off.stream().anyMatch(l -> l.contains(" dev.weft.http.internal.HttpConnection ")), "the log shows our classes");
        assertFalse(off.stream().anyMatch(l -> l.contains("Event source:") && l.contains("dev.weft.")),
                "no Weft event class loaded: " + off.stream().filter(l -> l.contains("Event")).toList());
        assertFalse(off.stream().anyMatch(l -> l.contains(" jdk.jfr.Event ")), "JFR's event machinery stays down");

        List<String> on = loadedClasses("-XX:StartFlightRecording");
        assertTrue(on.stream().anyMatch(l -> l.contains(" dev.weft.http.internal.HttpRequestEvent ")), "the control");
        assertTrue(on.stream().anyMatch(l -> l.contains(" dev.weft.http.internal.HttpConnectionEvent ")));
        assertTrue(on.stream().anyMatch(l -> l.contains(" dev.weft.core.internal.ShutdownEvent ")));
    }
}
