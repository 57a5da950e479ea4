package dev.weft.samples;

import dev.weft.http.Handler;
import dev.weft.http.HttpException;
import dev.weft.http.HttpServer;
import dev.weft.websocket.Message;
import dev.weft.websocket.WebSocket;
import dev.weft.websocket.WebSocketSession;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP demo app: every route is a few lines of blocking code on the connection's own
 * virtual thread.
 *
 * <pre>
 * java -jar samples/target/weft-samples.jar            # port 8080, or --port N, or PORT=N
 * curl -i localhost:8080/plaintext
 * curl -i -X POST --data-binary @file localhost:8080/echo
 * curl -i 'localhost:8080/stream?n=5'
 * java -jar samples/target/weft-samples.jar --hibernate-idle-after 1000   # idle connections hibernate after 1 s
 * </pre>
 *
 * Routes: {@code GET|HEAD /plaintext}, {@code GET /json}, {@code POST /echo},
 * {@code GET /stream?n=K}, {@code GET /slow?ms=M}, {@code GET /status/{code}}, {@code GET /health}
 * (503 while draining), {@code GET /ws/echo} (a WebSocket echo). Ctrl-C or SIGTERM drains with a 10 s grace and logs the report.
 */
public final class HttpDemo {

    /** The port {@code main} listens on without {@code --port} or {@code PORT}. */
    public static final int DEFAULT_PORT = 8080;

    private static final Logger log = LoggerFactory.getLogger(HttpDemo.class);
    private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JSON = "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_LINES = 1_000_000;
    private static final int MAX_SLOW_MS = 60_000;

    private HttpDemo() {
    }

    public static void main(String[] args) throws InterruptedException {
        // --hibernate-idle-after MILLIS is HttpDemo's own flag; SampleArgs parses the rest.
        java.util.List<String> rest = new java.util.ArrayList<>();
        long hibernateMillis = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals(HIBERNATE_FLAG) || a.startsWith(HIBERNATE_FLAG + "=")) {
                    String v = a.equals(HIBERNATE_FLAG)
                            ? (i + 1 < args.length ? args[++i] : "") : a.substring(HIBERNATE_FLAG.length() + 1);
                    hibernateMillis = millis(v);
                } else {
                    rest.add(a);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("HttpDemo: " + e.getMessage());
            System.err.println(SampleArgs.usage("HttpDemo", DEFAULT_PORT) + HIBERNATE_USAGE);
            System.exit(2);
            return;
        }
        if (rest.contains("-h") || rest.contains("--help")) {
            System.out.println(SampleArgs.usage("HttpDemo", DEFAULT_PORT) + HIBERNATE_USAGE);
            System.exit(0);
        }
        int port = SampleArgs.portOrExit("HttpDemo", rest.toArray(new String[0]), DEFAULT_PORT);
        HttpServer server = builder(port).registerShutdownHook(true)
                .hibernateIdleAfter(Duration.ofMillis(hibernateMillis)).start();
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> log.info("shut down: {}", server.shutdown()), "weft-demo-shutdown-log"));
        log.info("http demo listening on port {} (Ctrl-C to stop)", server.port());
        server.awaitTermination();
    }

    private static final String HIBERNATE_FLAG = "--hibernate-idle-after";
    private static final String HIBERNATE_USAGE = "\n  --hibernate-idle-after MILLIS  idle keep-alive connections give up their thread after"
            + "\n                                MILLIS ms (docs/hibernation.md); default 0: never";

    /** A non-negative number of milliseconds, digits only. */
    static long millis(String v) {
        boolean digits = !v.isEmpty() && v.length() <= 10;
        for (int i = 0; i < v.length() && digits; i++) {
            digits = v.charAt(i) >= '0' && v.charAt(i) <= '9';
        }
        if (!digits) {
            throw new IllegalArgumentException(HIBERNATE_FLAG + ": '" + v + "' is not a number of milliseconds");
        }
        return Long.parseLong(v);
    }

    /** Starts the demo on {@code port} (0 = ephemeral), without a shutdown hook: for tests. */
    public static HttpServer start(int port) {
        return builder(port).start();
    }

    private static HttpServer.Builder builder(int port) {
        return HttpServer.builder()
                .port(port)
                .shutdownGrace(Duration.ofSeconds(10))
                // One INFO line per request would dominate a benchmark: opt in with -Dweft.accessLog=true.
                .accessLog(Boolean.getBoolean("weft.accessLog"))
                .get("/plaintext", (req, res) -> res.contentType("text/plain").send(HELLO))
                .get("/json", (req, res) -> res.contentType("application/json").send(JSON))
                .post("/echo", HttpDemo::echo)
                .get("/stream", HttpDemo::stream)
                .get("/slow", HttpDemo::slow)
                .get("/status/{code}", HttpDemo::status)
                .get("/health", HttpDemo::health)
                .get("/events", HttpDemo::events)
                .get("/ws/echo", WebSocket.endpoint(HttpDemo::wsEcho));
    }

    /** {@code /ws/echo}: a WebSocket that sends every text and binary message back unchanged. */
    private static void wsEcho(WebSocketSession session) throws java.io.IOException {
        for (Message m; (m = session.receive()) != null; ) {
            if (m.isText()) {
                session.send(m.text());
            } else {
                session.send(m.bytes());
            }
        }
    }

    /** {@code /health}: 200 {@code ok}, or 503 {@code draining} once a graceful shutdown has begun. */
    private static void health(dev.weft.http.Request req, dev.weft.http.Response res) {
        if (req.serverDraining()) {
            res.status(503).header("Retry-After", "1").send("draining\n");
        } else {
            res.send("ok\n");
        }
    }

    private static void echo(dev.weft.http.Request req, dev.weft.http.Response res) throws Exception {
        String type = req.header("Content-Type");
        res.contentType(type != null ? type : "application/octet-stream");
        if (req.contentLength() >= 0) {
            res.contentLength(req.contentLength());
        }
        try (InputStream in = req.body(); OutputStream out = res.outputStream()) {
            in.transferTo(out);
        }
    }

    private static void stream(dev.weft.http.Request req, dev.weft.http.Response res) throws Exception {
        int n = intParam(req.queryParam("n"), "n", 0, MAX_LINES);
        res.contentType("text/plain; charset=utf-8");
        try (OutputStream out = res.outputStream()) {
            for (int i = 0; i < n; i++) {
                out.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    /** {@code /events?n=K}: K Server-Sent Events, {@code id: i} and {@code data: tick i}, then the stream ends. */
    private static void events(dev.weft.http.Request req, dev.weft.http.Response res) throws Exception {
        int n = intParam(req.queryParam("n"), "n", 0, MAX_LINES);
        dev.weft.http.EventStream events = res.sse();
        for (int i = 0; i < n && events.isOpen(); i++) {
            events.send(dev.weft.http.ServerSentEvent.of("tick " + i).withId(Integer.toString(i)));
        }
    }

    private static void slow(dev.weft.http.Request req, dev.weft.http.Response res) throws Exception {
        int ms = intParam(req.queryParam("ms"), "ms", 0, MAX_SLOW_MS);
        Thread.sleep(ms); // the point of the route: a request that takes time, blocking its own virtual thread only
        res.send("done");
    }

    private static void status(dev.weft.http.Request req, dev.weft.http.Response res) {
        int code = intParam(req.pathParam("code"), "code", 200, 599);
        res.status(code).send(code + "\n");
    }

    private static int intParam(String value, String name, int min, int max) {
        if (value == null) {
            throw new HttpException(400, "missing parameter " + name + " (" + min + "–" + max + ")");
        }
        try {
            int v = Integer.parseInt(value);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new HttpException(400, "parameter " + name + " must be a number " + min + "–" + max);
    }
}
