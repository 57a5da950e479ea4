package dev.weft.samples;

import dev.weft.core.Tls;
import dev.weft.http.Handler;
import dev.weft.http.HttpException;
import dev.weft.http.HttpServer;
import dev.weft.websocket.Message;
import dev.weft.websocket.WebSocket;
import dev.weft.websocket.WebSocketSession;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 *
 * java -jar samples/target/weft-samples.jar --tls      # HTTPS with a self-signed certificate made at start
 * curl -ik https://localhost:8080/plaintext
 * java -jar samples/target/weft-samples.jar --cert fullchain.pem --key privkey.pem   # HTTPS with your PEM files
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
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help")) {
                System.out.println(usage());
                System.exit(0);
            }
        }
        TlsFlags flags;
        int port;
        try {
            flags = TlsFlags.parse(args);
            port = SampleArgs.port(flags.rest(), System.getenv("PORT"), DEFAULT_PORT);
        } catch (IllegalArgumentException e) {
            System.err.println("HttpDemo: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        Tls tls = null;
        if (flags.tls()) {
            try {
                // PEM files as an ACME client renews them: picked up by the next handshakes, no restart.
                tls = flags.cert() != null ? Tls.fromPem(flags.cert(), flags.key()).reloadOnChange(true) : selfSigned();
            } catch (RuntimeException e) {
                System.err.println("HttpDemo: " + e.getMessage());
                System.exit(1);
                return;
            }
        }
        HttpServer server = builder(port).tls(tls).registerShutdownHook(true).start();
        if (tls != null) {
            log.info("TLS: {}; try curl {}https://localhost:{}/plaintext", tls, flags.cert() == null ? "-k " : "", server.port());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> log.info("shut down: {}", server.shutdown()), "weft-demo-shutdown-log"));
        log.info("http demo listening on port {} (Ctrl-C to stop)", server.port());
        server.awaitTermination();
    }

    /** Starts the demo on {@code port} (0 = ephemeral), without a shutdown hook: for tests. */
    public static HttpServer start(int port) {
        return builder(port).start();
    }

    /** Starts the demo on {@code port} over TLS ({@code null}: plain), without a shutdown hook: for tests. */
    public static HttpServer start(int port, Tls tls) {
        return builder(port).tls(tls).start();
    }

    /** The usage text: the port, as every sample, and the TLS flags. */
    static String usage() {
        return SampleArgs.usage("HttpDemo", DEFAULT_PORT).replace("[--port N]", "[--port N] [--tls | --cert FILE --key FILE]") + "\n"
                + "  --tls               HTTPS with a self-signed certificate for localhost made at start\n"
                + "  --cert FILE --key FILE\n"
                + "                      HTTPS with this PEM certificate chain and private key (reloaded when they change)";
    }

    /**
     * HttpDemo's own flags, taken out before {@link SampleArgs} reads the rest: {@code --tls},
     * {@code --cert FILE} and {@code --key FILE} (also as {@code --cert=FILE}). The two files go
     * together and imply {@code --tls}.
     */
    record TlsFlags(boolean tls, Path cert, Path key, String[] rest) {
        static TlsFlags parse(String[] args) {
            boolean tls = false;
            String cert = null;
            String key = null;
            java.util.List<String> rest = new java.util.ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String flag = a.startsWith("--cert=") ? "--cert" : a.startsWith("--key=") ? "--key" : a;
                if (a.equals("--tls")) {
                    tls = true;
                    continue;
                }
                if (!flag.equals("--cert") && !flag.equals("--key")) {
                    rest.add(a);
                    continue;
                }
                String value;
                if (a.equals(flag)) {
                    if (i + 1 == args.length) {
                        throw new IllegalArgumentException(flag + " needs a file, e.g. " + flag + (flag.equals("--cert")
                                ? " fullchain.pem" : " privkey.pem"));
                    }
                    value = args[++i];
                } else {
                    value = a.substring(flag.length() + 1);
                }
                if (value.isEmpty()) {
                    throw new IllegalArgumentException(flag + " needs a file");
                }
                if (flag.equals("--cert")) {
                    if (cert != null) {
                        throw new IllegalArgumentException("--cert given twice");
                    }
                    cert = value;
                } else {
                    if (key != null) {
                        throw new IllegalArgumentException("--key given twice");
                    }
                    key = value;
                }
            }
            if ((cert == null) != (key == null)) {
                throw new IllegalArgumentException("--cert and --key go together: the certificate chain and its private key");
            }
            return new TlsFlags(tls || cert != null, cert == null ? null : Path.of(cert), key == null ? null : Path.of(key),
                    rest.toArray(new String[0]));
        }
    }

    /**
     * A self-signed certificate for localhost and 127.0.0.1, made now. The JDK has no public API
     * that makes certificates, so this runs the JDK's own {@code keytool} (next to the running
     * {@code java}) into a temporary PKCS#12 file, deleted once read; a runtime without keytool
     * (a jlink image) gets an error saying to pass {@code --cert} and {@code --key}.
     */
    static Tls selfSigned() {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            throw new IllegalStateException("--tls alone needs the JDK's keytool to make a certificate, and " + keytool
                    + " is missing; pass --cert FILE --key FILE instead");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("weft-demo-tls");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot make a temporary directory for the certificate: " + e.getMessage(), e);
        }
        Path store = dir.resolve("self-signed.p12");
        try {
            char[] password = java.util.UUID.randomUUID().toString().toCharArray();
            Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "weft-demo", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1,ip:::1",
                    "-validity", "30", "-storetype", "PKCS12", "-keystore", store.toString(),
                    "-storepass", new String(password), "-keypass", new String(password))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool could not make a self-signed certificate: " + out.strip());
            }
            return Tls.fromPkcs12(store, password); // read now and kept in memory: the file can go
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot make a self-signed certificate: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while keytool made a certificate", e);
        } finally {
            try {
                Files.deleteIfExists(store);
                Files.deleteIfExists(dir);
            } catch (java.io.IOException e) {
                log.warn("could not delete {}: {}", store, e.toString());
            }
        }
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
