package dev.weft.samples;

import dev.weft.core.Tls;
import dev.weft.http.Handler;
import dev.weft.http.HttpException;
import dev.weft.http.HttpServer;
import dev.weft.http.StaticFiles;
import dev.weft.http2.Http2;
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
 * curl -F note=hi -F file=@photo.jpg localhost:8080/upload
 * curl --data-urlencode 'q=a b' localhost:8080/form
 * curl -i localhost:8080/files/                        # the demo's own files, or --files DIR
 *
 * java -jar samples/target/weft-samples.jar --tls      # HTTPS with a self-signed certificate made at start
 * curl -ik https://localhost:8080/plaintext
 * java -jar samples/target/weft-samples.jar --cert fullchain.pem --key privkey.pem   # HTTPS with your PEM files
 * curl -i --http2-prior-knowledge localhost:8080/json   # h2c; --http2 upgrades from HTTP/1.1
 * java -jar samples/target/weft-samples.jar --hibernate-idle-after 1000   # idle connections hibernate after 1 s
 * </pre>
 *
 * Routes: {@code GET|HEAD /plaintext}, {@code GET /json}, {@code POST /echo},
 * {@code GET /stream?n=K}, {@code GET /slow?ms=M}, {@code GET /status/{code}}, {@code GET /health}
 * (503 while draining), {@code GET /ws/echo} (a WebSocket echo), {@code GET /ws/listener-echo} (the
 * same echo as a listener, which holds no thread between messages and hibernates with
 * {@code --hibernate-idle-after}), {@code POST /upload} (multipart:
 * each part's name, filename, size and sha-256), {@code POST /form} (urlencoded: the fields),
 * {@code GET /files/*} (static files:
 * the directory given with {@code --files DIR}, else a few files shipped in the jar). Ctrl-C or SIGTERM drains with a 10 s grace and logs the report;
 * with {@code --drain-delay S} it first keeps serving for S seconds ({@code /health} answers 503,
 * every response says {@code Connection: close}), so a load balancer moves away first.
 * {@code --reuse-port} sets SO_REUSEPORT, so a new instance can bind the port beside an old one.
 * Every route also answers over HTTP/2 on the same port (h2c by prior knowledge or by
 * {@code Upgrade: h2c}; h2 by ALPN with {@code --tls}), except the two WebSockets, which need HTTP/1.1's upgrade.
 */
public final class HttpDemo {

    /** The port {@code main} listens on without {@code --port} or {@code PORT}. */
    public static final int DEFAULT_PORT = 8080;

    /** How long a shutdown lets in-flight requests finish, after the drain delay (deploy/k8s.yaml's grace period counts on it). */
    public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(HttpDemo.class);
    private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JSON = "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_LINES = 1_000_000;
    private static final int MAX_SLOW_MS = 60_000;
    /** The body limit of {@code /upload}, raised above {@code maxBodyBytes} for that route only. */
    static final long MAX_UPLOAD_BYTES = 4L << 30;

    private HttpDemo() {
    }

    /** The class-path folder {@code GET /files/*} serves without {@code --files}. */
    public static final String DEMO_FILES = "demo-files/";

    public static void main(String[] args) throws InterruptedException {
        Options options = optionsOrExit(args);
        TlsFlags flags;
        int port;
        try {
            flags = TlsFlags.parse(options.rest());
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
        HttpServer server = builder(port, options.files()).tls(tls).registerShutdownHook(true)
                .drainDelay(options.drainDelay()).reusePort(options.reusePort())
                .hibernateIdleAfter(options.hibernateIdleAfter()).maxConnections(options.maxConnections()).start();
        if (tls != null) {
            log.info("TLS: {}; try curl {}https://localhost:{}/plaintext", tls, flags.cert() == null ? "-k " : "", server.port());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> log.info("shut down: {}", server.shutdown()), "weft-demo-shutdown-log"));
        log.info("http demo listening on port {} (Ctrl-C to stop)", server.port());
        log.info("GET /files/* serves {}", options.files() != null ? options.files().toAbsolutePath() : "the demo's own " + DEMO_FILES);
        server.awaitTermination();
    }

    /**
     * HttpDemo's own flags, besides {@link SampleArgs}' {@code --port}.
     *
     * @param drainDelay {@code --drain-delay SECONDS}: how long SIGTERM keeps serving (with
     *                   {@code /health} at 503 and {@code Connection: close}) before the drain; default 0
     * @param reusePort  {@code --reuse-port}: SO_REUSEPORT, so a second instance can bind the same port
     * @param rest       the other arguments, for {@link SampleArgs#port}
     * @param files      {@code --files DIR}: the directory {@code GET /files/*} serves; null: the demo's own files
     * @param hibernateIdleAfter {@code --hibernate-idle-after MILLIS}: idle keep-alive connections give up
     *                   their thread after that long; default 0, never
     * @param maxConnections {@code --max-connections N}: open connections at most (the server's
     *                   {@code maxConnections}); default 10,000
     */
    public record Options(Duration drainDelay, boolean reusePort, String[] rest, Path files, Duration hibernateIdleAfter,
                          int maxConnections) {
    }

    /** The usage text of {@code main}. */
    public static String usage() {
        return SampleArgs.usage("HttpDemo", DEFAULT_PORT).replace("[--port N]", "[--port N] [--drain-delay SECONDS] [--reuse-port] [--files DIR] [--tls | --cert FILE --key FILE] [--hibernate-idle-after MILLIS] [--max-connections N]")
                + "\n  --drain-delay S     on SIGTERM, keep serving for S seconds (0-3600; /health answers 503,"
                + "\n                      responses say Connection: close) before the 10 s graceful drain; default 0"
                + "\n  --reuse-port        SO_REUSEPORT: a new instance can bind the port beside this one"
                + "\n  --files DIR         the directory GET /files/* serves; default: the demo's own files"
                + "\n  --tls               HTTPS with a self-signed certificate for localhost made at start"
                + "\n  --cert FILE --key FILE"
                + "\n                      HTTPS with this PEM certificate chain and private key (reloaded when they change)"
                + HIBERNATE_USAGE
                + "\n  --max-connections N open connections at most; at the limit the longest idle one makes room;"
                + "\n                      default " + DEFAULT_MAX_CONNECTIONS;
    }

    /**
     * Takes HttpDemo's own flags out of {@code args}.
     *
     * @throws IllegalArgumentException saying which argument is wrong and why
     */
    public static Options options(String[] args) {
        Duration drainDelay = null;
        boolean reusePort = false;
        Path files = null;
        long hibernateMillis = 0;
        int maxConnections = DEFAULT_MAX_CONNECTIONS;
        java.util.List<String> rest = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            if (arg.equals("--drain-delay")) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException("--drain-delay needs a value in seconds, e.g. --drain-delay 5");
                }
                value = args[++i];
            } else if (arg.startsWith("--drain-delay=")) {
                value = arg.substring("--drain-delay=".length());
            } else if (arg.equals("--reuse-port")) {
                reusePort = true;
                continue;
            } else if (arg.equals(HIBERNATE_FLAG) || arg.startsWith(HIBERNATE_FLAG + "=")) {
                hibernateMillis = millis(arg.equals(HIBERNATE_FLAG)
                        ? (i + 1 < args.length ? args[++i] : "") : arg.substring(HIBERNATE_FLAG.length() + 1));
                continue;
            } else if (arg.equals(MAX_CONNECTIONS_FLAG) || arg.startsWith(MAX_CONNECTIONS_FLAG + "=")) {
                maxConnections = count(arg.equals(MAX_CONNECTIONS_FLAG)
                        ? (i + 1 < args.length ? args[++i] : "") : arg.substring(MAX_CONNECTIONS_FLAG.length() + 1));
                continue;
            } else if (arg.equals("--files") || arg.startsWith("--files=")) {
                if (files != null) {
                    throw new IllegalArgumentException("--files given twice");
                }
                String dir = arg.equals("--files") ? (i + 1 < args.length ? args[++i] : null) : arg.substring("--files=".length());
                if (dir == null) {
                    throw new IllegalArgumentException("--files needs a directory, e.g. --files ./public");
                }
                files = Path.of(dir);
                if (!Files.isDirectory(files)) {
                    throw new IllegalArgumentException("--files: '" + dir + "' is not a directory");
                }
                continue;
            } else {
                rest.add(arg);
                continue;
            }
            if (drainDelay != null) {
                throw new IllegalArgumentException("--drain-delay given twice");
            }
            drainDelay = seconds(value);
        }
        return new Options(drainDelay == null ? Duration.ZERO : drainDelay, reusePort, rest.toArray(new String[0]), files,
                Duration.ofMillis(hibernateMillis), maxConnections);
    }

    private static Duration seconds(String value) {
        // Whole seconds, digits only (as --port): "1.5" or "-1" is a mistake worth saying.
        boolean digits = !value.isEmpty() && value.length() <= 4;
        for (int i = 0; i < value.length() && digits; i++) {
            digits = value.charAt(i) >= '0' && value.charAt(i) <= '9';
        }
        int s = digits ? Integer.parseInt(value) : -1;
        if (s < 0 || s > 3600) {
            throw new IllegalArgumentException("--drain-delay: '" + value + "' is not a number of seconds (0-3600)");
        }
        return Duration.ofSeconds(s);
    }

    private static Options optionsOrExit(String[] args) {
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help")) {
                System.out.println(usage());
                System.exit(0);
            }
        }
        try {
            Options options = options(args);
            SampleArgs.port(TlsFlags.parse(options.rest()).rest(), System.getenv("PORT"), DEFAULT_PORT); // report a bad --port with this usage
            return options;
        } catch (IllegalArgumentException e) {
            System.err.println("HttpDemo: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            throw e; // not reached
        }
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

    private static final String MAX_CONNECTIONS_FLAG = "--max-connections";
    private static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    /** A count of connections from 1 to {@link Integer#MAX_VALUE}, digits only. */
    static int count(String v) {
        boolean digits = !v.isEmpty() && v.length() <= 10;
        for (int i = 0; i < v.length() && digits; i++) {
            digits = v.charAt(i) >= '0' && v.charAt(i) <= '9';
        }
        long n = digits ? Long.parseLong(v) : 0;
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(MAX_CONNECTIONS_FLAG + ": '" + v + "' is not a count of connections (1-"
                    + Integer.MAX_VALUE + ")");
        }
        return (int) n;
    }

    /** Starts the demo on {@code port} (0 = ephemeral), without a shutdown hook: for tests. */
    public static HttpServer start(int port) {
        return builder(port, null).start();
    }

    /** As {@link #start(int)}, with {@code GET /files/*} serving {@code files} (null: the demo's own files). */
    public static HttpServer start(int port, Path files) {
        return builder(port, files).start();
    }

    /** {@link #start(int)} with a drain delay, as {@code --drain-delay} sets it: for tests. */
    public static HttpServer start(int port, Duration drainDelay) {
        return builder(port, null).drainDelay(drainDelay).start();
    }

    /** {@link #start(int)} with {@code hibernateIdleAfter}, as {@code --hibernate-idle-after} sets it: for tests. */
    public static HttpServer startHibernating(int port, Duration hibernateIdleAfter) {
        return builder(port, null).hibernateIdleAfter(hibernateIdleAfter).start();
    }

    /** Starts the demo on {@code port} over TLS ({@code null}: plain), without a shutdown hook: for tests. */
    public static HttpServer start(int port, Tls tls) {
        return builder(port, null).tls(tls).start();
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

    private static HttpServer.Builder builder(int port, Path files) {
        return HttpServer.builder()
                .port(port)
                .shutdownGrace(SHUTDOWN_GRACE)
                // One INFO line per request would dominate a benchmark: opt in with -Dweft.accessLog=true.
                .accessLog(Boolean.getBoolean("weft.accessLog"))
                .maxUploadBytes(MAX_UPLOAD_BYTES)
                .protocol(Http2.protocol())
                .get("/plaintext", (req, res) -> res.contentType("text/plain").send(HELLO))
                .get("/json", (req, res) -> res.contentType("application/json").send(JSON))
                .post("/echo", HttpDemo::echo)
                .get("/stream", HttpDemo::stream)
                .get("/slow", HttpDemo::slow)
                .get("/status/{code}", HttpDemo::status)
                .get("/health", HttpDemo::health)
                .get("/events", HttpDemo::events)
                .get("/ws/echo", WebSocket.endpoint(HttpDemo::wsEcho))
                .get("/ws/listener-echo", WebSocket.listener((session, m) -> {
                    if (m.isText()) {
                        session.send(m.text());
                    } else {
                        session.send(m.bytes());
                    }
                }))
                .post("/upload", HttpDemo::upload)
                .post("/form", HttpDemo::form)
                .staticFiles("/files", files != null ? StaticFiles.directory(files)
                        : StaticFiles.classpath(DEMO_FILES, HttpDemo.class.getClassLoader()));
    }

    /**
     * {@code /upload}: a multipart body, streamed (never held whole), up to 4 GiB; one line per
     * part: {@code name filename bytes sha256}, the filename sanitised, {@code -} for a field.
     */
    private static void upload(dev.weft.http.Request req, dev.weft.http.Response res) throws Exception {
        req.limitBody(MAX_UPLOAD_BYTES);
        StringBuilder out = new StringBuilder();
        byte[] buf = new byte[64 << 10];
        for (dev.weft.http.Part part : req.multipart()) {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            long bytes = 0;
            InputStream in = part.inputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                sha.update(buf, 0, n);
                bytes += n;
            }
            String filename = part.filename() == null || part.filename().isEmpty() ? "-" : part.filename();
            out.append(part.name()).append(' ').append(filename).append(' ').append(bytes).append(' ')
                    .append(java.util.HexFormat.of().formatHex(sha.digest())).append('\n');
        }
        res.contentType("text/plain; charset=utf-8").send(out.toString());
    }

    /** {@code /form}: an urlencoded form; one line per value, {@code name=value}. */
    private static void form(dev.weft.http.Request req, dev.weft.http.Response res) throws Exception {
        dev.weft.http.Form form = req.form();
        StringBuilder out = new StringBuilder();
        for (String name : form.names()) {
            for (String value : form.all(name)) {
                out.append(name).append('=').append(value).append('\n');
            }
        }
        res.contentType("text/plain; charset=utf-8").send(out.toString());
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
