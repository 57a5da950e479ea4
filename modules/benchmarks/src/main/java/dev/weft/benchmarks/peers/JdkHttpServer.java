package dev.weft.benchmarks.peers;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/**
 * The JDK's built-in {@code com.sun.net.httpserver} with a virtual thread per exchange. Its one
 * dispatcher thread selects and parses; handlers block on virtual threads.
 */
public final class JdkHttpServer {

    public static void main(String[] args) throws IOException {
        // Defaults would close idle connections beyond 200 and after 30 s: the idle-memory runs (up to
        // 100,000 connections) must measure connections that stay open, as on every other server.
        System.setProperty("sun.net.httpserver.maxIdleConnections", "1000000");
        System.setProperty("sun.net.httpserver.idleInterval", "300");
        int port = Payloads.port(args);
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 4096);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/plaintext", exchange -> reply(exchange, "GET", "text/plain", Payloads.PLAINTEXT));
        server.createContext("/json", exchange -> reply(exchange, "GET", "application/json", Payloads.JSON));
        server.createContext("/echo", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            reply(exchange, "POST", "application/octet-stream", body);
        });
        server.start();
        Payloads.ready("jdk-httpserver", server.getAddress().getPort());
    }

    private static void reply(HttpExchange exchange, String method, String contentType, byte[] body) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals(method)) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private JdkHttpServer() {}
}
