package dev.weft.websocket.internal;

import dev.weft.http.Handler;
import dev.weft.http.Headers;
import dev.weft.http.HttpException;
import dev.weft.http.Request;
import dev.weft.http.Response;
import dev.weft.websocket.WebSocketEndpoint;
import dev.weft.websocket.WebSocketListener;
import dev.weft.websocket.WebSocketOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The server's side of the opening handshake (RFC 6455 §4.2), as an HTTP handler. */
public final class Handshake implements Handler {

    /** §1.3: the GUID appended to the key before hashing. */
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final WebSocketOptions options;
    /** Exactly one of the two is set. */
    private final WebSocketEndpoint endpoint;
    private final WebSocketListener listener;

    public Handshake(WebSocketOptions options, WebSocketEndpoint endpoint, WebSocketListener listener) {
        this.options = options;
        this.endpoint = endpoint;
        this.listener = listener;
    }

    @Override
    public void handle(Request req, Response res) {
        // §4.2.1: each of these makes it "not a WebSocket handshake": 400, an HTTP error like any other.
        if (!req.method().equals("GET")) {
            throw new HttpException(400, "a WebSocket handshake is a GET");
        }
        if (!req.version().equals("HTTP/1.1")) {
            throw new HttpException(400, "a WebSocket handshake needs HTTP/1.1");
        }
        if (!hasToken(req.headers(), "upgrade", "websocket")) {
            throw new HttpException(400, "not a WebSocket handshake: Upgrade: websocket expected");
        }
        if (!hasToken(req.headers(), "connection", "upgrade")) {
            throw new HttpException(400, "not a WebSocket handshake: Connection: Upgrade expected");
        }
        List<String> versions = req.headers().all("Sec-WebSocket-Version");
        if (versions.size() != 1 || !versions.get(0).trim().equals("13")) {
            // §4.4: 426 naming the version we speak. Sent directly: an HttpException's answer
            // cannot carry the header.
            res.status(426).header("Sec-WebSocket-Version", "13").send("WebSocket version 13 required\n");
            return;
        }
        List<String> keys = req.headers().all("Sec-WebSocket-Key");
        if (keys.size() != 1 || !validKey(keys.get(0).trim())) {
            throw new HttpException(400, "Sec-WebSocket-Key must be the base64 of 16 bytes");
        }
        String origin = req.header("Origin");
        if (options.originCheck() != null && !options.originCheck().test(origin)) {
            throw new HttpException(403, "origin not allowed"); // §4.2.2 item 4
        }
        String subprotocol = chooseSubprotocol(req.headers().all("Sec-WebSocket-Protocol"));
        PerMessageDeflate deflate = options.compression()
                ? PerMessageDeflate.negotiate(req.headers().all("Sec-WebSocket-Extensions")) : null;

        // The request is not valid once the handler returned: the session keeps copies.
        SessionImpl.Info info = new SessionImpl.Info(req.path(), req.rawQuery(), req.queryParams(),
                copy(req.headers()), req.remoteAddress(), req.connectionId(), subprotocol);

        res.header("Sec-WebSocket-Accept", accept(keys.get(0).trim()));
        if (subprotocol != null) {
            res.header("Sec-WebSocket-Protocol", subprotocol);
        }
        if (deflate != null) {
            res.header("Sec-WebSocket-Extensions", deflate.responseHeader());
        }
        if (listener != null) {
            res.switchProtocols("websocket", conn -> new SessionImpl(conn, options, info, deflate).listen(listener));
        } else {
            res.switchProtocols("websocket", conn -> new SessionImpl(conn, options, info, deflate).run(endpoint));
        }
    }

    /** True when a field's comma-separated tokens include {@code token}, case-insensitively (RFC 9110 §5.6.1). */
    static boolean hasToken(Headers headers, String name, String token) {
        for (String value : headers.all(name)) {
            for (String t : value.split(",")) {
                if (t.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean validKey(String key) {
        if (key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The server's list decides the order (§4.2.2 item 5/4: the server picks one the client offered). */
    private String chooseSubprotocol(List<String> offered) {
        if (options.subprotocols().isEmpty() || offered.isEmpty()) {
            return null;
        }
        List<String> client = new ArrayList<>();
        for (String v : offered) {
            for (String t : v.split(",")) {
                client.add(t.trim());
            }
        }
        for (String mine : options.subprotocols()) {
            if (client.contains(mine)) {
                return mine;
            }
        }
        return null;
    }

    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    private static Map<String, List<String>> copy(Headers headers) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < headers.size(); i++) {
            out.computeIfAbsent(headers.name(i).toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(headers.value(i));
        }
        out.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return Collections.unmodifiableMap(out);
    }
}
