package dev.weft.core.internal;

import dev.weft.core.ConnectionHandler;
import dev.weft.core.ServerConfig;
import dev.weft.core.ServerStats;
import dev.weft.core.ShutdownReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** The running server behind {@link dev.weft.core.TcpServer}. (Stub: being implemented.) */
public final class Engine {
    public static Engine start(ServerConfig config, ConnectionHandler handler) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }
    public int port() { throw new UnsupportedOperationException(); }
    public InetSocketAddress localAddress() { throw new UnsupportedOperationException(); }
    public ServerConfig config() { throw new UnsupportedOperationException(); }
    public ServerStats stats() { throw new UnsupportedOperationException(); }
    public boolean isDraining() { throw new UnsupportedOperationException(); }
    public ShutdownReport shutdown(Duration grace) { throw new UnsupportedOperationException(); }
    public void awaitTermination() throws InterruptedException { throw new UnsupportedOperationException(); }
}
