package dev.weft.http2.internal;

/** A header block that does not decode: a connection error COMPRESSION_ERROR (RFC 9113 §4.3). */
final class HpackException extends Exception {
    private static final long serialVersionUID = 1L;

    HpackException(String message) {
        super(message);
    }
}
