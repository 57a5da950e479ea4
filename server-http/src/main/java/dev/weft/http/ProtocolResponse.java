package dev.weft.http;

/**
 * A {@link Response} as another protocol implements it for {@link HttpDispatcher}: the one
 * thing the dispatcher needs beyond what a handler sees, to turn a failure into its error answer.
 */
public interface ProtocolResponse extends Response {

    /**
     * Drops the status, headers and body set so far (not the {@code beforeCommit} actions) and
     * sets {@code status}, so the error answer starts clean. Only while not
     * {@linkplain #isCommitted() committed}.
     *
     * @throws IllegalStateException once committed
     */
    void resetForError(int status);

    /**
     * As {@link #resetForError(int)}, for the error answer to {@code failure}: from now on
     * {@link #failure()} should answer it, so filters (metrics, traces) and the
     * {@code dev.weft.HttpRequest} event see what the answer is for on every protocol. The
     * dispatcher calls this one. The default drops {@code failure} and calls
     * {@link #resetForError(int)}.
     *
     * @param status  the error status
     * @param failure what the response now answers (what a handler threw, a body's broken rule)
     * @throws IllegalStateException once committed
     */
    default void resetForError(int status, Throwable failure) {
        resetForError(status);
    }
}
