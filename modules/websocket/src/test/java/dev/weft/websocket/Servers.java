package dev.weft.websocket;

import dev.weft.http.HttpServer;
import java.io.IOException;
import java.net.InetAddress;

/** Test servers. */
final class Servers {

    private Servers() {
    }

    /** Echoes every message unchanged until the session closes. */
    static void echo(WebSocketSession s) throws IOException {
        for (Message m; (m = s.receive()) != null; ) {
            if (m.isText()) {
                s.send(m.text());
            } else {
                s.send(m.bytes());
            }
        }
    }

    static HttpServer.Builder builder() {
        return HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0);
    }

    /** An echo at /echo with the given options. */
    static HttpServer echoServer(WebSocketOptions options) {
        return builder().get("/echo", WebSocket.endpoint(options, Servers::echo)).start();
    }
}
