/**
 * WebSockets (RFC 6455, with RFC 7692 permessage-deflate) for Weft's HTTP server, with a
 * blocking API: an endpoint is straight-line code on a virtual thread.
 *
 * <pre>{@code
 * HttpServer.builder()
 *     .get("/echo", WebSocket.endpoint(session -> {
 *         for (Message m; (m = session.receive()) != null; ) {
 *             if (m.isText()) session.send(m.text()); else session.send(m.bytes());
 *         }
 *     }))
 *     .start();
 * }</pre>
 */
package dev.weft.websocket;
