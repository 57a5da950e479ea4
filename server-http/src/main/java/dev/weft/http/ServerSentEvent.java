package dev.weft.http;

/**
 * One Server-Sent Event (the WHATWG HTML "server-sent events" format): data, and optionally an
 * id, an event name and a reconnection time. Multi-line data is sent as one {@code data:}
 * line per line. Build with {@link #of(String)} and the {@code with…} methods.
 *
 * @param id the event id ({@code id:}), which the client sends back as {@code Last-Event-ID}
 *     when it reconnects; {@code null} for none
 * @param event the event name ({@code event:}); {@code null} for the default, {@code message}
 * @param data the data, never {@code null}; CR, LF and CRLF split it into lines
 * @param retryMillis the reconnection time the client should use ({@code retry:}); -1 for none
 */
public record ServerSentEvent(String id, String event, String data, long retryMillis) {

    /**
     * @throws IllegalArgumentException if {@code id} or {@code event} holds CR, LF or NUL (they
     *     would end the field), or {@code data} is null
     */
    public ServerSentEvent {
        if (data == null) {
            throw new IllegalArgumentException("data is null (an empty event is \"\")");
        }
        checkField("id", id);
        checkField("event", event);
        if (retryMillis < -1) {
            throw new IllegalArgumentException("retryMillis = " + retryMillis + ": -1 (none) or at least 0");
        }
    }

    private static void checkField(String name, String value) {
        if (value == null) {
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException(name + " holds a line break or NUL at " + i + ": it would end the field");
            }
        }
    }

    /** An event with only data. */
    public static ServerSentEvent of(String data) {
        return new ServerSentEvent(null, null, data, -1);
    }

    /** This event with the given id. */
    public ServerSentEvent withId(String id) {
        return new ServerSentEvent(id, event, data, retryMillis);
    }

    /** This event with the given name. */
    public ServerSentEvent withEvent(String event) {
        return new ServerSentEvent(id, event, data, retryMillis);
    }

    /** This event asking the client to wait {@code millis} before reconnecting. */
    public ServerSentEvent withRetry(long millis) {
        return new ServerSentEvent(id, event, data, millis);
    }
}
