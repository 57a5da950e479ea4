package dev.weft.core;

/**
 * The code that serves one connection, from its first byte to its close. It runs on the
 * connection's own virtual thread, so it blocks freely. When it returns, the connection is
 * flushed and closed; when it throws, the connection is closed and the exception logged once
 * with the connection id (peer resets, broken pipes and timeouts at DEBUG).
 */
@FunctionalInterface
public interface ConnectionHandler {
    /**
     * Serves the connection until done.
     *
     * @param connection the accepted connection; valid until this method returns
     * @throws Exception anything: it ends this connection only
     */
    void handle(Connection connection) throws Exception;
}
