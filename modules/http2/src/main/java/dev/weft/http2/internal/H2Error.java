package dev.weft.http2.internal;

/**
 * A connection error (RFC 9113 §5.4.1: GOAWAY, then close) or, with a stream id, a stream error
 * (§5.4.2: RST_STREAM), with its error code (§7) and what was wrong.
 */
final class H2Error extends Exception {
    private static final long serialVersionUID = 1L;

    static final int NO_ERROR = 0x0;
    static final int PROTOCOL_ERROR = 0x1;
    static final int INTERNAL_ERROR = 0x2;
    static final int FLOW_CONTROL_ERROR = 0x3;
    static final int SETTINGS_TIMEOUT = 0x4;
    static final int STREAM_CLOSED = 0x5;
    static final int FRAME_SIZE_ERROR = 0x6;
    static final int REFUSED_STREAM = 0x7;
    static final int CANCEL = 0x8;
    static final int COMPRESSION_ERROR = 0x9;
    static final int CONNECT_ERROR = 0xa;
    static final int ENHANCE_YOUR_CALM = 0xb;
    static final int INADEQUATE_SECURITY = 0xc;
    static final int HTTP_1_1_REQUIRED = 0xd;

    final int code;
    /** 0 for a connection error. */
    final int streamId;

    private H2Error(int code, int streamId, String message) {
        super(message);
        this.code = code;
        this.streamId = streamId;
    }

    static H2Error connection(int code, String message) {
        return new H2Error(code, 0, message);
    }

    static H2Error stream(int streamId, int code, String message) {
        return new H2Error(code, streamId, message);
    }

    static String name(int code) {
        return switch (code) {
            case NO_ERROR -> "NO_ERROR";
            case PROTOCOL_ERROR -> "PROTOCOL_ERROR";
            case INTERNAL_ERROR -> "INTERNAL_ERROR";
            case FLOW_CONTROL_ERROR -> "FLOW_CONTROL_ERROR";
            case SETTINGS_TIMEOUT -> "SETTINGS_TIMEOUT";
            case STREAM_CLOSED -> "STREAM_CLOSED";
            case FRAME_SIZE_ERROR -> "FRAME_SIZE_ERROR";
            case REFUSED_STREAM -> "REFUSED_STREAM";
            case CANCEL -> "CANCEL";
            case COMPRESSION_ERROR -> "COMPRESSION_ERROR";
            case CONNECT_ERROR -> "CONNECT_ERROR";
            case ENHANCE_YOUR_CALM -> "ENHANCE_YOUR_CALM";
            case INADEQUATE_SECURITY -> "INADEQUATE_SECURITY";
            case HTTP_1_1_REQUIRED -> "HTTP_1_1_REQUIRED";
            default -> "0x" + Integer.toHexString(code);
        };
    }

    @Override
    public Throwable fillInStackTrace() {
        return this; // a peer's mistake, routine: no stack trace
    }
}
