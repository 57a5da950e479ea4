package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every invalid option fails at build() with a message naming the option and the value. */
class BuilderTest {

    static Stream<Arguments> invalidOptions() {
        return Stream.of(
                bad("port = -1", b -> b.port(-1)),
                bad("port = 65536", b -> b.port(65536)),
                bad("backlog = 0", b -> b.backlog(0)),
                bad("receiveBufferSize = -1", b -> b.receiveBufferSize(-1)),
                bad("sendBufferSize = -5", b -> b.sendBufferSize(-5)),
                bad("bufferSize = 255", b -> b.bufferSize(255)),
                bad("bufferSize = 1048577", b -> b.bufferSize((1 << 20) + 1)),
                bad("readTimeout = PT-1S", b -> b.readTimeout(Duration.ofSeconds(-1))),
                bad("readTimeout = null", b -> b.readTimeout(null)),
                bad("idleTimeout = PT-0.001S", b -> b.idleTimeout(Duration.ofMillis(-1))),
                bad("writeTimeout = PT-1S", b -> b.writeTimeout(Duration.ofSeconds(-1))),
                bad("writeTimeout = PT8784H", b -> b.writeTimeout(Duration.ofDays(366))),
                bad("handshakeTimeout = PT-1S", b -> b.handshakeTimeout(Duration.ofSeconds(-1))),
                bad("handshakeTimeout = null", b -> b.handshakeTimeout(null)),
                bad("idleTimeout = null", b -> b.idleTimeout(null)),
                bad("shutdownGrace = PT-1S", b -> b.shutdownGrace(Duration.ofSeconds(-1))),
                bad("shutdownGrace = null", b -> b.shutdownGrace(null)),
                bad("drainDelay = PT-1S", b -> b.drainDelay(Duration.ofSeconds(-1))),
                bad("drainDelay = null", b -> b.drainDelay(null)),
                bad("maxConnections = 0", b -> b.maxConnections(0)),
                bad("handler = null", b -> b.handler(null)));
    }

    private static Arguments bad(String expected, UnaryOperator<TcpServer.Builder> change) {
        return Arguments.of(expected, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidOptions")
    void invalidOptionIsNamedWithItsValue(String expected, UnaryOperator<TcpServer.Builder> change) {
        TcpServer.Builder b = change.apply(TcpServer.builder().handler(conn -> { }));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().startsWith(expected + ": "), e.getMessage());
        assertThrows(IllegalArgumentException.class, b::start, "start() validates too and binds nothing");
    }

    /** TcpServer.start(ServerConfig, …) is public: a record made by hand meets the same rules. */
    @Test
    void aHandMadeConfigIsValidatedToo() {
        ServerConfig ok = TcpServer.builder().handler(conn -> { }).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ServerConfig(
                ok.bindAddress(), ok.port(), ok.backlog(), ok.reuseAddress(), ok.reusePort(), ok.tcpNoDelay(),
                ok.keepAlive(), ok.receiveBufferSize(), ok.sendBufferSize(), ok.bufferSize(), ok.readTimeout(),
                ok.idleTimeout(), ok.writeTimeout(), 0, ok.sslContext(), ok.handshakeTimeout(),
                ok.shutdownGrace(), ok.registerShutdownHook()));
        assertEquals("maxConnections = 0: must be at least 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ServerConfig(
                ok.bindAddress(), ok.port(), ok.backlog(), ok.reuseAddress(), ok.reusePort(), ok.tcpNoDelay(),
                ok.keepAlive(), ok.receiveBufferSize(), ok.sendBufferSize(), ok.bufferSize(), null,
                ok.idleTimeout(), ok.writeTimeout(), ok.maxConnections(), ok.sslContext(), ok.handshakeTimeout(),
                ok.shutdownGrace(), ok.registerShutdownHook()));
        assertTrue(e.getMessage().startsWith("readTimeout = null: "), e.getMessage());
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        ServerConfig c = TcpServer.builder().handler(conn -> { }).build();
        assertNull(c.bindAddress());
        assertEquals(0, c.port());
        assertEquals(1024, c.backlog());
        assertTrue(c.reuseAddress());
        assertFalse(c.reusePort());
        assertTrue(c.tcpNoDelay());
        assertFalse(c.keepAlive());
        assertEquals(0, c.receiveBufferSize());
        assertEquals(0, c.sendBufferSize());
        assertEquals(8192, c.bufferSize());
        assertEquals(Duration.ofSeconds(30), c.readTimeout());
        assertEquals(Duration.ofSeconds(60), c.idleTimeout());
        assertEquals(Duration.ofSeconds(30), c.writeTimeout());
        assertEquals(10_000, c.maxConnections());
        assertNull(c.sslContext());
        assertEquals(Duration.ofSeconds(10), c.handshakeTimeout());
        assertEquals(Duration.ofSeconds(10), c.shutdownGrace());
        assertEquals(Duration.ZERO, c.drainDelay());
        assertFalse(c.registerShutdownHook());
    }

    @Test
    void zeroTimeoutsMeanNone() throws Exception {
        try (TcpServer server = Net.builder().readTimeout(Duration.ZERO).idleTimeout(Duration.ZERO)
                .writeTimeout(Duration.ZERO).keepAlive(true).tcpNoDelay(false)
                .handler(conn -> conn.out().write(conn.in().readExactly(3))).start();
             java.net.Socket s = Net.connect(server)) {
            s.getOutputStream().write(Net.ascii("abc"));
            assertEquals("abc", Net.readAll(s));
        }
    }
}
