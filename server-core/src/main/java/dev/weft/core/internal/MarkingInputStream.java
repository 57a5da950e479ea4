package dev.weft.core.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * The socket's own input stream, with every exception it throws recorded on the connection
 * (see {@link ConnectionImpl#socketFailed}): that record, not the exception's message, is how
 * {@link Failures} tells the peer leaving from a handler's own I/O failing.
 */
final class MarkingInputStream extends InputStream {

    private final ConnectionImpl conn;
    private final InputStream raw;

    MarkingInputStream(ConnectionImpl conn, InputStream raw) {
        this.conn = conn;
        this.raw = raw;
    }

    @Override
    public int read() throws IOException {
        try {
            return raw.read();
        } catch (IOException e) {
            throw conn.socketFailed(e);
        } catch (RuntimeException e) {
            throw conn.socketFailed(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return raw.read(b, off, len);
        } catch (java.net.SocketTimeoutException e) {
            // The bounded idle wait before a hibernation ends so on purpose: nothing failed, and a
            // recorded exception would stay reachable from the hibernated connection.
            throw conn.softWaiting() ? e : conn.socketFailed(e);
        } catch (IOException e) {
            throw conn.socketFailed(e);
        } catch (RuntimeException e) {
            throw conn.socketFailed(e);
        }
    }

    @Override
    public int available() throws IOException {
        try {
            return raw.available();
        } catch (IOException e) {
            throw conn.socketFailed(e);
        } catch (RuntimeException e) {
            throw conn.socketFailed(e);
        }
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
