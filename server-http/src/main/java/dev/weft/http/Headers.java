package dev.weft.http;

import java.util.List;
import java.util.Set;

/** Header (or trailer) fields of a request, names compared case-insensitively, in arrival order. */
public interface Headers {

    /** The first value of the field, or {@code null}. */
    String get(String name);

    /** Every value of the field in order (one per field line), empty when absent. */
    List<String> all(String name);

    boolean contains(String name);

    /** The field names present, lower case, in first-arrival order. */
    Set<String> names();

    /** The number of field lines. */
    int size();

    /** The name of field line {@code i}, lower case. */
    String name(int i);

    /** The value of field line {@code i}. */
    String value(int i);

    /**
     * Checks a field name a handler or a protocol is about to send: a non-empty token (RFC 9110
     * §5.1).
     *
     * @throws IllegalArgumentException naming the field and the offending character
     */
    static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("header name is empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            boolean token = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(ch) >= 0;
            if (!token) {
                throw new IllegalArgumentException("header name '" + name + "' is not a token (character " + i + ")");
            }
        }
    }

    /**
     * Checks a field value a handler or a protocol is about to send: no control character but
     * HTAB, no DEL, nothing beyond Latin-1 (RFC 9110 §5.5) — CR or LF would split the message.
     *
     * @throws IllegalArgumentException naming the field and the offending position
     */
    static void checkValue(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException("header " + name + ": value is null");
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if ((ch < 0x20 && ch != '\t') || ch == 0x7F || ch > 0xFF) {
                throw new IllegalArgumentException("header " + name + ": control or non-Latin-1 character 0x"
                        + Integer.toHexString(ch) + " at " + i + " (CR/LF would split the response)");
            }
        }
    }
}
