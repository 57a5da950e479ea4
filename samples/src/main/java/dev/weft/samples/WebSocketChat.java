package dev.weft.samples;

import dev.weft.http.HttpServer;
import dev.weft.websocket.CloseStatus;
import dev.weft.websocket.Message;
import dev.weft.websocket.WebSocket;
import dev.weft.websocket.WebSocketListener;
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
 *
 * <p>With {@code --hibernate-idle-after MILLIS} the same chat is served by a listener
 * ({@link WebSocketListener}): no thread per session between messages, and a session quiet for
 * MILLIS gives up its connection's thread too, waking for its next message or for a broadcast.
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

    private static final String HIBERNATE_FLAG = "--hibernate-idle-after";

    public static void main(String[] args) throws InterruptedException {
        // Our one flag first; SampleArgs takes the rest (and refuses what it does not know).
        java.util.List<String> rest = new java.util.ArrayList<>();
        Duration hibernate = null;
        try {
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals(HIBERNATE_FLAG)) {
                    hibernate = Duration.ofMillis(HttpDemo.millis(i + 1 < args.length ? args[++i] : ""));
                } else if (args[i].startsWith(HIBERNATE_FLAG + "=")) {
                    hibernate = Duration.ofMillis(HttpDemo.millis(args[i].substring(HIBERNATE_FLAG.length() + 1)));
                } else {
                    rest.add(args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("WebSocketChat: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        if (rest.contains("-h") || rest.contains("--help")) {
            System.out.println(usage());
            System.exit(0);
        }
        int port = SampleArgs.portOrExit("WebSocketChat", rest.toArray(String[]::new), DEFAULT_PORT);
        HttpServer server = builder(port, hibernate).registerShutdownHook(true).start();
        log.info("websocket chat listening on port {} (Ctrl-C to stop){}", server.port(),
                hibernate == null ? "" : "; listener sessions hibernate after " + hibernate.toMillis() + " ms");
        server.awaitTermination();
    }

    private static String usage() {
        return SampleArgs.usage("WebSocketChat", DEFAULT_PORT).replace("[--port N]", "[--port N] [--hibernate-idle-after MILLIS]")
                + "\n  --hibernate-idle-after MILLIS  serve /chat with a listener whose quiet sessions give up their"
                + "\n                                thread after MILLIS ms (docs/websocket.md); default: a blocking endpoint";
    }

    /** Starts the chat on {@code port} (0 = ephemeral), without a shutdown hook: for tests. */
    public static HttpServer start(int port) {
        return builder(port, null).start();
    }

    /**
     * As {@link #start(int)}, served by a listener whose sessions hibernate after
     * {@code hibernateIdleAfter}, as {@code --hibernate-idle-after} sets it: for tests.
     */
    public static HttpServer startHibernating(int port, Duration hibernateIdleAfter) {
        return builder(port, hibernateIdleAfter).start();
    }

    private static HttpServer.Builder builder(int port, Duration hibernate) {
        Set<WebSocketSession> sessions = ConcurrentHashMap.newKeySet();
        byte[] page = PAGE.getBytes(StandardCharsets.UTF_8);
        HttpServer.Builder b = HttpServer.builder()
                .port(port)
                .shutdownGrace(Duration.ofSeconds(5))
                .get("/", (req, res) -> res.contentType("text/html; charset=utf-8").send(page));
        if (hibernate != null) {
            return b.hibernateIdleAfter(hibernate).get("/chat", WebSocket.listener(new WebSocketListener() {
                @Override
                public void onOpen(WebSocketSession session) {
                    sessions.add(session);
                }

                @Override
                public void onMessage(WebSocketSession session, Message m) {
                    broadcast(sessions, m.text());
                }

                @Override
                public void onClose(WebSocketSession session, CloseStatus status) {
                    sessions.remove(session);
                }
            }));
        }
        return b.get("/chat", WebSocket.endpoint(session -> {
                    sessions.add(session);
                    try {
                        for (Message m; (m = session.receive()) != null; ) {
                            broadcast(sessions, m.text());
                        }
                    } finally {
                        sessions.remove(session);
                    }
                }));
    }

    /** Every session gets the line; one whose send fails is gone, and the rest still get it. */
    private static void broadcast(Set<WebSocketSession> sessions, String line) {
        for (WebSocketSession other : sessions) {
            try {
                other.send(line);
            } catch (IOException e) {
                sessions.remove(other);
            }
        }
    }
}
