package dev.weft.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The server's {@link SSLContext} with ALPN (RFC 7301) on every socket it makes: the first of
 * {@code ids} the client offers is chosen, else {@code http/1.1} if offered, else none (an empty
 * selection: the handshake goes on without ALPN rather than failing with
 * {@code no_application_protocol}, so an old client still gets HTTP/1.1). Everything else is the
 * user's context, untouched. Core makes its sockets with {@code getSocketFactory().createSocket(raw, …)}.
 */
public final class AlpnContext extends SSLContext {

    private AlpnContext(SSLContext delegate, List<String> ids) {
        super(new Spi(delegate, ids), delegate.getProvider(), delegate.getProtocol());
    }

    /** {@code delegate} choosing among {@code ids} (then {@code http/1.1}) by ALPN. */
    public static SSLContext wrap(SSLContext delegate, List<String> ids) {
        return new AlpnContext(delegate, List.copyOf(ids));
    }

    /** The first of {@code ids} offered, else {@code http/1.1} if offered, else "" (no ALPN). */
    public static String select(List<String> ids, List<String> offered) {
        for (String id : ids) {
            if (offered.contains(id)) {
                return id;
            }
        }
        return offered.contains("http/1.1") ? "http/1.1" : "";
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext d;
        private final List<String> ids;

        Spi(SSLContext d, List<String> ids) {
            this.d = d;
            this.ids = ids;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
            throw new KeyManagementException("already initialized: the server's own SSLContext");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return new Factory(d.getSocketFactory(), ids);
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return d.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            SSLEngine e = d.createSSLEngine();
            e.setHandshakeApplicationProtocolSelector((engine, offered) -> select(ids, offered));
            return e;
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            SSLEngine e = d.createSSLEngine(host, port);
            e.setHandshakeApplicationProtocolSelector((engine, offered) -> select(ids, offered));
            return e;
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return d.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return d.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return d.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return d.getSupportedSSLParameters();
        }
    }

    private static final class Factory extends SSLSocketFactory {
        private final SSLSocketFactory d;
        private final List<String> ids;

        Factory(SSLSocketFactory d, List<String> ids) {
            this.d = d;
            this.ids = ids;
        }

        private Socket alpn(Socket s) {
            if (s instanceof SSLSocket ssl) {
                ssl.setHandshakeApplicationProtocolSelector((sock, offered) -> select(ids, offered));
            }
            return s;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return d.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return d.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return alpn(d.createSocket(s, host, port, autoClose));
        }

        @Override
        public Socket createSocket(Socket s, InputStream consumed, boolean autoClose) throws IOException {
            return alpn(d.createSocket(s, consumed, autoClose));
        }

        @Override
        public Socket createSocket() throws IOException {
            return alpn(d.createSocket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return alpn(d.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return alpn(d.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return alpn(d.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return alpn(d.createSocket(address, port, localAddress, localPort));
        }
    }
}
