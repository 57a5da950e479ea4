package dev.weft.http.internal;

import java.io.IOException;

/** A request broke a rule of {@link Violation}: answer with its status, then close. */
public final class BadMessageException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Violation violation;

    public BadMessageException(Violation violation, String detail) {
        super(violation.status() + " " + violation.reason() + (detail == null ? "" : " (" + detail + ")")
                + " [" + violation.section() + "]");
        this.violation = violation;
    }

    /** A client's mistake, not ours: the stack trace would only cost time. */
    @Override
    public Throwable fillInStackTrace() {
        return this;
    }

    public BadMessageException(Violation violation) {
        this(violation, null);
    }

    public Violation violation() {
        return violation;
    }
}
