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
}
