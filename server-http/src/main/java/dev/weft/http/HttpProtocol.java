package dev.weft.http;

import dev.weft.core.Connection;

/**
 * Another protocol that serves the routes, filters and exception mapper of an
 * {@link HttpServer} on the same port, registered with {@link HttpServer.Builder#protocol}: the
 * seam HTTP/2 plugs into (module {@code dev.weft.http2}). The server hands a connection over in
 * one of three ways, each switched on by what this protocol answers:
 *
 * <ul>
 *   <li>{@link Via#PRIOR_KNOWLEDGE}: on a plain connection whose first bytes are
 *       {@link #preface()} (so one port serves HTTP/1.1 and this protocol); the preface has been
 *       read when {@link #serve} starts.</li>
 *   <li>{@link Via#UPGRADE}: an HTTP/1.1 request with {@code Upgrade: }{@link #upgradeToken()}
 *       that {@link #acceptsUpgrade} accepts, its body (if any, up to the server's
 *       {@code maxBodyBytes} and {@value #MAX_UPGRADE_BODY} bytes, with a Content-Length) read
 *       whole; the {@code 101 Switching Protocols} has been sent, and the request is to be
 *       answered in the new protocol.</li>
 *   <li>{@link Via#ALPN}: a TLS connection whose handshake agreed {@link #alpnId()} (RFC 7301);
 *       nothing has been read.</li>
 * </ul>
 *
 * {@link #serve} runs on the connection's own virtual thread and owns the connection until it
 * returns (then the connection is closed), as a {@link dev.weft.core.ConnectionHandler} does. It
 * runs each request through {@link HttpDispatcher}, so an application's handlers move to the
 * protocol unchanged.
 */
public interface HttpProtocol {

    /** The largest request body read whole to hand an upgraded request over. */
    int MAX_UPGRADE_BODY = 64 << 10;

    /** How a connection came to the protocol. */
    enum Via {
        /** The plain port saw {@link HttpProtocol#preface()} first; it has been read. */
        PRIOR_KNOWLEDGE,
        /** An HTTP/1.1 request upgraded; {@link Handoff#upgradeRequest()} holds it. */
        UPGRADE,
        /** The TLS handshake agreed {@link HttpProtocol#alpnId()}. */
        ALPN
    }

    /** The ALPN id offered over TLS ({@code h2}), or {@code null} for none. */
    String alpnId();

    /** The bytes that select this protocol at the start of a plain connection, or {@code null} for none. */
    byte[] preface();

    /** The {@code Upgrade} token this protocol accepts from HTTP/1.1 ({@code h2c}), or {@code null} for none. */
    String upgradeToken();

    /**
     * Whether the protocol takes this HTTP/1.1 request that asked for {@link #upgradeToken()}; a
     * refused one is served as HTTP/1.1 (a server may ignore {@code Upgrade}, RFC 9110 §7.8).
     * The request's body has not been read yet.
     */
    boolean acceptsUpgrade(Request request);

    /**
     * Serves the connection from the handover to its end, on the connection's thread.
     *
     * @param connection the connection, valid until this returns
     * @param handoff    how it came, the upgraded request if any, and the server's dispatcher
     * @throws Exception anything: it ends this connection only
     */
    void serve(Connection connection, Handoff handoff) throws Exception;

    /**
     * What a protocol gets with a connection: how it came, the request that upgraded it, and the
     * dispatcher that runs requests through the server's filters, router and handlers.
     *
     * @param via            how the connection came to the protocol
     * @param upgradeRequest the HTTP/1.1 request that upgraded, or {@code null} unless {@link Via#UPGRADE}
     * @param dispatcher     the server's dispatcher
     */
    record Handoff(Via via, UpgradeRequest upgradeRequest, HttpDispatcher dispatcher) {
    }

    /**
     * An HTTP/1.1 request that switched protocols, to be answered in the new one (as stream 1 of
     * HTTP/2, RFC 7540 §3.2).
     *
     * @param method  the method
     * @param target  the request target as sent
     * @param headers the header fields as sent
     * @param body    the whole body, empty if none
     */
    record UpgradeRequest(String method, String target, Headers headers, byte[] body) {
    }
}
