package dev.weft.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;

/**
 * The buffered output of one connection. {@code write} returns once every byte is in the buffer
 * or handed to the kernel (the writen loop); writes larger than the buffer go straight to the
 * socket. A write blocked longer than {@code writeTimeout} (the peer does not read) is cut by
 * the server's watchdog, which closes the socket; the write then throws
 * {@link ConnectionTimeoutException} of kind {@code WRITE}. The timeout applies to each 64 KiB
 * chunk, so a slow but reading peer is never cut. {@link #close()} flushes and closes the whole
 * connection, as a socket's stream does. Not thread-safe: only the connection's thread writes.
 */
public abstract class SocketOutput extends OutputStream {

    /** For implementations in this library only. */
    protected SocketOutput() {
    }

    /**
     * Sends {@code count} bytes of {@code file} from {@code position}, zero-copy where the
     * socket allows it (plain TCP), a copy loop otherwise (TLS). Flushes buffered bytes first.
     *
     * @return the bytes sent, {@code count} unless the file is shorter
     */
    public abstract long transferFrom(FileChannel file, long position, long count) throws IOException;

    /** Bytes waiting in the buffer. */
    public abstract int buffered();

    /** Bytes handed to the kernel since the connection began. */
    public abstract long bytesWritten();
}
