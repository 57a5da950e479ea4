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

    @Test
    void anUnknownFlagIsAUsageError() throws Exception {
        Path output = dir.resolve("usage.txt");
        Process p = launch(output, "--prot", "1");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), Files.readString(output));
        assertTrue(Files.readString(output).contains("usage: HttpDemo"));
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
