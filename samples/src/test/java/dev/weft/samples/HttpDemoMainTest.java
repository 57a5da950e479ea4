package dev.weft.samples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo as a real process: --port, a request, and SIGTERM draining an in-flight request. */
class HttpDemoMainTest {

    private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");

    @TempDir
    Path dir;

    private Process launch(Path output, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "dev.weft.samples.HttpDemo"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().remove("PORT");
        return pb.start();
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Reads one response head and its Content-Length body. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after " + head);
            }
            head.append((char) c);
        }
        Matcher m = Pattern.compile("Content-Length: (\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return head + new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }

    @Test
    void servesThenDrainsOnSigterm() throws Exception {
        Path output = dir.resolve("output.txt");
        Process p = launch(output, "--port", "0");
        try {
            Matcher banner = LISTENING.matcher("");
            await().atMost(Duration.ofSeconds(20)).until(() -> banner.reset(Files.readString(output)).find() || !p.isAlive());
            assertTrue(p.isAlive(), Files.readString(output));
            int port = Integer.parseInt(banner.group(1));
            try (Socket idle = connect(port); Socket busy = connect(port)) {
                idle.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertTrue(readResponse(idle.getInputStream()).endsWith("\r\n\r\nHello, World!"));
                // 100 Continue comes from the echo handler's first read of the body: proof that the
                // request is in flight (not still unread in a socket buffer, where the drain would
                // take it for an idle connection), with nothing of its response committed yet.
                busy.getOutputStream().write(("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                        + "Content-Length: 5\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                String interim = readResponse(busy.getInputStream());
                assertTrue(interim.startsWith("HTTP/1.1 100 Continue\r\n"), interim);
                p.destroy(); // SIGTERM
                assertEquals(-1, idle.getInputStream().read(), "the idle keep-alive connection is closed at once");
                // The drain has begun (it closed the idle one): the in-flight request still gets its answer.
                busy.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                String echoed = readResponse(busy.getInputStream());
                assertTrue(echoed.startsWith("HTTP/1.1 200 OK\r\n"), echoed);
                assertTrue(echoed.contains("\r\nConnection: close\r\n"), echoed);
                assertTrue(echoed.endsWith("\r\n\r\nhello"), echoed);
                assertEquals(-1, busy.getInputStream().read());
            }
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "process ended");
            String log = Files.readString(output);
            assertTrue(log.contains("shut down: ShutdownReport[completed=1, closedIdle=1, forced=0"), log);
            assertEquals(143, p.exitValue(), "128 + SIGTERM: " + log);
        } finally {
            p.destroyForcibly();
        }
    }

    private int awaitPort(Process p, Path output) throws Exception {
        Matcher banner = LISTENING.matcher("");
        await().atMost(Duration.ofSeconds(20)).until(() -> banner.reset(Files.readString(output)).find() || !p.isAlive());
        assertTrue(p.isAlive(), Files.readString(output));
        return Integer.parseInt(banner.group(1));
    }

    private static String get(Socket s, String path) throws IOException {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return readResponse(s.getInputStream());
    }

    @Test
    void withADrainDelaySigtermKeepsServingWithHealth503AndConnectionCloseThenDrains() throws Exception {
        Path output = dir.resolve("delay.txt");
        Process p = launch(output, "--port", "0", "--drain-delay", "3");
        try {
            int port = awaitPort(p, output);
            try (Socket before = connect(port)) {
                assertTrue(get(before, "/health").endsWith("\r\n\r\nok\n"));
                p.destroy(); // SIGTERM
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(output).contains("(drainDelay)"));
                // A connection accepted during the delay: readiness is 503 at once, and it is asked to move.
                try (Socket during = connect(port)) {
                    String health = get(during, "/health");
                    assertTrue(health.startsWith("HTTP/1.1 503 "), health);
                    assertTrue(health.contains("\r\nConnection: close\r\n"), health);
                    assertEquals(-1, during.getInputStream().read());
                }
                // The keep-alive connection from before is still open and served, with Connection: close.
                String plain = get(before, "/plaintext");
                assertTrue(plain.startsWith("HTTP/1.1 200 OK\r\n"), plain);
                assertTrue(plain.contains("\r\nConnection: close\r\n"), plain);
                assertTrue(plain.endsWith("Hello, World!"), plain);
                assertEquals(-1, before.getInputStream().read());
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "process ended");
            String log = Files.readString(output);
            assertTrue(log.contains("drainDelay=PT3"), log);
            assertTrue(Pattern.compile("acceptedDuringDelay=[1-9]").matcher(log).find(), log);
            assertEquals(143, p.exitValue(), "128 + SIGTERM: " + log);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void twoInstancesWithReusePortShareThePortAndTheSecondServesWhenTheFirstIsGone() throws Exception {
        Path outA = dir.resolve("a.txt");
        Path outB = dir.resolve("b.txt");
        Process a = launch(outA, "--port", "0", "--reuse-port");
        Process b = null;
        try {
            int port = awaitPort(a, outA);
            b = launch(outB, "--port", Integer.toString(port), "--reuse-port");
            assertEquals(port, awaitPort(b, outB), "the second instance bound the same port");
            a.destroy(); // SIGTERM: a drains, b stays
            assertTrue(a.waitFor(30, TimeUnit.SECONDS));
            for (int i = 0; i < 20; i++) {
                try (Socket s = connect(port)) {
                    assertTrue(get(s, "/plaintext").endsWith("Hello, World!"));
                }
            }
        } finally {
            a.destroyForcibly();
            if (b != null) {
                b.destroyForcibly();
            }
        }
    }

    @Test
    void aBadDrainDelayIsAUsageError() throws Exception {
        Path output = dir.resolve("bad-delay.txt");
        Process p = launch(output, "--drain-delay", "1.5");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), Files.readString(output));
        assertTrue(Files.readString(output).contains("--drain-delay: '1.5' is not a number of seconds"), Files.readString(output));
        assertTrue(Files.readString(output).contains("[--drain-delay SECONDS]"), Files.readString(output));
    }

    @Test
    void anUnknownFlagIsAUsageError() throws Exception {
        Path output = dir.resolve("usage.txt");
        Process p = launch(output, "--prot", "1");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), Files.readString(output));
        assertTrue(Files.readString(output).contains("usage: HttpDemo"));
    }

    @Test
    void filesFlagServesThatDirectory() throws Exception {
        Path files = Files.createDirectories(dir.resolve("public"));
        Files.writeString(files.resolve("note.txt"), "from --files\n");
        Path output = dir.resolve("files.txt");
        Process p = launch(output, "--files", files.toString(), "--port", "0");
        try {
            Matcher banner = LISTENING.matcher("");
            await().atMost(Duration.ofSeconds(20)).until(() -> banner.reset(Files.readString(output)).find() || !p.isAlive());
            assertTrue(p.isAlive(), Files.readString(output));
            try (Socket s = connect(Integer.parseInt(banner.group(1)))) {
                s.getOutputStream().write("GET /files/note.txt HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String r = readResponse(s.getInputStream());
                assertTrue(r.startsWith("HTTP/1.1 200 OK\r\n") && r.endsWith("\r\n\r\nfrom --files\n"), r);
            }
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void filesFlagMustNameADirectory() throws Exception {
        Path output = dir.resolve("nofiles.txt");
        Process p = launch(output, "--files", dir.resolve("missing").toString());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), Files.readString(output));
        assertTrue(Files.readString(output).contains("--files: '"), Files.readString(output));
        Path help = dir.resolve("help.txt");
        Process h = launch(help, "--help");
        assertTrue(h.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, h.exitValue());
        assertTrue(Files.readString(help).contains("--files DIR"), Files.readString(help));
    }

    @Test
    void aBadHibernateIdleAfterIsAUsageError() throws Exception {
        Path output = dir.resolve("hibernate-usage.txt");
        Process p = launch(output, "--hibernate-idle-after", "1s");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), Files.readString(output));
        assertTrue(Files.readString(output).contains("--hibernate-idle-after: '1s' is not a number of milliseconds"),
                Files.readString(output));
    }

    @Test
    void withHibernationAnIdleKeepAliveConnectionIsStillServed() throws Exception {
        Path output = dir.resolve("hibernate.txt");
        Process p = launch(output, "--port", "0", "--hibernate-idle-after", "50");
        try {
            Matcher banner = LISTENING.matcher("");
            await().atMost(Duration.ofSeconds(20)).until(() -> banner.reset(Files.readString(output)).find() || !p.isAlive());
            assertTrue(p.isAlive(), Files.readString(output));
            int port = Integer.parseInt(banner.group(1));
            try (Socket s = connect(port)) {
                for (int i = 0; i < 3; i++) {
                    s.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertTrue(readResponse(s.getInputStream()).endsWith("\r\n\r\nHello, World!"));
                    Thread.sleep(300); // plays a client idle past hibernateIdleAfter between its requests
                }
            }
        } finally {
            p.destroyForcibly();
        }
    }
}
