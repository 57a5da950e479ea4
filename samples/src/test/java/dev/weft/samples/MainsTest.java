package dev.weft.samples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each main as a real process: the command line, a connection, and SIGTERM. */
class MainsTest {

    private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");

    @TempDir
    Path dir;

    private Path output;

    /** Starts {@code main} with its output in a file: Process.destroy() closes the pipes, a file stays. */
    private Process launch(String main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"),
                main));
        command.addAll(List.of(args));
        output = dir.resolve("output.txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().remove("PORT");
        return pb.start();
    }

    private String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    private String finish(Process p) throws Exception {
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "process ended");
        return output();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev.weft.samples.EchoServer", "dev.weft.samples.ChatServer",
            "dev.weft.samples.EventLoopEchoServer", "dev.weft.samples.WebSocketChat"})
    void anUnknownFlagIsAUsageErrorWithStatus2(String main) throws Exception {
        Process p = launch(main, "--prot", "1234");
        String output = finish(p);
        assertEquals(2, p.exitValue(), output);
        assertTrue(output.contains("unknown argument '--prot'"), output);
        assertTrue(output.contains("usage: "), output);
    }

    @Test
    void webSocketChatRefusesABadHibernationValueAndNamesTheFlagInItsUsage() throws Exception {
        Process p = launch("dev.weft.samples.WebSocketChat", "--hibernate-idle-after", "soon");
        String output = finish(p);
        assertEquals(2, p.exitValue(), output);
        assertTrue(output.contains("--hibernate-idle-after: 'soon' is not a number of milliseconds"), output);
        assertTrue(output.contains("usage: WebSocketChat [--port N] [--hibernate-idle-after MILLIS]"), output);
    }

    @Test
    void helpPrintsTheUsageAndStatus0() throws Exception {
        Process p = launch("dev.weft.samples.EchoServer", "--help");
        String output = finish(p);
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.startsWith("usage: EchoServer [--port N]"), output);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev.weft.samples.EchoServer", "dev.weft.samples.EventLoopEchoServer"})
    void echoMainServesThenShutsDownOnSigterm(String main) throws Exception {
        Process p = launch(main, "--port=0");
        try {
            Matcher banner = LISTENING.matcher("");
            await().atMost(Duration.ofSeconds(20)).until(() -> banner.reset(output()).find() || !p.isAlive());
            assertTrue(p.isAlive(), output());
            int port = Integer.parseInt(banner.group(1));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
                assertEquals("hi", new String(s.getInputStream().readNBytes(2), StandardCharsets.US_ASCII));
                p.destroy(); // SIGTERM
                // The waiting client is idle: closed at once, not after the grace.
                assertEquals(-1, s.getInputStream().read());
            }
            String output = finish(p);
            assertTrue(output.contains("shut down"), output);
            assertEquals(143, p.exitValue(), "128 + SIGTERM: " + output);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void chatMainTellsTheRoomOnSigterm() throws Exception {
        Process p = launch("dev.weft.samples.ChatServer", "--port", "0");
        try {
            Matcher banner = LISTENING.matcher("");
            await().atMost(Duration.ofSeconds(20)).until(() -> banner.reset(output()).find() || !p.isAlive());
            assertTrue(p.isAlive(), output());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(banner.group(1))), 5_000);
                s.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                in.readLine(); // the nick prompt
                s.getOutputStream().write("alice\n".getBytes(StandardCharsets.US_ASCII));
                assertTrue(in.readLine().startsWith("* hello alice"));
                p.destroy(); // SIGTERM
                assertEquals("* server shutting down", in.readLine());
                assertNull(in.readLine());
            }
            String output = finish(p);
            assertTrue(output.contains("shut down"), output);
            assertEquals(143, p.exitValue(), "128 + SIGTERM: " + output);
        } finally {
            p.destroyForcibly();
        }
    }
}
