package dev.weft.http.internal;

import dev.weft.http.Form;
import dev.weft.http.Headers;
import dev.weft.http.Multipart;
import dev.weft.http.HttpException;
import dev.weft.http.Request;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** One request on a connection, as {@link Request}. */
final class Exchange implements Request {

    private static final String[] NONE = new String[0];

    final HttpConnection c;
    final RequestHead head;
    final RequestBody body;
    String[] paramNames = NONE;
    String[] paramValues = NONE;
    String allow;
    /** The template of the route that matched, null when none did (404, 405, OPTIONS). */
    String route;
    /** The connection was reset for this request (a failure after its response began, or the peer gone). */
    boolean aborted;
    /** What made it abort. */
    Throwable abortCause;
    private String path;
    private Map<String, List<String>> query;

    Exchange(HttpConnection c, RequestHead head) {
        this.c = c;
        this.head = head;
        this.body = new RequestBody(c, head);
    }

    @Override
    public String method() {
        return head.method;
    }

    @Override
    public String target() {
        return head.target;
    }

    @Override
    public String path() {
        String p = path;
        if (p == null) {
            try {
                p = Uri.decode(head.rawPath, false);
            } catch (BadMessageException e) {
                throw new HttpException(400, e.violation().reason(), e);
            }
            path = p;
        }
        return p;
    }

    @Override
    public String rawPath() {
        return head.rawPath;
    }

    @Override
    public String rawQuery() {
        return head.rawQuery;
    }

    @Override
    public Map<String, List<String>> queryParams() {
        Map<String, List<String>> q = query;
        if (q == null) {
            try {
                q = Uri.parseQuery(head.rawQuery);
            } catch (BadMessageException e) {
                throw new HttpException(400, "bad escape in query", e);
            }
            query = q;
        }
        return q;
    }

    @Override
    public String queryParam(String name) {
        List<String> values = queryParams().get(name);
        return values == null ? null : values.get(0);
    }

    @Override
    public List<String> queryParams(String name) {
        return queryParams().getOrDefault(name, List.of());
    }

    @Override
    public String pathParam(String name) {
        for (int i = 0; i < paramNames.length; i++) {
            if (name.equals(paramNames[i])) {
                return paramValues[i];
            }
        }
        return null;
    }

    @Override
    public String routeTemplate() {
        return route;
    }

    @Override
    public String version() {
        return head.minorVersion == 1 ? "HTTP/1.1" : "HTTP/1.0";
    }

    @Override
    public Headers headers() {
        return head.headers;
    }

    @Override
    public String header(String name) {
        return head.headers.get(name);
    }

    @Override
    public String host() {
        return head.host;
    }

    @Override
    public long contentLength() {
        return head.contentLength;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return c.conn.remoteAddress();
    }

    @Override
    public boolean isSecure() {
        return c.conn.isSecure();
    }

    @Override
    public java.util.Optional<dev.weft.core.TlsInfo> tls() {
        return c.conn.tls();
    }

    @Override
    public long connectionId() {
        return c.conn.id();
    }

    @Override
    public boolean serverDraining() {
        return c.conn.isDraining();
    }

    @Override
    public InputStream body() {
        try {
            return body.stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public Request limitBody(long maxBytes) {
        body.limit(maxBytes);
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
        HeaderList t = body.trailers;
        return t == null ? HeaderList.EMPTY : t;
    }

    private Form form;
    private Multipart multipart;

    /** A failure of a body parsed for the handler sticks as the body's own: see {@link RequestBody#fail}. */
    private void stick(HttpException e) {
        if (e.getCause() instanceof IOException bad) {
            body.fail(bad);
        }
    }

    @Override
    public Form form() throws IOException {
        Form f = form;
        if (f == null) {
            f = Form.read(body(), header("Content-Type"), Math.min(c.settings.bodyLimits().maxFormBytes(), body.limit()),
                    this::stick);
            form = f;
        }
        return f;
    }

    @Override
    public Multipart multipart() throws IOException {
        Multipart m = multipart;
        if (m == null) {
            m = Multipart.read(body(), header("Content-Type"), c.settings.bodyLimits().multipart(), this::stick);
            multipart = m;
        }
        return m;
    }

    @Override
    public String toString() {
        return head.method + " " + head.target;
    }
}
