package dev.weft.http.internal;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * The answer to plain HTTP on a TLS port, given the first bytes the client sent (up to 5, see
 * {@code ServerBuilder.tlsDefaults}): a readable 400 when they look like a request line, as Go's
 * server answers ({@code tlsRecordHeaderLooksLikeHTTP}), instead of alert bytes that a browser
 * or curl shows as a cryptic failure; null (just close) for anything else.
 */
public final class PlaintextOnTls implements Function<byte[], byte[]> {

    /** The body, also what the access to {@code http://} on an {@code https://} port shows. */
    public static final String BODY = "plain HTTP sent to an HTTPS port\n";

    private static final byte[] REPLY = ("HTTP/1.1 400 Bad Request\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: " + BODY.length() + "\r\n"
            + "Connection: close\r\n"
            + "\r\n" + BODY).getBytes(StandardCharsets.US_ASCII);

    @Override
    public byte[] apply(byte[] head) {
        return looksLikeHttp(head) ? REPLY.clone() : null;
    }

    /**
     * A method token of capital letters (every registered method is one) and then, if the bytes
     * reach that far, a space and the start of a target: {@code GET /}, {@code HEAD }, {@code OPTIO}.
     */
    static boolean looksLikeHttp(byte[] head) {
        if (head.length < 3 || head[0] < 'A' || head[0] > 'Z') {
            return false;
        }
        boolean space = false;
        for (byte b : head) {
            if (b >= 'A' && b <= 'Z' && !space) {
                continue;
            }
            if (b == ' ' && !space) {
                space = true;
            } else if (!space || (b != '/' && b != '*' && b != 'h')) {
                return false; // after the space: origin-form, "*", or an absolute "http://"
            }
        }
        return true;
    }
}
