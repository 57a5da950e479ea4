package dev.weft.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.http.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * While streams are open the reader's wait is bounded by readTimeout; the server's PINGs (which
 * the client must answer, RFC 9113 §6.7) keep a connection whose handlers are merely slow.
 */
class SlowHandlerTest {

    private static HttpServer server(Duration pingInterval) {
        return HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .readTimeout(Duration.ofMillis(600))
                .protocol(Http2.protocol(Http2Options.defaults().withPingInterval(pingInterval)))
                .get("/slow", (req, res) -> {
                    Thread.sleep(1500); // plays a slow handler: longer than readTimeout, with nothing from the client
                    res.send("slow but fine");
                })
                .start();
    }

    private static HttpResponse<String> slow(HttpServer server, HttpClient client) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/slow")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pingsKeepTheConnectionThroughASlowHandler() throws Exception {
        try (HttpServer server = server(Duration.ofMillis(200));
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
            client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/nope")).build(),
                    HttpResponse.BodyHandlers.discarding()); // the upgrade: later requests are h2 streams
            HttpResponse<String> r = slow(server, client);
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertEquals("slow but fine", r.body());
        }
    }

    @Test
    void withoutPingsReadTimeoutCutsTheConnection() throws Exception {
        try (HttpServer server = server(Duration.ZERO);
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
            client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/nope")).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThrows(IOException.class, () -> slow(server, client));
        }
    }
}
