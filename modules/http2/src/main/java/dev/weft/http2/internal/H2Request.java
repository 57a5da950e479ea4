package dev.weft.http2.internal;

import dev.weft.http.Headers;
import dev.weft.http.HttpException;
import dev.weft.http.HttpProtocol;
import dev.weft.http.ProtocolRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One stream's request as {@link dev.weft.http.Request}: its header block checked by RFC 9113 §8.2–§8.3. */
final class H2Request implements ProtocolRequest {

    private static final String[] NONE = new String[0];

    final H2Connection c;
    H2Stream s;
    private final String method;
    final String scheme;
    private final String authority;
    private final String target;
    private final String rawPath;
    private final String rawQuery;
    private final H2Headers headers;
    private final long contentLength;
    /** The header list was over the bounds: answered 431 without running the handler. */
    boolean tooLarge;
    final long startNanos = System.nanoTime();
    /** The dev.weft.HttpRequest event, begun with the stream; null when nothing records it. */
    final dev.weft.http.HttpDispatcher.RequestEvent event;

    private String[] names = NONE;
    private String[] values = NONE;
    private String path;
    private Map<String, List<String>> query;
    private long limit;
    private boolean reading;
    private Body body;
    private volatile HttpException failure;

    private String routeTemplate;

    private H2Request(H2Connection c, String method, String scheme, String authority, String target, H2Headers headers,
            long contentLength) {
        this.c = c;
        this.method = method;
        this.scheme = scheme;
        this.authority = authority;
        this.target = target;
        int q = target.indexOf('?');
        this.rawPath = q < 0 ? target : target.substring(0, q);
        this.rawQuery = q < 0 ? null : target.substring(q + 1);
        this.headers = headers;
        this.contentLength = contentLength;
        this.limit = c.dispatcher.maxBodyBytes();
        this.event = c.dispatcher.beginRequestEvent();
    }

    void attach(H2Stream stream) {
        this.s = stream;
    }

    /** The HTTP/1.1 request that upgraded (RFC 7540 §3.2): stream 1. */
    static H2Request upgraded(H2Connection c, H2Stream s, HttpProtocol.UpgradeRequest u) {
        List<String> fields = new ArrayList<>();
        Headers h = u.headers();
        for (int i = 0; i < h.size(); i++) {
            String n = h.name(i);
            if (!CONNECTION_SPECIFIC.contains(n) && !n.equals("http2-settings") && !n.equals("te")) {
                fields.add(n);
                fields.add(h.value(i));
            }
        }
        H2Request r = new H2Request(c, intern(u.method()), "http", h.get("host"), u.target(), new H2Headers(fields), u.body().length);
        r.attach(s);
        return r;
    }

    private static final java.util.Set<String> CONNECTION_SPECIFIC = java.util.Set.of(
            "connection", "proxy-connection", "keep-alive", "transfer-encoding", "upgrade");

    /**
     * Checks a request's header block.
     *
     * @throws H2Error a stream error PROTOCOL_ERROR for a malformed request (§8.1.1)
     */
    static H2Request parse(H2Connection c, int id, List<String> fields, boolean end) throws H2Error {
        String method = null;
        String scheme = null;
        String authority = null;
        String path = null;
        boolean regular = false;
        long contentLength = -1;
        List<String> out = new ArrayList<>(fields.size());
        StringBuilder cookies = null;
        for (int i = 0; i < fields.size(); i += 2) {
            String n = fields.get(i);
            String v = fields.get(i + 1);
            checkValue(id, n, v);
            if (n.startsWith(":")) {
                if (regular) {
                    throw malformed(id, "pseudo-header " + n + " after a regular field (RFC 9113 §8.3)");
                }
                switch (n) {
                    case ":method" -> method = once(id, n, method, v);
                    case ":scheme" -> scheme = once(id, n, scheme, v);
                    case ":authority" -> authority = once(id, n, authority, v);
                    case ":path" -> path = once(id, n, path, v);
                    default -> throw malformed(id, "pseudo-header " + n + " is not a request's (RFC 9113 §8.3)");
                }
                continue;
            }
            regular = true;
            checkName(id, n);
            if (CONNECTION_SPECIFIC.contains(n)) {
                throw malformed(id, "connection-specific field " + n + " (RFC 9113 §8.2.2)");
            }
            if (n.equals("te") && !v.equals("trailers")) {
                throw malformed(id, "te other than \"trailers\" (RFC 9113 §8.2.2)");
            }
            if (n.equals("content-length")) {
                long l = parseLength(v);
                if (l < 0 || (contentLength >= 0 && l != contentLength)) {
                    throw malformed(id, "bad content-length \"" + v + "\"");
                }
                contentLength = l;
            }
            if (n.equals("cookie")) {
                // §8.2.3: cookies may come split into several fields; HTTP/1.1 applications expect one.
                if (cookies == null) {
                    cookies = new StringBuilder(v);
                } else {
                    cookies.append("; ").append(v);
                }
                continue;
            }
            out.add(n);
            out.add(v);
        }
        if (cookies != null) {
            out.add("cookie");
            out.add(cookies.toString());
        }
        if (method == null) {
            throw malformed(id, "no :method (RFC 9113 §8.3.1)");
        }
        if (method.equals("CONNECT")) {
            throw H2Error.stream(id, H2Error.REFUSED_STREAM, "CONNECT is not supported");
        }
        if (scheme == null || path == null) {
            throw malformed(id, "no " + (scheme == null ? ":scheme" : ":path") + " (RFC 9113 §8.3.1)");
        }
        if (path.isEmpty() || !(path.charAt(0) == '/' || (path.equals("*") && method.equals("OPTIONS")))) {
            throw malformed(id, ":path \"" + path + "\" is neither origin-form nor * for OPTIONS (RFC 9113 §8.3.1)");
        }
        for (int i = 0; i < path.length(); i++) {
            char ch = path.charAt(i);
            if (ch <= 0x20 || ch >= 0x7F || ch == '#') {
                throw malformed(id, ":path holds byte 0x" + Integer.toHexString(ch) + " at " + i);
            }
        }
        H2Headers h = new H2Headers(out);
        String host = h.get("host");
        if (authority != null && host != null && !authority.equals(host)) {
            throw malformed(id, "host \"" + host + "\" differs from :authority \"" + authority + "\" (RFC 9113 §8.3.1)");
        }
        for (int i = 0; i < method.length(); i++) {
            char ch = method.charAt(i);
            if (ch <= 0x20 || ch >= 0x7F || "()<>@,;:\\\"/[]?={}".indexOf(ch) >= 0) {
                throw malformed(id, ":method is not a token");
            }
        }
        H2Request r = new H2Request(c, intern(method), scheme, authority, path, h, contentLength);
        if (h.size() > c.dispatcher.maxHeaderCount()) {
            r.tooLarge = true;
        }
        return r;
    }

    /** Trailers: regular fields only (§8.1). */
    static H2Headers trailers(int id, List<String> fields) throws H2Error {
        for (int i = 0; i < fields.size(); i += 2) {
            String n = fields.get(i);
            checkValue(id, n, fields.get(i + 1));
            if (n.startsWith(":")) {
                throw malformed(id, "pseudo-header " + n + " in trailers (RFC 9113 §8.1)");
            }
            checkName(id, n);
        }
        return new H2Headers(fields);
    }

    private static String once(int id, String name, String old, String v) throws H2Error {
        if (old != null) {
            throw malformed(id, "pseudo-header " + name + " twice (RFC 9113 §8.3)");
        }
        return v;
    }

    /** §8.2: lower-case tokens; an upper-case letter makes the request malformed. */
    private static void checkName(int id, String n) throws H2Error {
        if (n.isEmpty()) {
            throw malformed(id, "empty field name");
        }
        for (int i = 0; i < n.length(); i++) {
            char ch = n.charAt(i);
            if (ch >= 'A' && ch <= 'Z') {
                throw malformed(id, "field name \"" + n + "\" is not lower case (RFC 9113 §8.2)");
            }
            boolean token = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || "!#$%&'*+-.^_`|~".indexOf(ch) >= 0;
            if (!token) {
                throw malformed(id, "field name \"" + n + "\" holds 0x" + Integer.toHexString(ch) + " (RFC 9113 §8.2.1)");
            }
        }
    }

    /** §8.2.1: no NUL, CR or LF, and no leading or trailing whitespace. */
    private static void checkValue(int id, String n, String v) throws H2Error {
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch == 0 || ch == '\r' || ch == '\n') {
                throw malformed(id, "field " + n + " holds 0x" + Integer.toHexString(ch) + " (RFC 9113 §8.2.1)");
            }
        }
        if (!v.isEmpty() && (isWhite(v.charAt(0)) || isWhite(v.charAt(v.length() - 1)))) {
            throw malformed(id, "field " + n + " starts or ends with whitespace (RFC 9113 §8.2.1)");
        }
    }

    private static boolean isWhite(char c) {
        return c == ' ' || c == '\t';
    }

    private static long parseLength(String v) {
        if (v.isEmpty() || v.length() > 18) {
            return -1;
        }
        long l = 0;
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            l = l * 10 + (ch - '0');
        }
        return l;
    }

    private static H2Error malformed(int id, String why) {
        return H2Error.stream(id, H2Error.PROTOCOL_ERROR, "malformed request: " + why);
    }

    /** The router compares the common methods by reference. */
    private static String intern(String m) {
        return switch (m) {
            case "GET" -> "GET";
            case "HEAD" -> "HEAD";
            case "POST" -> "POST";
            case "PUT" -> "PUT";
            case "DELETE" -> "DELETE";
            case "PATCH" -> "PATCH";
            case "OPTIONS" -> "OPTIONS";
            case "TRACE" -> "TRACE";
            default -> m;
        };
    }

    // ---- Request ----

    @Override
    public String method() {
        return method;
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public String path() {
        String p = path;
        if (p == null) {
            p = Uris.decode(rawPath, false);
            path = p;
        }
        return p;
    }

    @Override
    public String rawPath() {
        return rawPath;
    }

    @Override
    public String rawQuery() {
        return rawQuery;
    }

    @Override
    public String queryParam(String name) {
        List<String> v = queryParams().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public List<String> queryParams(String name) {
        List<String> v = queryParams().get(name);
        return v == null ? List.of() : v;
    }

    @Override
    public Map<String, List<String>> queryParams() {
        Map<String, List<String>> q = query;
        if (q == null) {
            q = Uris.parseQuery(rawQuery);
            query = q;
        }
        return q;
    }

    @Override
    public String pathParam(String name) {
        for (int i = 0; i < names.length; i++) {
            if (name.equals(names[i])) {
                return values[i];
            }
        }
        return null;
    }

    @Override
    public void pathParams(String[] names, String[] values) {
        this.names = names;
        this.values = values;
    }

    @Override
    public void routeTemplate(String template) {
        this.routeTemplate = template;
    }

    @Override
    public String routeTemplate() {
        return routeTemplate;
    }

    @Override
    public java.util.Optional<dev.weft.core.TlsInfo> tls() {
        return c.conn.tls();
    }

    @Override
    public String version() {
        return "HTTP/2.0";
    }

    @Override
    public Headers headers() {
        return headers;
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public String host() {
        return authority != null ? authority : headers.get("host");
    }

    @Override
    public long contentLength() {
        return contentLength;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return c.conn.remoteAddress();
    }

    @Override
    public long connectionId() {
        return c.conn.id();
    }

    @Override
    public boolean serverDraining() {
        return c.isDraining();
    }

    @Override
    public InputStream body() {
        InputStream h = handlerBody;
        if (h != null) {
            return h;
        }
        Body b = body;
        if (b == null) {
            b = new Body();
            body = b;
        }
        String coding = headers.get("content-encoding");
        // As HTTP/1.1 decodes it (server-http's Compression): with decodeRequestBodies, the handler reads the decoded bytes.
        h = c.dispatcher.decodeRequestBodies() && dev.weft.http.Compression.encoded(coding)
                ? dev.weft.http.Compression.decodedBody(coding, b, () -> limit, new dev.weft.http.Compression.BodyFailures() {
                    @Override
                    public IOException failed(int status, String reason) {
                        return fail(status, reason, null);
                    }

                    @Override
                    public IOException recorded() {
                        HttpException f = failure;
                        return f == null ? null : new IOException(f.reason());
                    }
                })
                : b;
        handlerBody = h;
        return h;
    }

    /** What the handler reads: the body, or its decoded form (see {@link #body()}). */
    private InputStream handlerBody;

    @Override
    public H2Request limitBody(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes = " + maxBytes + ": must not be negative");
        }
        if (reading) {
            throw new IllegalStateException("limitBody after reading the body began");
        }
        limit = maxBytes;
        return this;
    }

    @Override
    public byte[] bodyBytes() throws IOException {
        return body().readAllBytes();
    }

    @Override
    public String bodyString() throws IOException {
        return new String(bodyBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public Headers trailers() {
        Headers t = s.trailers;
        return t == null ? H2Headers.EMPTY : t;
    }

    @Override
    public boolean aborted() {
        return s.reset;
    }

    @Override
    public HttpException bodyFailure() {
        return failure;
    }

    private IOException fail(int status, String reason, IOException cause) {
        HttpException f = new HttpException(status, reason, cause);
        if (failure == null) {
            failure = f;
        }
        return cause != null ? cause : new IOException(reason);
    }

    /** The request body: bounded by the limit and by bodyTimeout; a failure sticks. */
    private final class Body extends InputStream {
        private long total;
        private final long deadline = c.dispatcher.bodyTimeout().isZero() ? 0
                : startNanos + c.dispatcher.bodyTimeout().toNanos();

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            HttpException f = failure;
            if (f != null) {
                throw new IOException(f.reason());
            }
            if (!reading) {
                reading = true;
                if (contentLength > limit) {
                    throw fail(413, "request body over the limit of " + limit + " bytes", null);
                }
                if ("100-continue".equalsIgnoreCase(headers.get("expect")) && !s.remoteClosed()) {
                    // RFC 9110 §10.1.1: the client waits for the interim answer before it sends the body.
                    c.writeHeaders(s, List.of(":status", "100"), false);
                }
            }
            if (len == 0) {
                return 0;
            }
            int n;
            try {
                n = s.read(b, off, (int) Math.min(len, limit - total + 1), deadline);
            } catch (H2Stream.BodyTimeoutException e) {
                throw fail(408, "request body not received in time", e);
            }
            if (n > 0) {
                total += n;
                if (total > limit) {
                    throw fail(413, "request body over the limit of " + limit + " bytes", null);
                }
            }
            return n;
        }
    }
}
