package dev.weft.websocket;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** One whole received data message: text or binary. Immutable. */
public final class Message {

    private final String text;
    private final byte[] bytes;

    private Message(String text, byte[] bytes) {
        this.text = text;
        this.bytes = bytes;
    }

    /** A text message (for tests and for code that builds messages to pass around). */
    public static Message text(String text) {
        return new Message(java.util.Objects.requireNonNull(text, "text"), null);
    }

    /** A binary message; {@code bytes} is copied. */
    public static Message binary(byte[] bytes) {
        return new Message(null, bytes.clone());
    }

    /** True for a text message, false for binary. */
    public boolean isText() {
        return text != null;
    }

    /** The text of a text message; a binary message's bytes decoded as UTF-8 (lossy). */
    public String text() {
        return text != null ? text : new String(bytes, StandardCharsets.UTF_8);
    }

    /** The bytes of a binary message (a copy), or a text message's UTF-8 encoding. */
    public byte[] bytes() {
        return text != null ? text.getBytes(StandardCharsets.UTF_8) : bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && java.util.Objects.equals(text, m.text) && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return text != null ? text.hashCode() : Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return text != null ? "Message[text, " + text.length() + " chars]" : "Message[binary, " + bytes.length + " bytes]";
    }
}
