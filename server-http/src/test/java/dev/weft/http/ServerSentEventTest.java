package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The text/event-stream form every protocol's event stream writes (WHATWG HTML, server-sent events). */
class ServerSentEventTest {

    @Test
    void wireFormatTable() {
        String[][] rows = {
                {"tick", "data: tick\n\n"},
                {"", "data:\n\n"},
                {"a\nb", "data: a\ndata: b\n\n"},
                {"a\r\nb", "data: a\ndata: b\n\n"},
                {"a\rb", "data: a\ndata: b\n\n"},
                {"a\n", "data: a\ndata:\n\n"},
                {"\r\n\r\n", "data:\ndata:\ndata:\n\n"},
        };
        for (String[] row : rows) {
            assertEquals(row[1], ServerSentEvent.of(row[0]).wireFormat(), row[0].replace("\r", "\\r").replace("\n", "\\n"));
        }
        assertEquals("id: 7\nevent: tick\nretry: 1500\ndata: x\n\n",
                ServerSentEvent.of("x").withId("7").withEvent("tick").withRetry(1500).wireFormat());
    }
}
