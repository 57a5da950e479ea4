package dev.weft.benchmarks.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The load clients against small in-test servers on 127.0.0.1. */
class LoadToolsTest {
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private ServerSocket echo;
    private HttpServer http;
    private final Set<InetAddress> clients = ConcurrentHashMap.newKeySet();

    @AfterEach
    void stop() throws IOException {
        if (echo != null) {
            echo.close();
        }
        if (http != null) {
            http.stop(0);
        }
        threads.shutdownNow();
    }

    private InetSocketAddress startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.submit(() -> {
            while (true) {
                Socket s = echo.accept();
                threads.submit(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        in.transferTo(out);
                    }
                    return null;
                });
            }
        });
        return new InetSocketAddress("127.0.0.1", echo.getLocalPort());
    }

    private InetSocketAddress startHttp() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        http.setExecutor(threads);
        byte[] body = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
        http.createContext("/plaintext", ex -> {
            clients.add(ex.getRemoteAddress().getAddress());
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        return new InetSocketAddress("127.0.0.1", http.getAddress().getPort());
    }

    @Test
    void pingPongCountsRoundTripsWithoutErrors() throws IOException {
        TcpPingPong.Result r = TcpPingPong.run(startEcho(), 4, 64, 0, 0.3);
        assertTrue(r.roundTrips() > 0, "round trips: " + r.roundTrips());
        assertEquals(0, r.errors());
        assertTrue(r.roundTripsPerSecond() > 0);
    }

    @Test
    void streamGetsEveryByteBack() throws Exception {
        TcpStream.Result r = TcpStream.stream(startEcho(), 8L << 20, 20);
        assertTrue(r.complete());
        assertEquals(8L << 20, r.bytes());
        assertEquals(0, r.errors());
    }

    @Test
    void streamToAServerThatNeverEchoesTimesOutIncomplete() throws Exception {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.submit(() -> {
            Socket s = echo.accept(); // accepted, never read: the stream stalls
            return s;
        });
        TcpStream.Result r = TcpStream.stream(new InetSocketAddress("127.0.0.1", echo.getLocalPort()), 64L << 20, 1);
        assertEquals(false, r.complete());
        assertEquals(0, r.bytes());
    }

    @Test
    void getReturnsTheStatus() throws IOException {
        assertEquals(200, Http.get(startHttp(), "/plaintext", 2000));
    }

    @Test
    void idleConnectionsStayOpenUntilTheServerCloses() throws Exception {
        InetSocketAddress target = startHttp();
        try (IdleConnections idle = IdleConnections.open(target, 50, 5000)) {
            assertEquals(50, idle.size());
            assertEquals(50, idle.stillOpen());
            http.stop(0);
            http = null;
            await().atMost(Duration.ofSeconds(10)).until(() -> idle.stillOpen() == 0);
        }
    }

    @Test
    void oneSourceAddressWhileItsPortsSuffice() throws Exception {
        assertEquals(List.of(), IdleConnections.loopbackSources(10, 10));
        try (IdleConnections idle = IdleConnections.open(startHttp(), 10, 5000, List.of())) {
            assertEquals(10, idle.stillOpen());
            assertEquals(Set.of(InetAddress.getByName("127.0.0.1")), clients);
        }
    }

    @Test
    void sourceAddressesStartWhereAskedAndWrapAfter254() throws Exception {
        assertEquals(List.of(InetAddress.getByName("127.0.0.254"), InetAddress.getByName("127.0.0.2")),
                IdleConnections.loopbackSources(20, 10, 254));
    }

    @Test
    void largeCountsSpreadOverLoopbackSourceAddresses() throws Exception {
        List<InetAddress> sources = IdleConnections.loopbackSources(30, 10);
        assertEquals(List.of(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3"),
                InetAddress.getByName("127.0.0.4")), sources);
        try (IdleConnections idle = IdleConnections.open(startHttp(), 30, 5000, sources)) {
            assertEquals(30, idle.size());
            assertEquals(30, idle.stillOpen());
            assertEquals(Set.copyOf(sources), clients);
        }
    }
}
