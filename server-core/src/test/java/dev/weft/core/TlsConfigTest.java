package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tls's factories: the formats read (JDK only), and bad files refused with what is wrong and where. */
class TlsConfigTest {

    @TempDir
    static Path dir;

    private static Path p12;
    private static Path other;
    private static Path certPem;
    private static Path keyPem;

    @BeforeAll
    static void keys() throws Exception {
        p12 = TlsFiles.selfSigned(dir, "server", "EC");
        other = TlsFiles.selfSigned(dir, "other", "RSA");
        certPem = TlsFiles.certPem(p12, dir.resolve("cert.pem"));
        keyPem = TlsFiles.keyPem(p12, dir.resolve("key.pem"));
    }

    /** The certificate a client sees from a TcpServer with {@code tls}, and that the channel works. */
    private static X509Certificate served(Tls tls, Path trusted) throws Exception {
        try (TcpServer server = Net.builder().tls(tls).handler(conn -> conn.in().transferTo(conn.out())).start();
                SSLSocket s = (SSLSocket) TlsFiles.client(trusted, null).getSocketFactory().createSocket(Net.LOOPBACK, server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(Net.ascii("ping"));
            assertEquals("ping", new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void pkcs12AndPkcs8PemServeTheSameCertificate() throws Exception {
        X509Certificate want = TlsFiles.certificate(p12);
        assertEquals(want, served(Tls.fromPkcs12(p12, TlsFiles.PASSWORD), p12));
        assertEquals(want, served(Tls.fromPem(certPem, keyPem), p12));
        Path both = dir.resolve("both.pem");
        Files.writeString(both, Files.readString(keyPem) + Files.readString(certPem));
        assertEquals(want, served(Tls.fromPem(both, both), p12), "one file with key and chain");
    }

    /** OpenSSL's older key formats, PKCS#1 RSA and SEC 1 EC (with and without its EC PARAMETERS block), as openssl writes them. */
    @Test
    void opensslRsaAndEcKeyFormats() throws Exception {
        assumeTrue(TlsFiles.hasOpenssl(), "no /usr/bin/openssl");
        TlsFiles.run(dir, List.of("openssl", "genrsa", "-traditional", "-out", "rsa.pem", "2048"));
        TlsFiles.run(dir, List.of("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.pem"));
        for (String key : List.of("rsa.pem", "ec.pem")) {
            String first = Files.readString(dir.resolve(key));
            assertTrue(first.contains(key.equals("rsa.pem") ? "BEGIN RSA PRIVATE KEY" : "BEGIN EC PRIVATE KEY"), first);
            TlsFiles.run(dir, List.of("openssl", "req", "-x509", "-key", key, "-out", key + ".crt", "-subj", "/CN=" + key,
                    "-days", "2", "-addext", "subjectAltName=IP:127.0.0.1"));
            // The client trusts the certificate itself: a keystore made from it.
            Path trust = dir.resolve(key + ".trust.p12");
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            X509Certificate crt = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(Files.newInputStream(dir.resolve(key + ".crt")));
            ks.setCertificateEntry("t", crt);
            try (var out = Files.newOutputStream(trust)) {
                ks.store(out, TlsFiles.PASSWORD);
            }
            assertEquals(crt, served(Tls.fromPem(dir.resolve(key + ".crt"), dir.resolve(key)), trust), key);
        }
    }

    private static String refusedPem(String chain, String key) throws Exception {
        Path c = dir.resolve("bad-chain.pem");
        Path k = dir.resolve("bad-key.pem");
        Files.writeString(c, chain);
        Files.writeString(k, key);
        return assertThrows(IllegalArgumentException.class, () -> Tls.fromPem(c, k)).getMessage();
    }

    /** Bad files in, the message out: each names the file, and the PEM block and line where there is one. */
    @Test
    void badPemFilesSayWhatAndWhere() throws Exception {
        String cert = Files.readString(certPem);
        String key = Files.readString(keyPem);
        String[][] table = {
            // chain file, key file, what the message must contain
            {"", key, "bad-chain.pem: certificate file is empty"},
            {"just text\n", key, "bad-chain.pem: no BEGIN CERTIFICATE block"},
            {cert + "-----BEGIN CERTIFICATE-----\nMIIB!!!!\n-----END CERTIFICATE-----\n", key,
                "bad-chain.pem: PEM block 2 (BEGIN CERTIFICATE, line " + (cert.split("\n").length + 1) + "): bad base64"},
            {"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", key,
                "bad-chain.pem: PEM block 1 (BEGIN CERTIFICATE, line 1): not an X.509 certificate"},
            {cert.substring(0, cert.indexOf("-----END")), key, "bad-chain.pem: PEM block 1 (BEGIN CERTIFICATE, line 1) has no END line"},
            {cert.replace("END CERTIFICATE", "END PRIVATE KEY"), key, "ends with \"-----END PRIVATE KEY-----\""},
            {cert, cert, "bad-key.pem: no private key block (BEGIN PRIVATE KEY (PKCS#8), BEGIN RSA PRIVATE KEY or BEGIN EC"
                + " PRIVATE KEY); found BEGIN CERTIFICATE (line 1)"},
            {cert, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
                "encrypted keys are not read; decrypt it: openssl pkcs8 -topk8 -nocrypt"},
            {cert, "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
                "the key is encrypted (Proc-Type/DEK-Info headers); decrypt it first: openssl pkcs8 -topk8 -nocrypt"},
            {cert, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                "bad-key.pem: PEM block 1 (BEGIN PRIVATE KEY, line 1): not a private key the JDK can read"},
            {cert, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
                "bad-key.pem: PEM block 1 (BEGIN EC PRIVATE KEY, line 1): not a SEC 1 EC key"},
            {cert, "-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n", "convert it: openssl pkcs8 -topk8 -nocrypt"},
            {Files.readString(TlsFiles.certPem(other, dir.resolve("other.pem"))), key,
                "bad-key.pem: the private key does not belong to the first certificate of"},
        };
        for (String[] row : table) {
            String message = refusedPem(row[0], row[1]);
            assertTrue(message.contains(row[2]), "want \"" + row[2] + "\" in: " + message);
        }
        Path missing = dir.resolve("missing.pem");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tls.fromPem(missing, keyPem)).getMessage()
                .contains("missing.pem: no such certificate file"));
    }

    @Test
    void badPkcs12SaysWhy() throws Exception {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tls.fromPkcs12(p12, "wrong".toCharArray()))
                .getMessage().contains("server.p12: wrong password for the PKCS#12 keystore file"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tls.fromPkcs12(certPem, TlsFiles.PASSWORD))
                .getMessage().contains("cert.pem: not a PKCS#12 keystore file"));
        // A store of trusted certificates only is no server key.
        Path trustOnly = dir.resolve("trust-only.p12");
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", TlsFiles.certificate(p12));
        try (var out = Files.newOutputStream(trustOnly)) {
            ks.store(out, TlsFiles.PASSWORD);
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tls.fromPkcs12(trustOnly, TlsFiles.PASSWORD))
                .getMessage().contains("trust-only.p12: no private key entry"));
        Tls ok = Tls.fromPkcs12(p12, TlsFiles.PASSWORD).trustPkcs12(trustOnly, TlsFiles.PASSWORD);
        assertEquals(Tls.ClientAuth.NONE, ok.clientAuth());
    }

    @Test
    void optionsAreCheckedWhereTheyAreSet() throws Exception {
        Tls tls = Tls.fromPem(certPem, keyPem);
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.protocols(), "the defaults");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> tls.protocols("TLSv9")).getMessage()
                .contains("TLSv9 is not a TLS version of this JDK"));
        assertThrows(IllegalArgumentException.class, () -> tls.protocols(new String[0]));
        assertThrows(IllegalArgumentException.class, () -> tls.applicationProtocols(""));
        assertThrows(IllegalArgumentException.class, () -> tls.reloadCheckInterval(java.time.Duration.ofSeconds(-1)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> tls.trustPem(keyPem)).getMessage()
                .contains("key.pem: no BEGIN CERTIFICATE block in the trusted certificates"));
        // Immutable: an option gives a new Tls.
        assertEquals(Tls.ClientAuth.NONE, tls.clientAuth());
        assertEquals(Tls.ClientAuth.NEED, tls.clientAuth(Tls.ClientAuth.NEED).clientAuth());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Net.builder().tls(tls.clientAuth(Tls.ClientAuth.NEED)).handler(conn -> { }).start());
        assertTrue(e.getMessage().contains("clientAuth NEED needs a trust store: trustPem(caBundle) or trustPkcs12(store, password)"),
                e.getMessage());
        Tls bare = Tls.of(TlsFiles.client(p12, p12));
        assertThrows(IllegalStateException.class, () -> bare.reloadOnChange(true));
        assertThrows(IllegalStateException.class, () -> bare.trustPem(certPem));
    }
}
