package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Key material for TLS tests, made fresh by the JDK's keytool (and openssl where a test needs its formats). */
final class TlsFiles {

    static final char[] PASSWORD = "changeit".toCharArray();

    private TlsFiles() {
    }

    static String run(Path dir, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, command + ": " + out);
        return out;
    }

    /** A self-signed key and certificate for 127.0.0.1 and localhost in PKCS#12 {@code name}.p12 (alias = name). */
    static Path selfSigned(Path dir, String name, String keyalg) throws Exception {
        Path store = dir.resolve(name + ".p12");
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", name, "-keyalg", keyalg));
        if (keyalg.equals("EC")) {
            c.addAll(List.of("-groupname", "secp256r1"));
        }
        c.addAll(List.of("-dname", "CN=" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit"));
        run(dir, c);
        return store;
    }

    static KeyStore load(Path p12) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    static X509Certificate certificate(Path p12) throws Exception {
        KeyStore ks = load(p12);
        return (X509Certificate) ks.getCertificate(ks.aliases().nextElement());
    }

    static BigInteger serial(Path p12) throws Exception {
        return certificate(p12).getSerialNumber();
    }

    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + label + "-----\n";
    }

    /** The certificate of {@code p12} as PEM in {@code out}. */
    static Path certPem(Path p12, Path out) throws Exception {
        Files.writeString(out, pem("CERTIFICATE", certificate(p12).getEncoded()));
        return out;
    }

    /** The private key of {@code p12} as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}) in {@code out}. */
    static Path keyPem(Path p12, Path out) throws Exception {
        KeyStore ks = load(p12);
        PrivateKey k = (PrivateKey) ks.getKey(ks.aliases().nextElement(), PASSWORD);
        Files.writeString(out, pem("PRIVATE KEY", k.getEncoded()));
        return out;
    }

    /** A client context trusting {@code trusted}'s certificate, presenting {@code own}'s key when not null. */
    static SSLContext client(Path trusted, Path own, String... protocols) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(trusted));
        KeyManagerFactory kmf = null;
        if (own != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(own), PASSWORD);
        }
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return c;
    }

    /** True if openssl is installed (the tests of OpenSSL's own key formats need it to write them). */
    static boolean hasOpenssl() {
        return Files.isExecutable(Path.of("/usr/bin/openssl"));
    }
}
