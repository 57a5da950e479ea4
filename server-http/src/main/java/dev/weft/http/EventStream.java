package dev.weft.http;

import java.io.IOException;

/**
 * A stream of Server-Sent Events, from {@link Response#sse()}: the response is
 * {@code text/event-stream}, uncached, chunked, and each event is flushed as it is sent.
 *
 * <pre>{@code
 * .get("/events", (req, res) -> {
 *     EventStream events = res.sse();
 *     for (int i = 0; events.isOpen() && i < 10; i++) {
 *         events.send(ServerSentEvent.of("tick " + i).withId(Integer.toString(i)));
 *     }
 * })
 * }</pre>
 *
 * <p>While the handler waits between events, a comment line is sent as a heartbeat every
 * {@code sseHeartbeat} (so proxies keep the stream open and a client that went away is
 * noticed). A client gone is an {@link IOException} at the next {@code send}. When a graceful
 * shutdown begins, the stream is ended cleanly (the end of the chunked body), {@link #isOpen()}
 * turns false and a later {@code send} throws; a handler that returns then ends the request
 * quietly. Safe to use from any thread (each send holds a lock); the stream ends when the
 * handler returns.
 */
public interface EventStream {

    /** Sends one event and flushes it. @throws IOException if the client is gone or the stream ended */
    void send(ServerSentEvent event) throws IOException;

    /** Sends an event with only {@code data}. */
    void send(String data) throws IOException;

    /** Sends a comment line ({@code : text}), which clients ignore: a heartbeat of the handler's own. */
    void comment(String text) throws IOException;

    /** The {@code Last-Event-ID} the client sent on reconnecting, or {@code null}. */
    String lastEventId();

    /** False once the client is gone, the stream was ended by shutdown, or the handler returned. */
    boolean isOpen();
}
