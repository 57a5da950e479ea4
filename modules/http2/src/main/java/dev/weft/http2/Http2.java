package dev.weft.http2;

import dev.weft.http.HttpProtocol;
import dev.weft.http2.internal.Http2Protocol;

/**
 * HTTP/2 for an {@link dev.weft.http.HttpServer}: h2 over TLS by ALPN, h2c on the plain port by
 * prior knowledge (the connection preface is recognised by its first bytes, so one port serves
 * HTTP/1.1 and h2c) and by {@code Upgrade: h2c}.
 *
 * <pre>{@code
 * HttpServer server = HttpServer.builder()
 *         .protocol(Http2.protocol())
 *         .get("/hello", (req, res) -> res.send("hello over " + req.version()))
 *         .start();
 * }</pre>
 *
 * Each stream's handler runs on a virtual thread of its own with the same {@code Request},
 * {@code Response}, filters, router and exception mapper as HTTP/1.1; {@code req.version()} is
 * {@code HTTP/2.0}. See {@link Http2Options} for the limits and how to switch each way of
 * negotiating off.
 */
public final class Http2 {

    private Http2() {
    }

    /** HTTP/2 with every option at its default. */
    public static HttpProtocol protocol() {
        return protocol(Http2Options.defaults());
    }

    /** HTTP/2 with {@code options}. */
    public static HttpProtocol protocol(Http2Options options) {
        return new Http2Protocol(options);
    }
}
