package dev.weft.core;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What a connection's TLS handshake settled, for the protocol on top and its handlers; see
 * {@link Connection#tls()}.
 *
 * @param protocol            the TLS version, e.g. {@code TLSv1.3}
 * @param cipherSuite         the cipher suite, e.g. {@code TLS_AES_128_GCM_SHA256}
 * @param applicationProtocol the protocol chosen by ALPN (RFC 7301), e.g. {@code http/1.1}; empty
 *                            when the client sent no ALPN or the server offers none
 * @param peerCertificates    the client's certificate chain, its own certificate first, as the
 *                            trust store verified it; empty when the client sent none
 * @param serverName          the host name the client asked for by SNI (RFC 6066 §3); empty when none
 */
public record TlsInfo(String protocol, String cipherSuite, String applicationProtocol,
        List<X509Certificate> peerCertificates, String serverName) {

    /** Checks that no part is null and copies the certificate list. */
    public TlsInfo {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(cipherSuite, "cipherSuite");
        Objects.requireNonNull(applicationProtocol, "applicationProtocol");
        peerCertificates = List.copyOf(peerCertificates);
        Objects.requireNonNull(serverName, "serverName");
    }
}
