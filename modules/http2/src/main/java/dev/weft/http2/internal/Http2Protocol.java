package dev.weft.http2.internal;

import dev.weft.core.Connection;
import dev.weft.http.HttpProtocol;
import dev.weft.http.Request;
import dev.weft.http2.Http2Options;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** HTTP/2 on the server-http protocol seam: which negotiations are on, and the connection loop. */
public final class Http2Protocol implements HttpProtocol {

    /** RFC 9113 §3.4: the client's connection preface. */
    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private final Http2Options options;

    public Http2Protocol(Http2Options options) {
        this.options = options;
    }

    @Override
    public String alpnId() {
        return options.alpn() ? "h2" : null;
    }

    @Override
    public byte[] preface() {
        return options.priorKnowledge() ? PREFACE.clone() : null;
    }

    @Override
    public String upgradeToken() {
        return options.upgrade() ? "h2c" : null;
    }

    /**
     * RFC 7540 §3.2: exactly one HTTP2-Settings that decodes (base64url, whole settings), named
     * in Connection; never over TLS (§3.3 says h2 there is ALPN's alone).
     */
    @Override
    public boolean acceptsUpgrade(Request request) {
        List<String> settings = request.headers().all("http2-settings");
        String connection = request.header("connection");
        if (settings.size() != 1 || connection == null || !connection.toLowerCase(java.util.Locale.ROOT).contains("http2-settings")) {
            return false;
        }
        return decodeSettings(settings.get(0)) != null;
    }

    /** The payload of the HTTP2-Settings header, or null if it is not base64url of whole settings. */
    static byte[] decodeSettings(String value) {
        try {
            String v = value.trim();
            byte[] b = Base64.getUrlDecoder().decode(v.replace("=", ""));
            return b.length % 6 == 0 ? b : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public void serve(Connection connection, Handoff handoff) throws Exception {
        new H2Connection(options, connection, handoff).run();
    }
}
