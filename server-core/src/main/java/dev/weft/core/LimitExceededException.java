package dev.weft.core;

import java.io.IOException;

/**
 * Input went past a size limit (a line, a delimited field): the read stops there instead of
 * buffering without bound. The bytes read so far are consumed; the stream cannot be trusted to
 * be in step with the protocol any more, so the usual answer is an error reply and a close.
 */
public final class LimitExceededException extends IOException {

    private static final long serialVersionUID = 1L;

    private final long limit;

    /**
     * @param message which limit, where, and how much arrived
     * @param limit   the limit that was exceeded, in bytes
     */
    public LimitExceededException(String message, long limit) {
        super(message);
        this.limit = limit;
    }

    /** The limit that was exceeded, in bytes. */
    public long limit() {
        return limit;
    }
}
