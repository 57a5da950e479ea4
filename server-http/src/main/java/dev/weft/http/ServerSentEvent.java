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

    /**
     * The event as it goes on the wire in a {@code text/event-stream}: its {@code id},
     * {@code event} and {@code retry} fields, one {@code data} line per line of the data (CR, LF
     * and CRLF all end a line), then the blank line that dispatches it. Every protocol's event
     * stream writes this.
     *
     * @return the event's text, to be sent as UTF-8
     */
    public String wireFormat() {
        StringBuilder b = new StringBuilder(data.length() + 32);
        if (id != null) {
            b.append("id: ").append(id).append('\n');
        }
        if (event != null) {
            b.append("event: ").append(event).append('\n');
        }
        if (retryMillis >= 0) {
            b.append("retry: ").append(retryMillis).append('\n');
        }
        int start = 0;
        for (int i = 0; i <= data.length(); i++) {
            char ch = i < data.length() ? data.charAt(i) : '\n';
            if (ch == '\r' || ch == '\n') {
                b.append("data:");
                if (i > start) {
                    b.append(' ').append(data, start, i);
                }
                b.append('\n');
                if (ch == '\r' && i + 1 < data.length() && data.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        return b.append('\n').toString();
    }
}
