package dev.weft.benchmarks.peers;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.WebServer;

/**
 * Helidon 4 WebServer (the successor of Níma): one virtual thread per connection, handlers inline on it.
 * Headers are pre-built cached values, as in Helidon's own TechEmpower entry.
 */
public final class HelidonHttpServer {
    private static final Header TEXT = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "text/plain");
    private static final Header JSON = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json");
    private static final Header OCTETS = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/octet-stream");

    public static void main(String[] args) {
        int port = Payloads.port(args);
        WebServer server = WebServer.builder()
                .port(port)
                .backlog(4096)
                .routing(routing -> routing
                        .get("/plaintext", (req, res) -> {
                            res.header(TEXT);
                            res.send(Payloads.PLAINTEXT);
                        })
                        .get("/json", (req, res) -> {
                            res.header(JSON);
                            res.send(Payloads.JSON);
                        })
                        .post("/echo", (req, res) -> {
                            byte[] body = req.content().inputStream().readAllBytes();
                            res.header(OCTETS);
                            res.send(body);
                        }))
                .build()
                .start();
        Payloads.ready("helidon", server.port());
    }

    private HelidonHttpServer() {}
}
