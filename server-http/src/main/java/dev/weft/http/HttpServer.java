package dev.weft.http;

import dev.weft.core.ServerBuilder;
import dev.weft.core.ServerConfig;
import dev.weft.core.ServerStats;
import dev.weft.core.ShutdownReport;
import dev.weft.core.TcpServer;
import dev.weft.http.internal.HttpConnection;
import dev.weft.http.internal.HttpSettings;
import dev.weft.http.internal.Router;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A strict HTTP/1.1 server: one virtual thread per connection runs the request loop (parse,
 * route, handle, respond, next), with keep-alive, pipelining, streaming bodies and graceful
 * drain.
 *
 * <pre>{@code
 * HttpServer server = HttpServer.builder()
 *         .port(8080)
 *         .get("/hello/{name}", (req, res) -> res.send("Hello, " + req.pathParam("name")))
 *         .post("/echo", (req, res) -> req.body().transferTo(res.outputStream()))
 *         .start();
 * server.shutdown(Duration.ofSeconds(10));
 * }</pre>
 */
public final class HttpServer implements AutoCloseable {

    private final TcpServer tcp;

    private HttpServer(TcpServer tcp) {
        this.tcp = tcp;
    }

    /** A builder with every transport and HTTP option at its default and no routes. */
    public static Builder builder() {
        return new Builder();
    }

    /** The port bound, the ephemeral one when 0 was asked for. */
    public int port() {
        return tcp.port();
    }

    /** The address and port bound. */
    public InetSocketAddress localAddress() {
        return tcp.localAddress();
    }

    /** Transport counters since start. */
    public ServerStats stats() {
        return tcp.stats();
    }

    /**
     * True once a graceful shutdown has begun, its drain delay included: a readiness route can
     * answer 503 so a load balancer stops sending new work while in-flight requests finish.
     */
    public boolean isDraining() {
        return tcp.isDraining();
    }

    /**
     * Drains gracefully: with a {@link ServerBuilder#drainDelay drainDelay}, first goes on
     * accepting and serving for that long, every response carrying {@code Connection: close};
     * then stops accepting, closes idle keep-alive connections at once, lets in-flight requests
     * finish (their responses carry {@code Connection: close}), and closes what is left at
     * {@code grace}.
     */
    public ShutdownReport shutdown(Duration grace) {
        return tcp.shutdown(grace);
    }

    /** {@link #shutdown(Duration)} with the configured {@code shutdownGrace}. */
    public ShutdownReport shutdown() {
        return tcp.shutdown();
    }

    /** Blocks until the server has shut down. */
    public void awaitTermination() throws InterruptedException {
        tcp.awaitTermination();
    }

    @Override
    public void close() {
        tcp.close();
    }

    /**
     * Every {@link ServerBuilder} transport option, plus HTTP limits, timeouts, routes and
     * filters. Setters record; {@link #start()} validates and names the first bad option.
     */
    public static final class Builder extends ServerBuilder<Builder> {

        private static final Duration MAX_TIMEOUT = Duration.ofDays(365);

        private int maxRequestLineBytes = 8192;
        private int maxHeaderBytes = 16384;
        private int maxHeaderCount = 100;
        private long maxBodyBytes = 16L << 20;
        private long maxDrainBytes = 256L << 10;
        private long maxUploadBytes = -1;
        private long maxFormBytes = Form.DEFAULT_MAX_BYTES;
        private int maxMultipartParts = Multipart.Limits.DEFAULTS.maxParts();
        private long maxPartBytes = Multipart.Limits.DEFAULTS.maxPartBytes();
        private int maxPartHeaderBytes = Multipart.Limits.DEFAULTS.maxPartHeaderBytes();
        private int maxPartHeaderCount = Multipart.Limits.DEFAULTS.maxPartHeaderCount();
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration bodyTimeout = Duration.ofMinutes(5);
        private Duration sseHeartbeat = Duration.ofSeconds(15);
        private boolean compression = true;
        private boolean decodeRequestBodies;
        private String serverHeader;
        private boolean accessLog = true;
        private AccessLogFormat accessLogFormat = AccessLogFormat.WEFT;
        private boolean accessLogQuery;
        private ExceptionMapper exceptionMapper;
        private final List<Router.Definition> routes = new ArrayList<>();
        private final List<Filter> filters = new ArrayList<>();
        private HttpProtocol protocol;

        private Builder() {
            // ALPN (RFC 7301) announces HTTP/1.1, the only protocol served here; plain HTTP on the
            // TLS port gets a readable 400 instead of TLS alert bytes.
            tlsDefaults(List.of("http/1.1"), new dev.weft.http.internal.PlaintextOnTls());
        }

        /** The longest request line (method, target, version) in bytes; longer is 414 (long target) or 400. Default 8192. */
        public Builder maxRequestLineBytes(int bytes) {
            this.maxRequestLineBytes = bytes;
            return this;
        }

        /** The most bytes of header fields (and trailers), request line not counted; more is 431. Default 16384. */
        public Builder maxHeaderBytes(int bytes) {
            this.maxHeaderBytes = bytes;
            return this;
        }

        /** The most header (plus trailer) field lines; more is 431. Default 100. */
        public Builder maxHeaderCount(int count) {
            this.maxHeaderCount = count;
            return this;
        }

        /** The largest request body; a larger Content-Length is 413 before reading, a longer chunked body 413 on reaching it. Default 16 MiB. */
        public Builder maxBodyBytes(long bytes) {
            this.maxBodyBytes = bytes;
            return this;
        }

        /**
         * The highest body limit a route may set with {@link Request#limitBody(long)}: uploads on
         * chosen routes can be larger than {@code maxBodyBytes}, which stays every other route's
         * limit. A Content-Length above this is 413 before the handler runs; one between the two
         * reaches the handler, and is 413 when read unless the route raised its limit. Default:
         * {@code maxBodyBytes} (no route can raise).
         */
        public Builder maxUploadBytes(long bytes) {
            this.maxUploadBytes = bytes;
            return this;
        }

        /**
         * The largest {@code application/x-www-form-urlencoded} body {@link Request#form()} reads
         * (held in memory), and the most a multipart {@link Part#asString()} reads; never more than
         * the request's body limit. Past it, 413. Default 64 KiB.
         */
        public Builder maxFormBytes(long bytes) {
            this.maxFormBytes = bytes;
            return this;
        }

        /** The most parts a {@link Request#multipart()} body may have; one more is 413. Default 100. */
        public Builder maxMultipartParts(int count) {
            this.maxMultipartParts = count;
            return this;
        }

        /**
         * The largest content of one multipart part, read or skipped; past it, 413. Default: no
         * bound of its own, the body limit bounds it (and the whole body).
         */
        public Builder maxPartBytes(long bytes) {
            this.maxPartBytes = bytes;
            return this;
        }

        /** The most bytes of one multipart part's header lines; more is 400. Default 8192. */
        public Builder maxPartHeaderBytes(int bytes) {
            this.maxPartHeaderBytes = bytes;
            return this;
        }

        /** The most header lines of one multipart part; more is 400. Default 16. */
        public Builder maxPartHeaderCount(int count) {
            this.maxPartHeaderCount = count;
            return this;
        }

        /** How much of a body the handler did not read is read and discarded to keep the connection (wire bytes, chunk framing included); beyond it, close. Default 256 KiB. */
        public Builder maxDrainBytes(long bytes) {
            this.maxDrainBytes = bytes;
            return this;
        }

        /** The longest the whole request head may take from its first byte; then 408 and close. Default 10 s; ZERO: none. */
        public Builder headerTimeout(Duration timeout) {
            this.headerTimeout = timeout;
            return this;
        }

        /**
         * The longest reading a whole request body may take, from the end of its head (Go's
         * {@code ReadTimeout} covers the body the same way): a client trickling one byte per
         * {@code readTimeout} cannot hold a connection for longer. Past it the body read fails:
         * 408 if the response has not begun, else the connection is reset. Default 5 minutes
         * (16 MiB, the default {@code maxBodyBytes}, at 56 KB/s); ZERO: none.
         */
        public Builder bodyTimeout(Duration timeout) {
            this.bodyTimeout = timeout;
            return this;
        }

        /**
         * How long an {@link EventStream} may stay quiet before a comment line is sent as a
         * heartbeat (proxies close streams that look dead, and a client that left is noticed).
         * Default 15 s; ZERO: none.
         */
        public Builder sseHeartbeat(Duration interval) {
            this.sseHeartbeat = interval;
            return this;
        }

        /**
         * gzip-encode responses on the fly for clients that accept it ({@code Accept-Encoding},
         * quality values respected): bodies of compressible types (text, JSON, XML, JavaScript,
         * SVG, WebAssembly) of at least 1 KiB, or streamed; never to HEAD, for ranges, event
         * streams, responses that carry their own Content-Encoding or an ETag, or
         * {@code Cache-Control: no-transform}. Such responses carry {@code Vary: Accept-Encoding}.
         * A response opts out with {@link Response#compress(boolean)}. Default on.
         */
        public Builder compression(boolean on) {
            this.compression = on;
            return this;
        }

        /**
         * Decode request bodies sent with {@code Content-Encoding: gzip} (or {@code deflate}):
         * {@code req.body()} then gives the decoded bytes, bounded after decoding by
         * {@code maxBodyBytes} (or {@code req.limitBody}): a gzip bomb is 413, a stream that does
         * not decode 400, another coding 415. Default off: the body is passed on as sent.
         */
        public Builder decodeRequestBodies(boolean on) {
            this.decodeRequestBodies = on;
            return this;
        }

        /** Send {@code Server: value} on every response. Default: no Server header. */
        public Builder serverHeader(String value) {
            this.serverHeader = value;
            return this;
        }

        /**
         * Log one line per request at INFO on the logger {@code dev.weft.http.access}, in the
         * {@linkplain #accessLog(AccessLogFormat) format} set ({@link AccessLogFormat#WEFT} unless
         * one was). Default on.
         */
        public Builder accessLog(boolean on) {
            this.accessLog = on;
            return this;
        }

        /** Turns the access log on, with lines in {@code format} (Common or Combined Log Format, or Weft's own). */
        public Builder accessLog(AccessLogFormat format) {
            this.accessLogFormat = Objects.requireNonNull(format, "format");
            this.accessLog = true;
            return this;
        }

        /**
         * Log request targets with their query string. Default off: the access log shows
         * {@code /search}, not {@code /search?q=…&token=…} (queries carry secrets and personal data).
         */
        public Builder accessLogQuery(boolean on) {
            this.accessLogQuery = on;
            return this;
        }

        /** Maps handler exceptions to responses, before the defaults (see {@link ExceptionMapper}). */
        public Builder exceptionMapper(ExceptionMapper mapper) {
            this.exceptionMapper = mapper;
            return this;
        }

        /**
         * Serves another protocol on the same port, with the same routes, filters and exception
         * mapper (HTTP/2: {@code protocol(Http2.protocol())} from module {@code dev.weft.http2}):
         * by its preface on plain connections, by {@code Upgrade} from HTTP/1.1, and by ALPN over
         * {@link #tls TLS} (the server's context then chooses it when the client offers it, else
         * {@code http/1.1}), as the protocol asks; see {@link HttpProtocol}. Default: none, HTTP/1.1
         * only (an HTTP/2 preface is answered 505). {@code null} removes it.
         */
        public Builder protocol(HttpProtocol protocol) {
            this.protocol = protocol;
            // ALPN (RFC 7301): the protocol first when it has an id, HTTP/1.1 for every other client.
            tlsDefaults(protocol != null && protocol.alpnId() != null ? List.of(protocol.alpnId(), "http/1.1")
                    : List.of("http/1.1"), new dev.weft.http.internal.PlaintextOnTls());
            return this;
        }

        /** Adds a filter around every request; filters run in the order added. */
        public Builder filter(Filter filter) {
            filters.add(Objects.requireNonNull(filter, "filter"));
            return this;
        }

        /**
         * Routes {@code method} on {@code pathTemplate} to {@code handler}. Segments are literals,
         * {@code {name}} parameters, or a final {@code *} for the rest of the path. A GET route
         * also serves HEAD.
         */
        public Builder route(String method, String pathTemplate, Handler handler) {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(pathTemplate, "pathTemplate");
            Objects.requireNonNull(handler, "handler");
            routes.add(new Router.Definition(method, pathTemplate, handler));
            return this;
        }

        public Builder get(String pathTemplate, Handler handler) {
            return route("GET", pathTemplate, handler);
        }

        public Builder post(String pathTemplate, Handler handler) {
            return route("POST", pathTemplate, handler);
        }

        public Builder put(String pathTemplate, Handler handler) {
            return route("PUT", pathTemplate, handler);
        }

        public Builder delete(String pathTemplate, Handler handler) {
            return route("DELETE", pathTemplate, handler);
        }

        public Builder patch(String pathTemplate, Handler handler) {
            return route("PATCH", pathTemplate, handler);
        }

        /**
         * Serves the files under {@code directory} at {@code urlPrefix}: {@code /assets} with
         * {@code public/app.css} answers {@code GET /assets/app.css}. Shorthand for
         * {@code staticFiles(urlPrefix, StaticFiles.directory(directory))}; see {@link StaticFiles}.
         *
         * @throws IllegalArgumentException if {@code directory} is not a directory
         */
        public Builder staticFiles(String urlPrefix, java.nio.file.Path directory) {
            return staticFiles(urlPrefix, StaticFiles.directory(directory));
        }

        /**
         * Serves the class-path resources named {@code resourcePrefix + rest} at
         * {@code urlPrefix}: {@code classpathResources("/", "web/")} answers {@code GET /app.js}
         * with the resource {@code web/app.js}. See {@link StaticFiles#classpath(String)}.
         */
        public Builder classpathResources(String urlPrefix, String resourcePrefix) {
            return staticFiles(urlPrefix, StaticFiles.classpath(resourcePrefix));
        }

        /**
         * Mounts {@code files} at {@code urlPrefix} (a literal path such as {@code /assets}; {@code /}
         * for the whole site): a GET (and so HEAD) route on {@code urlPrefix/*}, where the rest
         * of the path names the file. More specific routes still win over it.
         */
        public Builder staticFiles(String urlPrefix, StaticFiles files) {
            Objects.requireNonNull(urlPrefix, "urlPrefix");
            Objects.requireNonNull(files, "files");
            String prefix = urlPrefix;
            while (prefix.endsWith("/")) {
                prefix = prefix.substring(0, prefix.length() - 1);
            }
            if (!urlPrefix.startsWith("/") || prefix.indexOf('{') >= 0 || prefix.indexOf('*') >= 0) {
                throw new IllegalArgumentException("staticFiles: urlPrefix '" + urlPrefix
                        + "' must be a literal path starting with '/'");
            }
            return route("GET", prefix + "/*", files);
        }

        /** Validates, binds and starts serving. @throws IllegalArgumentException naming the first bad option */
        public HttpServer start() {
            for (Router.Definition r : routes) {
                check(isToken(r.method()), "route", r.method() + " " + r.template(), "method must be a token");
            }
            check(maxRequestLineBytes >= 64 && maxRequestLineBytes <= 1 << 20, "maxRequestLineBytes", maxRequestLineBytes, "must be 64–1048576");
            check(maxHeaderBytes >= 64 && maxHeaderBytes <= 1 << 20, "maxHeaderBytes", maxHeaderBytes, "must be 64–1048576");
            check(maxHeaderCount >= 1 && maxHeaderCount <= 10_000, "maxHeaderCount", maxHeaderCount, "must be 1–10000");
            check(maxBodyBytes >= 0, "maxBodyBytes", maxBodyBytes, "must not be negative");
            check(maxDrainBytes >= 0, "maxDrainBytes", maxDrainBytes, "must not be negative");
            long uploadCeiling = maxUploadBytes < 0 ? maxBodyBytes : maxUploadBytes;
            check(uploadCeiling >= maxBodyBytes, "maxUploadBytes", maxUploadBytes, "must be at least maxBodyBytes (" + maxBodyBytes + ")");
            check(maxFormBytes >= 0 && maxFormBytes <= 1 << 30, "maxFormBytes", maxFormBytes, "must be 0–1073741824");
            check(maxMultipartParts >= 1, "maxMultipartParts", maxMultipartParts, "must be at least 1");
            check(maxPartBytes >= 0, "maxPartBytes", maxPartBytes, "must not be negative");
            check(maxPartHeaderBytes >= 64 && maxPartHeaderBytes <= 1 << 16, "maxPartHeaderBytes", maxPartHeaderBytes, "must be 64–65536");
            check(maxPartHeaderCount >= 1 && maxPartHeaderCount <= 1000, "maxPartHeaderCount", maxPartHeaderCount, "must be 1–1000");
            check(headerTimeout != null && !headerTimeout.isNegative() && headerTimeout.compareTo(MAX_TIMEOUT) <= 0,
                    "headerTimeout", headerTimeout, "must be 0–365 days (Duration.ZERO means no timeout)");
            check(bodyTimeout != null && !bodyTimeout.isNegative() && bodyTimeout.compareTo(MAX_TIMEOUT) <= 0, "bodyTimeout",
                    bodyTimeout, "must be 0–365 days (Duration.ZERO means no timeout)");
            check(sseHeartbeat != null && !sseHeartbeat.isNegative() && sseHeartbeat.compareTo(MAX_TIMEOUT) <= 0,
                    "sseHeartbeat", sseHeartbeat, "must be 0–365 days (Duration.ZERO means none)");
            if (serverHeader != null) {
                check(!serverHeader.isBlank() && isPrintableAscii(serverHeader),
                        "serverHeader", serverHeader, "must be printable ASCII");
            }
            Router router;
            try {
                router = new Router(routes);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("route: " + e.getMessage(), e);
            }
            ServerConfig config = buildConfig();
            HttpSettings settings = new HttpSettings(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes,
                    maxDrainBytes, headerTimeout, bodyTimeout, sseHeartbeat, compression, decodeRequestBodies, serverHeader, accessLog, accessLogFormat, accessLogQuery, router, filters.toArray(new Filter[0]),
                    exceptionMapper, new HttpSettings.BodyLimits(uploadCeiling, maxFormBytes,
                            new Multipart.Limits(maxMultipartParts, maxPartBytes, maxPartHeaderBytes, maxPartHeaderCount,
                                    (int) maxFormBytes)));
            TcpServer tcp = TcpServer.start(config, protocol == null ? new HttpConnection.RequestLoop(settings)
                    : new HttpConnection.RequestLoop(settings, protocol, new HttpDispatcher(settings)));
            return new HttpServer(tcp);
        }

        // Loops, not chars().allMatch(lambda): streams and lambdas cost class spinning at start-up.
        private static boolean isToken(String s) {
            if (s.isEmpty()) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c <= 0x20 || c >= 0x7F || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                    return false;
                }
            }
            return true;
        }

        private static boolean isPrintableAscii(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c >= 0x7F) {
                    return false;
                }
            }
            return true;
        }
    }
}
