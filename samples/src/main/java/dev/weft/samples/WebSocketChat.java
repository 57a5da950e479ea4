package dev.weft.samples;

import dev.weft.http.HttpServer;
import dev.weft.websocket.Message;
import dev.weft.websocket.WebSocket;
import dev.weft.websocket.WebSocketSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A browser chat over WebSockets: {@code GET /} is a page with a few lines of JavaScript,
 * {@code GET /chat} the WebSocket; every text message is broadcast to every session.
 *
 * <pre>
 * java -cp samples/target/weft-samples.jar dev.weft.samples.WebSocketChat --port 8080
 * open http://localhost:8080/ in two tabs
 * </pre>
 *
 * Each session's endpoint is plain blocking code: receive, then send to everyone. A slow
 * browser blocks only the sender that writes to it (up to the server's write timeout): sends
 * are thread-safe per session. Ctrl-C closes every session with 1001 within a 5 s grace.
 */
public final class WebSocketChat {

    /** The port {@code main} listens on without {@code --port} or {@code PORT}. */
    public static final int DEFAULT_PORT = 8080;

    private static final Logger log = LoggerFactory.getLogger(WebSocketChat.class);

    static final String PAGE = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>Weft chat</title></head>
            <body>
            <ul id="log"></ul>
            <form id="f"><input id="msg" autocomplete="off" autofocus><button>Send</button></form>
            <script>
            const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/chat");
            const log = document.getElementById("log");
            ws.onopen = () => { document.body.dataset.state = "open"; if (location.hash) ws.send(location.hash.slice(1)); };
            ws.onmessage = e => { const li = document.createElement("li"); li.textContent = e.data; log.appendChild(li); };
            ws.onclose = () => { document.body.dataset.state = "closed"; };
            document.getElementById("f").onsubmit = e => {
              e.preventDefault(); const m = document.getElementById("msg"); ws.send(m.value); m.value = "";
            };
            </script>
            </body></html>
            """;

    private WebSocketChat() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = SampleArgs.portOrExit("WebSocketChat", args, DEFAULT_PORT);
        HttpServer server = builder(port).registerShutdownHook(true).start();
        log.info("websocket chat listening on port {} (Ctrl-C to stop)", server.port());
        server.awaitTermination();
    }

    /** Starts the chat on {@code port} (0 = ephemeral), without a shutdown hook: for tests. */
    public static HttpServer start(int port) {
        return builder(port).start();
    }

    private static HttpServer.Builder builder(int port) {
        Set<WebSocketSession> sessions = ConcurrentHashMap.newKeySet();
        byte[] page = PAGE.getBytes(StandardCharsets.UTF_8);
        return HttpServer.builder()
                .port(port)
                .shutdownGrace(Duration.ofSeconds(5))
                .get("/", (req, res) -> res.contentType("text/html; charset=utf-8").send(page))
                .get("/chat", WebSocket.endpoint(session -> {
                    sessions.add(session);
                    try {
                        for (Message m; (m = session.receive()) != null; ) {
                            String line = m.text();
                            for (WebSocketSession other : sessions) {
                                try {
                                    other.send(line);
                                } catch (IOException e) {
                                    sessions.remove(other); // that one is gone; the rest still get it
                                }
                            }
                        }
                    } finally {
                        sessions.remove(session);
                    }
                }));
    }
}
