package dev.weft.websocket.internal;

import java.io.IOException;

/** The client broke a rule: the session is failed with {@link #code} (RFC 6455 §7.1.7). */
final class ProtocolFailure extends IOException {

    private static final long serialVersionUID = 1L;

    final int code;

    ProtocolFailure(int code, String message) {
        super(message);
        this.code = code;
    }
}
