package dev.weft.core;

import static dev.weft.core.Net.ascii;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The readn loop and its bounded relatives, over a real socket. */
class ReadLoopsTest {

    /** A server whose handler runs {@code step} and hands back what it returned or threw. */
    record Served<T>(TcpServer server, CompletableFuture<T> result) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
        }
    }

    static <T> Served<T> serve(TcpServer.Builder b, Step<T> step) {
        CompletableFuture<T> result = new CompletableFuture<>();
        TcpServer server = b.handler(conn -> {
            try {
                result.complete(step.run(conn));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }).start();
        return new Served<>(server, result);
    }

    interface Step<T> {
        T run(Connection conn) throws Exception;
    }

    private static Throwable failure(Served<?> f) throws Exception {
        try {
            f.result().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure, got " + f.result().get());
    }

    @Test
    void partialReadsAreReassembled() throws Exception {
        Served<String> got = serve(Net.builder().bufferSize(256), conn -> {
            byte[] frame = conn.in().readExactly(12);
            String line = conn.in().readLine(100);
            conn.out().write(ascii("ok\n"));
            return new String(frame, StandardCharsets.US_ASCII) + "|" + line;
        });
        try (got; Socket s = Net.connect(got.server())) {
            OutputStream out = s.getOutputStream();
            for (byte b : ascii("hello, world" + "second line\r\n")) {
                out.write(b);
                out.flush();
                Thread.sleep(3); // a slow peer: every byte its own segment
            }
            assertEquals("hello, world|second line", got.result().get(10, TimeUnit.SECONDS));
            assertEquals("ok\n", Net.readAll(s));
        }
    }

    @Test
    void eofInsideReadExactlySaysHowManyBytesArrived() throws Exception {
        Served<byte[]> got = serve(Net.builder(), conn -> conn.in().readExactly(10));
        try (got; Socket s = Net.connect(got.server())) {
            s.getOutputStream().write(ascii("abc"));
            s.shutdownOutput();
            Throwable t = failure(got);
            assertInstanceOf(EOFException.class, t);
            assertTrue(t.getMessage().contains("expected 10 bytes, got 3"), t.getMessage());
        }
    }

    @Test
    void readLineOverItsLimitFailsClearly() throws Exception {
        Served<String> got = serve(Net.builder().bufferSize(256), conn -> conn.in().readLine(100));
        try (got; Socket s = Net.connect(got.server())) {
            s.getOutputStream().write(ascii("x".repeat(1000) + "\n"));
            Throwable t = failure(got);
            LimitExceededException e = assertInstanceOf(LimitExceededException.class, t);
            assertEquals(100, e.limit());
            assertTrue(e.getMessage().contains("maxBytes=100"), e.getMessage());
        }
    }

    @Test
    void readLineDropsCrLfDecodesUtf8AndReturnsNullAtEnd() throws Exception {
        Served<String> got = serve(Net.builder(), conn -> {
            String a = conn.in().readLine(100);
            String b = conn.in().readLine(100);
            String c = conn.in().readLine(100);
            String d = conn.in().readLine(100);
            return a + "|" + b + "|" + c + "|" + d;
        });
        try (got; Socket s = Net.connect(got.server())) {
            s.getOutputStream().write("grüße\r\nplain\n\n".getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            assertEquals("grüße|plain||null", got.result().get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void readUntilFindsADelimiterSpanningRefillsAndOverlaps() throws Exception {
        byte[] crlf2 = ascii("\r\n\r\n");
        Served<String> got = serve(Net.builder().bufferSize(256), conn -> {
            byte[] a = conn.in().readUntil(crlf2, 1000);
            byte[] b = conn.in().readUntil(crlf2, 1000);
            byte[] rest = conn.in().readAllBytes();
            return a.length + "|" + new String(b, StandardCharsets.US_ASCII) + "|" + new String(rest, StandardCharsets.US_ASCII);
        });
        try (got; Socket s = Net.connect(got.server())) {
            OutputStream out = s.getOutputStream();
            out.write(ascii("a".repeat(254) + "\r\n"));   // the delimiter straddles the 256-byte buffer
            out.flush();
            Thread.sleep(20); // a slow peer: the rest arrives in a later segment
            out.write(ascii("\r\nab\r\n\r\r\n\r\nrest"));
            s.shutdownOutput();
            assertEquals("254|ab\r\n\r|rest", got.result().get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void linesOfEveryLengthAroundTheBufferSizeComeBackWhole() throws Exception {
        StringBuilder sent = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int len = 0; len <= 700; len += 13) {
            String line = String.valueOf((char) ('a' + len % 26)).repeat(len);
            sent.append(line).append(len % 2 == 0 ? "\r\n" : "\n");
            expected.append(len).append(',');
        }
        Served<String> got = serve(Net.builder().bufferSize(256), conn -> {
            StringBuilder lens = new StringBuilder();
            for (String line; (line = conn.in().readLine(1000)) != null; ) {
                lens.append(line.length()).append(',');
                if (!line.isEmpty() && !line.equals(String.valueOf(line.charAt(0)).repeat(line.length()))) {
                    return "corrupt line " + line;
                }
            }
            return lens.toString();
        });
        try (got; Socket s = Net.connect(got.server())) {
            byte[] bytes = ascii(sent.toString());
            OutputStream out = s.getOutputStream();
            // Uneven pieces, so buffer boundaries fall everywhere: inside lines, between CR and LF.
            for (int off = 0, step = 1; off < bytes.length; off += step, step = step * 7 % 509 + 1) {
                out.write(bytes, off, Math.min(step, bytes.length - off));
                out.flush();
            }
            s.shutdownOutput();
            assertEquals(expected.toString(), got.result().get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void readUntilOverItsLimitAndEofInsideAreClear() throws Exception {
        Served<byte[]> got = serve(Net.builder(), conn -> conn.in().readUntil(ascii("END"), 50));
        try (got; Socket s = Net.connect(got.server())) {
            s.getOutputStream().write(ascii("y".repeat(60)));
            LimitExceededException e = assertInstanceOf(LimitExceededException.class, failure(got));
            assertEquals(50, e.limit());
        }
        Served<byte[]> eof = serve(Net.builder(), conn -> conn.in().readUntil(ascii("END"), 50));
        try (eof; Socket s = Net.connect(eof.server())) {
            s.getOutputStream().write(ascii("abcEN"));
            s.shutdownOutput();
            Throwable t = failure(eof);
            assertInstanceOf(EOFException.class, t);
            assertTrue(t.getMessage().contains("after 5 bytes"), t.getMessage());
        }
    }

    @Test
    void peekDoesNotConsumeAndLargeReadsBypassTheBuffer() throws Exception {
        Served<String> got = serve(Net.builder().bufferSize(256), conn -> {
            int p1 = conn.in().peek();
            int p2 = conn.in().peek();
            byte[] all = conn.in().readExactly(5000);
            assertNull(conn.in().readLine(10));
            return (char) p1 + "" + (char) p2 + all.length + ":" + all[4999] + ":" + conn.in().bytesRead();
        });
        try (got; Socket s = Net.connect(got.server())) {
            byte[] data = new byte[5000];
            java.util.Arrays.fill(data, (byte) 'q');
            data[4999] = 7;
            s.getOutputStream().write(data);
            s.shutdownOutput();
            assertEquals("qq5000:7:5000", got.result().get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void invalidArgumentsAreRejected() throws Exception {
        Served<String> got = serve(Net.builder(), conn -> {
            StringBuilder sb = new StringBuilder();
            for (Runnable r : new Runnable[] {
                    () -> call(() -> conn.in().readExactly(-1)),
                    () -> call(() -> conn.in().readLine(0)),
                    () -> call(() -> conn.in().readUntil(new byte[0], 10)),
                    () -> call(() -> conn.in().readUntil(ascii("abc"), 2))}) {
                try {
                    r.run();
                    sb.append("none;");
                } catch (IllegalArgumentException e) {
                    sb.append(e.getMessage()).append(';');
                }
            }
            return sb.toString();
        });
        try (got; Socket s = Net.connect(got.server())) {
            String msg = got.result().get(10, TimeUnit.SECONDS);
            assertTrue(msg.contains("n = -1"), msg);
            assertTrue(msg.contains("maxBytes = 0"), msg);
            assertTrue(msg.contains("delimiter is empty"), msg);
            assertTrue(msg.contains("maxBytes = 2"), msg);
        }
    }

    private static void call(java.util.concurrent.Callable<?> c) {
        try {
            c.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void readExactlyAssemblesIntoACallersArray() throws Exception {
        Served<byte[]> got = serve(Net.builder(), conn -> {
            byte[] b = new byte[8];
            conn.in().readExactly(b, 2, 4);
            return b;
        });
        try (got; Socket s = Net.connect(got.server())) {
            s.getOutputStream().write(ascii("wxyz"));
            assertArrayEquals(new byte[] {0, 0, 'w', 'x', 'y', 'z', 0, 0}, got.result().get(10, TimeUnit.SECONDS));
        }
    }
}
