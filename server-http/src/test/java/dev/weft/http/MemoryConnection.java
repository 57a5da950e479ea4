package dev.weft.http;

import dev.weft.core.Connection;
import dev.weft.core.SocketInput;
import dev.weft.core.SocketOutput;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.time.Instant;

/**
 * A connection whose peer sent a fixed byte array and then closed its side: for driving a
 * connection handler in memory, thousands of times a second (fuzz tests). Reads never block;
 * the end of the array is end of stream. What the handler writes is kept in {@link #written()}.
 */
final class MemoryConnection implements Connection {

    private final Input in;
    private final Output out = new Output();
    private boolean closed;
    private boolean idle;

    MemoryConnection(byte[] received) {
        this.in = new Input(received);
    }

    /** Bytes the handler wrote (flushed or not). */
    byte[] written() {
        return out.bytes.toByteArray();
    }

    /** Bytes of the input the handler never read. */
    int unread() {
        return in.buffered();
    }

    @Override
    public long id() {
        return 1;
    }

    @Override
    public SocketInput in() {
        return in;
    }

    @Override
    public SocketOutput out() {
        return out;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 40000);
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 8080);
    }

    @Override
    public boolean isSecure() {
        return false;
    }

    @Override
    public java.util.Optional<dev.weft.core.TlsInfo> tls() {
        return java.util.Optional.empty(); // bytes in memory: plain, as isSecure says
    }

    @Override
    public String applicationProtocol() {
        return null;
    }

    @Override
    public void shutdownOutput() {
    }

    @Override
    public void abort() {
        closed = true;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void markIdle() {
        idle = true;
    }

    @Override
    public boolean markBusy() {
        idle = false;
        return true;
    }

    @Override
    public boolean isIdle() {
        return idle;
    }

    @Override
    public int awaitIdle(dev.weft.core.ConnectionHandler resume) throws java.io.IOException {
        return in().peek(); // never hibernates: there is no socket to wait on
    }

    @Override
    public void onDraining(Runnable action) {
        // Never drains: the fuzz tests run no shutdown.
    }

    @Override
    public void closeGracefully(java.time.Duration maxWait, long maxBytes) {
        close();
    }

    @Override
    public dev.weft.core.Buffers buffers() {
        return NO_POOL;
    }

    /** No pool: every acquire is a fresh array, releases are dropped. */
    private static final dev.weft.core.Buffers NO_POOL = new dev.weft.core.Buffers() {
        @Override
        public int bufferSize() {
            return 8192;
        }

        @Override
        public byte[] acquire() {
            return new byte[8192];
        }

        @Override
        public void release(byte[] buffer) {
        }
    };

    @Override
    public boolean isDraining() {
        return false;
    }

    private static final class Input extends SocketInput {
        private final byte[] data;
        private int pos;
        private Instant deadline;

        Input(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (pos == data.length) {
                return -1;
            }
            int n = Math.min(len, data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public byte[] readExactly(int n) throws IOException {
            byte[] b = new byte[n];
            readExactly(b, 0, n);
            return b;
        }

        @Override
        public void readExactly(byte[] b, int off, int len) throws IOException {
            if (data.length - pos < len) {
                throw new EOFException(len + " bytes wanted, " + (data.length - pos) + " arrived");
            }
            read(b, off, len);
        }

        @Override
        public String readLine(int maxBytes) {
            throw new UnsupportedOperationException("not used by HTTP");
        }

        @Override
        public byte[] readUntil(byte[] delimiter, int maxBytes) {
            throw new UnsupportedOperationException("not used by HTTP");
        }

        @Override
        public int peek() {
            return pos < data.length ? data[pos] & 0xFF : -1;
        }

        @Override
        public int buffered() {
            return data.length - pos;
        }

        @Override
        public int transferBuffered(java.io.OutputStream out, int maxBytes) throws java.io.IOException {
            int n = Math.min(data.length - pos, maxBytes);
            if (n > 0) {
                out.write(data, pos, n);
                pos += n;
            }
            return Math.max(n, 0);
        }

        @Override
        public int available() {
            return buffered();
        }

        @Override
        public void deadline(Instant deadline) {
            this.deadline = deadline;
        }

        @Override
        public Instant deadline() {
            return deadline;
        }

        @Override
        public void deadlineAfter(java.time.Duration timeout) {
            this.deadline = timeout == null ? null : Instant.now().plus(timeout);
        }

        @Override
        public int bufferedByte(int index) {
            return index >= 0 && index < data.length - pos ? data[pos + index] & 0xff : -1;
        }

        @Override
        public long bytesRead() {
            return pos;
        }
    }

    private static final class Output extends SocketOutput {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Instant deadline;

        @Override
        public void deadline(Instant deadline) {
            this.deadline = deadline;
        }

        @Override
        public Instant deadline() {
            return deadline;
        }

        @Override
        public void deadlineAfter(java.time.Duration timeout) {
            this.deadline = timeout == null ? null : Instant.now().plus(timeout);
        }

        @Override
        public void write(int b) {
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        @Override
        public long transferFrom(FileChannel file, long position, long count) {
            throw new UnsupportedOperationException("not used here");
        }

        @Override
        public int buffered() {
            return 0;
        }

        @Override
        public long bytesWritten() {
            return bytes.size();
        }
    }
}
