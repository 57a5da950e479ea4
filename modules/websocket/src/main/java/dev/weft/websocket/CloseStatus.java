package dev.weft.websocket;

/**
 * How a session ended: the close code and reason (RFC 6455 §7.4). Codes the wire never carries
 * describe the local view: {@link #NO_STATUS} (1005) for a close frame without a code and
 * {@link #ABNORMAL} (1006) for a connection that ended without a close frame (lost, timed out).
 *
 * @param code   the close code, 1000–4999
 * @param reason the reason text, empty when none was given
 */
public record CloseStatus(int code, String reason) {

    /** 1000: the purpose of the connection was fulfilled. */
    public static final int NORMAL = 1000;
    /** 1001: the endpoint goes away (server shutdown, idle timeout). */
    public static final int GOING_AWAY = 1001;
    /** 1002: the peer broke the protocol. */
    public static final int PROTOCOL_ERROR = 1002;
    /** 1003: a kind of data the endpoint cannot accept. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** 1005: a close frame without a status code (never sent on the wire). */
    public static final int NO_STATUS = 1005;
    /** 1006: the connection ended without a close frame (never sent on the wire). */
    public static final int ABNORMAL = 1006;
    /** 1007: text that is not UTF-8, or compressed data that does not inflate. */
    public static final int INVALID_PAYLOAD = 1007;
    /** 1008: a message that violates the endpoint's policy. */
    public static final int POLICY_VIOLATION = 1008;
    /** 1009: a frame or message over its limit. */
    public static final int TOO_BIG = 1009;
    /** 1011: the endpoint failed (an exception). */
    public static final int INTERNAL_ERROR = 1011;

    public CloseStatus {
        if (code < 1000 || code > 4999) {
            throw new IllegalArgumentException("close code " + code + " is outside 1000-4999");
        }
        reason = reason == null ? "" : reason;
    }
}
