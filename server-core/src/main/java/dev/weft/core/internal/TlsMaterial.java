package dev.weft.core.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Loads what a TLS server needs from files, with errors that say what is wrong and where: the
 * server's key and certificate chain (PKCS#12, or PEM certificate chain plus PEM key) and the
 * certificates it trusts for client authentication (PEM bundle or PKCS#12).
 */
public final class TlsMaterial {

    private TlsMaterial() {
    }

    /** Where material comes from; {@link #load} reads it now. */
    public sealed interface Source permits Pkcs12Key, PemKey, PemTrust, Pkcs12Trust {
        /** The files read, to watch for changes. */
        List<Path> files();
    }

    /** A PKCS#12 keystore with the server's key entry. */
    public record Pkcs12Key(Path file, char[] password) implements Source {
        @Override
        public List<Path> files() {
            return List.of(file);
        }
    }

    /** A PEM certificate chain (leaf first) and a PEM private key; may be the same file. */
    public record PemKey(Path chain, Path key) implements Source {
        @Override
        public List<Path> files() {
            return chain.equals(key) ? List.of(chain) : List.of(chain, key);
        }
    }

    /** A PEM bundle of CA certificates. */
    public record PemTrust(Path file) implements Source {
        @Override
        public List<Path> files() {
            return List.of(file);
        }
    }

    /** A PKCS#12 store of trusted certificates. */
    public record Pkcs12Trust(Path file, char[] password) implements Source {
        @Override
        public List<Path> files() {
            return List.of(file);
        }
    }

    /** A loaded server key: the key manager and, for logs, the leaf certificate. */
    public record Key(X509ExtendedKeyManager manager, X509Certificate leaf, List<X509Certificate> chain) {
    }

    /** Loaded trusted certificates. */
    public record Trust(X509ExtendedTrustManager manager, int count) {
    }

    /** Reads a key source now. */
    public static Key loadKey(Source source) {
        return switch (source) {
            case Pkcs12Key p -> pkcs12Key(p.file(), p.password());
            case PemKey p -> pemKey(p.chain(), p.key());
            default -> throw new IllegalArgumentException(source + " is not a key source");
        };
    }

    /** Reads a trust source now. */
    public static Trust loadTrust(Source source) {
        return switch (source) {
            case PemTrust p -> pemTrust(p.file());
            case Pkcs12Trust p -> pkcs12Trust(p.file(), p.password());
            default -> throw new IllegalArgumentException(source + " is not a trust source");
        };
    }

    static byte[] read(Path file, String what) {
        try {
            byte[] b = Files.readAllBytes(file);
            if (b.length == 0) {
                throw new IllegalArgumentException(file + ": " + what + " file is empty");
            }
            return b;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such " + what + " file", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the " + what + " file: " + e, e);
        }
    }

    private static KeyStore loadPkcs12(Path file, char[] password, String what) {
        byte[] bytes = read(file, what);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(bytes), password);
            return ks;
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new IllegalArgumentException(file + ": wrong password for the PKCS#12 " + what + " file", e);
            }
            throw new IllegalArgumentException(file + ": not a PKCS#12 " + what + " file (" + e.getMessage()
                    + "); from PEM: openssl pkcs12 -export -in cert.pem -inkey key.pem -out store.p12", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": cannot read the PKCS#12 " + what + " file: " + e.getMessage(), e);
        }
    }

    private static Key pkcs12Key(Path file, char[] password) {
        KeyStore ks = loadPkcs12(file, password, "keystore");
        List<String> keys = new ArrayList<>();
        X509Certificate leaf = null;
        List<X509Certificate> chain = List.of();
        try {
            for (String alias : Collections.list(ks.aliases())) {
                if (!ks.isKeyEntry(alias)) {
                    continue;
                }
                keys.add(alias);
                try {
                    ks.getKey(alias, password);
                } catch (UnrecoverableKeyException e) {
                    throw new IllegalArgumentException(file + ": key entry \"" + alias
                            + "\" has a password other than the keystore's; Weft uses the keystore password for both", e);
                }
                Certificate[] c = ks.getCertificateChain(alias);
                if (c == null || c.length == 0 || !(c[0] instanceof X509Certificate)) {
                    throw new IllegalArgumentException(file + ": key entry \"" + alias + "\" has no X.509 certificate chain");
                }
                if (leaf == null) {
                    chain = x509(c);
                    leaf = chain.get(0);
                }
            }
            if (keys.isEmpty()) {
                throw new IllegalArgumentException(file + ": no private key entry (" + ks.size()
                        + " entries, trusted certificates only?); a server keystore needs its key and certificate chain");
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(ks, password);
            return new Key(keyManager(kmf.getKeyManagers()), leaf, chain);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": cannot use the keystore: " + e.getMessage(), e);
        }
    }

    private static Key pemKey(Path chainFile, Path keyFile) {
        List<X509Certificate> chain = new ArrayList<>();
        for (Pem.Block b : Pem.parse(chainFile, read(chainFile, "certificate"))) {
            if (b.label().equals("CERTIFICATE")) {
                chain.add(certificate(chainFile, b));
            }
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(chainFile + ": no BEGIN CERTIFICATE block");
        }
        PrivateKey key = null;
        List<String> seen = new ArrayList<>();
        for (Pem.Block b : Pem.parse(keyFile, read(keyFile, "private key"))) {
            seen.add("BEGIN " + b.label() + " (line " + b.line() + ")");
            if (Pem.isKey(b.label())) {
                key = Pem.privateKey(keyFile, b);
                break;
            }
        }
        if (key == null) {
            throw new IllegalArgumentException(keyFile + ": no private key block (" + Pem.KEY_LABELS + "); found "
                    + (seen.isEmpty() ? "no PEM block" : String.join(", ", seen)));
        }
        X509Certificate leaf = chain.get(0);
        if (!matches(key, leaf.getPublicKey())) {
            throw new IllegalArgumentException(keyFile + ": the private key does not belong to the first certificate of "
                    + chainFile + " (" + describe(leaf) + "); the chain must start with the key's own certificate");
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = "weft".toCharArray(); // an in-memory store only: the password protects nothing
            ks.setKeyEntry("weft", key, pw, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(ks, pw);
            return new Key(keyManager(kmf.getKeyManagers()), leaf, List.copyOf(chain));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(keyFile + ": the JDK refused the key with " + chainFile + ": " + e.getMessage(), e);
        }
    }

    private static Trust pemTrust(Path file) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int n = 0;
            for (Pem.Block b : Pem.parse(file, read(file, "trusted certificates"))) {
                if (b.label().equals("CERTIFICATE")) {
                    ks.setCertificateEntry("ca-" + n++, certificate(file, b));
                }
            }
            if (n == 0) {
                throw new IllegalArgumentException(file + ": no BEGIN CERTIFICATE block in the trusted certificates");
            }
            return new Trust(trustManager(ks), n);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": cannot use the trusted certificates: " + e.getMessage(), e);
        }
    }

    private static Trust pkcs12Trust(Path file, char[] password) {
        KeyStore ks = loadPkcs12(file, password, "trust store");
        try {
            int n = 0;
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.getCertificate(alias) != null) {
                    n++;
                }
            }
            if (n == 0) {
                throw new IllegalArgumentException(file + ": the trust store holds no certificate");
            }
            return new Trust(trustManager(ks), n);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": cannot use the trust store: " + e.getMessage(), e);
        }
    }

    private static X509Certificate certificate(Path file, Pem.Block b) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(b.der()));
        } catch (CertificateException | ClassCastException e) {
            throw new IllegalArgumentException(b.where(file) + ": not an X.509 certificate: " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> x509(Certificate[] c) {
        List<X509Certificate> l = new ArrayList<>(c.length);
        for (Certificate x : c) {
            l.add((X509Certificate) x);
        }
        return List.copyOf(l);
    }

    private static X509ExtendedKeyManager keyManager(KeyManager[] managers) {
        for (KeyManager m : managers) {
            if (m instanceof X509ExtendedKeyManager x) {
                return x;
            }
        }
        throw new IllegalStateException("the JDK's PKIX KeyManagerFactory made no X509ExtendedKeyManager");
    }

    private static X509ExtendedTrustManager trustManager(KeyStore ks) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        for (TrustManager m : tmf.getTrustManagers()) {
            if (m instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new IllegalStateException("the JDK's PKIX TrustManagerFactory made no X509ExtendedTrustManager");
    }

    /** True if {@code key} signs what {@code pub} verifies: the only check that works for every key type. */
    static boolean matches(PrivateKey key, PublicKey pub) {
        if (!key.getAlgorithm().equals(pub.getAlgorithm())
                && !(key.getAlgorithm().startsWith("Ed") && pub.getAlgorithm().startsWith("Ed"))) {
            return false;
        }
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (alg == null) {
            return true; // RSASSA-PSS and others: leave the check to the handshake
        }
        try {
            byte[] probe = "weft key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** "CN=localhost, serial 1f2e…, valid until 2026-12-05T10:00:00Z" for logs and errors. */
    public static String describe(X509Certificate c) {
        return c.getSubjectX500Principal().getName() + ", serial " + c.getSerialNumber().toString(16)
                + ", valid until " + c.getNotAfter().toInstant();
    }
}
