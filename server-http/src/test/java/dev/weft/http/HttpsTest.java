package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.testing.TestTls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transport options reach HTTP: the same server over TLS, through the JDK's client. */
class HttpsTest {

    @TempDir
    Path dir;

    @Test
    void servesOverTls() throws Exception {
        TestTls tls = TestTls.in(dir);
        SSLContext serverContext = tls.server();
        SSLContext clientContext = tls.client();

        HttpServer server = HttpServer.builder()
                .tls(serverContext)
                .handshakeTimeout(Duration.ofSeconds(5))
                .post("/echo", (req, res) -> res.send(req.bodyBytes()))
                .start();
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(clientContext).build();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/echo"))
                        .POST(HttpRequest.BodyPublishers.ofString("secret " + i)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("secret " + i, r.body());
            }
            assertEquals(1, server.stats().accepted(), "kept alive over TLS");
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }
}
