package dev.weft.core;

import dev.weft.core.internal.TlsMaterial;
import dev.weft.core.internal.TlsRuntime;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * How a server speaks TLS: its key and certificate chain, the TLS versions, client
 * authentication, the application protocols it announces (ALPN), and whether it picks up
 * renewed certificates without a restart. Pass it to {@link ServerBuilder#tls(Tls)}.
 *
 * <pre>{@code
 * Tls tls = Tls.fromPem(Path.of("cert.pem"), Path.of("key.pem"))
 *         .reloadOnChange(true);                   // a renewed certificate is used by the next handshakes
 * Tls mtls = Tls.fromPkcs12(Path.of("server.p12"), password)
 *         .clientAuth(Tls.ClientAuth.NEED)
 *         .trustPem(Path.of("clients-ca.pem"));      // client certificates must chain to these CAs
 * }</pre>
 *
 * <p>Instances are immutable: every option returns a new {@code Tls}. The factories read and
 * check the files at once and throw {@link IllegalArgumentException} saying what is wrong and
 * where: the file, the PEM block and its line, a wrong password, a key that does not belong to
 * the certificate. Defaults: TLS 1.3 and 1.2, no client authentication, the application
 * protocols of the server it is given to ({@code http/1.1} for an HTTP server, none for a
 * plain {@link TcpServer}), no reloading.
 */
public final class Tls {

    /** Whether the server asks the client for a certificate. */
    public enum ClientAuth {
        /** No client certificate is asked for. */
        NONE,
        /** A certificate is asked for; a client without one is served, one with an untrusted one is refused. */
        WANT,
        /** A certificate that chains to the trust store is required; the handshake fails without one. */
        NEED
    }

    private static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private SSLContext context;
    private TlsMaterial.Source keySource;
    private TlsMaterial.Key key;
    private List<Object> keyStamps;
    private TlsMaterial.Source trustSource;
    private TlsMaterial.Trust trust;
    private List<Object> trustStamps;
    private List<String> protocols;
    private ClientAuth clientAuth = ClientAuth.NONE;
    private List<String> applicationProtocols;
    private boolean reload;
    private Duration reloadInterval = Duration.ofSeconds(5);
    private Function<byte[], byte[]> plaintextReply;

    private final ReentrantLock lock = new ReentrantLock();
    private TlsRuntime runtime;

    private Tls() {
    }

    private Tls copy() {
        Tls t = new Tls();
        t.context = context;
        t.keySource = keySource;
        t.key = key;
        t.keyStamps = keyStamps;
        t.trustSource = trustSource;
        t.trust = trust;
        t.trustStamps = trustStamps;
        t.protocols = protocols;
        t.clientAuth = clientAuth;
        t.applicationProtocols = applicationProtocols;
        t.reload = reload;
        t.reloadInterval = reloadInterval;
        t.plaintextReply = plaintextReply;
        return t;
    }

    /**
     * TLS with a context set up by the caller: its key managers, trust managers and default
     * TLS versions are used as they are ({@link #protocols} and {@link #clientAuth} still apply
     * when set). Reloading and the trust store options are not available.
     *
     * @throws NullPointerException if {@code context} is null
     */
    public static Tls of(SSLContext context) {
        Tls t = new Tls();
        t.context = Objects.requireNonNull(context, "context");
        return t;
    }

    /**
     * The key and certificate chain from a PKCS#12 keystore (as {@code keytool -storetype PKCS12}
     * or {@code openssl pkcs12 -export} write). The key entry's password must be the keystore's.
     * With several key entries the JDK picks one per handshake by key type and the client's SNI.
     *
     * @throws IllegalArgumentException if the file is missing or unreadable, the password is
     *         wrong, or it holds no private key entry
     */
    public static Tls fromPkcs12(Path keystore, char[] password) {
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(password, "password");
        Tls t = new Tls();
        t.loadKey(new TlsMaterial.Pkcs12Key(keystore, password.clone()));
        return t;
    }

    /**
     * The certificate chain (leaf first, then intermediates) and the private key from PEM files,
     * as certbot and other ACME clients write them; both may be the same file. The key may be
     * PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) or SEC 1 EC
     * ({@code BEGIN EC PRIVATE KEY}), unencrypted. An encrypted key is refused with the command
     * that decrypts it: {@code openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem}.
     *
     * @throws IllegalArgumentException if a file is missing or unreadable, a PEM block is broken
     *         (the message names the file, the block and its line), there is no certificate or
     *         no key, or the key does not belong to the first certificate
     */
    public static Tls fromPem(Path certChain, Path privateKey) {
        Objects.requireNonNull(certChain, "certChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Tls t = new Tls();
        t.loadKey(new TlsMaterial.PemKey(certChain, privateKey));
        return t;
    }

    private void loadKey(TlsMaterial.Source source) {
        keyStamps = TlsRuntime.stamps(source.files()); // before reading: a change while reading is seen later
        key = TlsMaterial.loadKey(source);
        keySource = source;
    }

    /**
     * The TLS versions to enable, e.g. {@code "TLSv1.3"}. Default {@code TLSv1.3} and {@code TLSv1.2}
     * (for {@link #of(SSLContext)}: the context's defaults).
     *
     * @throws IllegalArgumentException if none is given or one is not a version this JDK knows
     */
    public Tls protocols(String... protocols) {
        Objects.requireNonNull(protocols, "protocols");
        if (protocols.length == 0) {
            throw new IllegalArgumentException("protocols: at least one TLS version is needed");
        }
        List<String> supported;
        try {
            supported = List.of(SSLContext.getDefault().getSupportedSSLParameters().getProtocols());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default SSLContext: " + e, e);
        }
        for (String p : protocols) {
            if (!supported.contains(p)) {
                throw new IllegalArgumentException("protocols: " + p + " is not a TLS version of this JDK " + supported);
            }
        }
        Tls t = copy();
        t.protocols = List.of(protocols);
        return t;
    }

    /**
     * Whether to ask clients for a certificate. Default {@link ClientAuth#NONE}. {@code WANT} and
     * {@code NEED} need a trust store ({@link #trustPem} or {@link #trustPkcs12}), unless this
     * was made from an {@link SSLContext}, whose trust managers then decide.
     */
    public Tls clientAuth(ClientAuth mode) {
        Tls t = copy();
        t.clientAuth = Objects.requireNonNull(mode, "mode");
        return t;
    }

    /**
     * The CAs that client certificates must chain to, from a PEM bundle of {@code BEGIN CERTIFICATE} blocks.
     *
     * @throws IllegalArgumentException if the file is missing, unreadable or holds no certificate
     * @throws IllegalStateException if this was made from an {@link SSLContext}
     */
    public Tls trustPem(Path caBundle) {
        return withTrust(new TlsMaterial.PemTrust(Objects.requireNonNull(caBundle, "caBundle")));
    }

    /**
     * The CAs that client certificates must chain to, from a PKCS#12 store of trusted certificates.
     *
     * @throws IllegalArgumentException if the file is missing or unreadable, the password is wrong, or it holds no certificate
     * @throws IllegalStateException if this was made from an {@link SSLContext}
     */
    public Tls trustPkcs12(Path store, char[] password) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(password, "password");
        return withTrust(new TlsMaterial.Pkcs12Trust(store, password.clone()));
    }

    private Tls withTrust(TlsMaterial.Source source) {
        if (context != null) {
            throw new IllegalStateException("trust store: this Tls uses an SSLContext of its own, whose trust managers decide");
        }
        Tls t = copy();
        t.trustStamps = TlsRuntime.stamps(source.files());
        t.trust = TlsMaterial.loadTrust(source);
        t.trustSource = source;
        return t;
    }

    /**
     * The application protocols to offer through ALPN (RFC 7301), most preferred first, e.g.
     * {@code "h2", "http/1.1"}: the first of them that the client also offers is chosen, and a
     * client that offers ALPN but none of them fails the handshake (no_application_protocol).
     * A client without ALPN is served. The protocol chosen is in {@link TlsInfo#applicationProtocol()}.
     * Default: the server's own (see the class comment). No names: no ALPN.
     *
     * @throws IllegalArgumentException if a name is empty or longer than 255 bytes
     */
    public Tls applicationProtocols(String... names) {
        Objects.requireNonNull(names, "names");
        for (String n : names) {
            if (n == null || n.isEmpty() || n.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
                throw new IllegalArgumentException("applicationProtocols: " + n + ": must be 1–255 bytes (RFC 7301 §3.1)");
            }
        }
        Tls t = copy();
        t.applicationProtocols = List.of(names);
        return t;
    }

    /**
     * Whether a renewed key, certificate or trust store is picked up without a restart. When on,
     * the files are looked at (modification time, size, inode) before a handshake, at most once
     * per {@link #reloadCheckInterval}; no thread is started. When they changed, they are read
     * again and the next handshakes use the new certificate; connections already open keep
     * theirs, and so do sessions resumed from tickets made before. A file that fails to load
     * (half written, a key that does not match the certificate yet) is logged at WARN with the
     * reason, and the certificate loaded before stays until the files change again. Default off.
     *
     * @throws IllegalStateException if this was made from an {@link SSLContext} (there are no files)
     */
    public Tls reloadOnChange(boolean on) {
        if (on && context != null) {
            throw new IllegalStateException("reloadOnChange: this Tls uses an SSLContext of its own, which has no files to watch");
        }
        Tls t = copy();
        t.reload = on;
        return t;
    }

    /**
     * The least time between two looks at the files when {@link #reloadOnChange} is on. Default 5 s;
     * {@code Duration.ZERO} looks before every handshake.
     *
     * @throws IllegalArgumentException if negative or more than a day
     */
    public Tls reloadCheckInterval(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("reloadCheckInterval = " + interval + ": must be 0–1 day");
        }
        Tls t = copy();
        t.reloadInterval = interval;
        return t;
    }

    /** The TLS versions enabled: as set, else the default (for {@link #of(SSLContext)}: the context's). */
    public List<String> protocols() {
        if (protocols != null) {
            return protocols;
        }
        return context != null ? List.of(context.getDefaultSSLParameters().getProtocols()) : DEFAULT_PROTOCOLS;
    }

    /** The client authentication asked for. */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** The ALPN names offered, most preferred first; empty when none (or not yet given the server's). */
    public List<String> applicationProtocols() {
        return applicationProtocols == null ? List.of() : applicationProtocols;
    }

    /** True if {@link #reloadOnChange} is on. */
    public boolean reloadsOnChange() {
        return reload;
    }

    /** Where the key comes from and what it is, the options; for logs. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Tls[");
        if (context != null) {
            b.append("SSLContext ").append(context.getProtocol());
        } else {
            b.append(keySource.files()).append(' ').append(TlsMaterial.describe(key.leaf()));
        }
        b.append(", protocols ").append(protocols()).append(", clientAuth ").append(clientAuth);
        if (trustSource != null) {
            b.append(" trusting ").append(trustSource.files());
        }
        b.append(", alpn ").append(applicationProtocols == null ? "(the server's)" : applicationProtocols);
        if (reload) {
            b.append(", reload checked every ").append(reloadInterval);
        }
        return b.append(']').toString();
    }

    // ---- for the server builder and the server (same package) ---------------------------------

    /**
     * This configuration completed with a protocol server's defaults: its ALPN names, when none
     * were set here, and its answer to plain text sent to the TLS port.
     */
    Tls withServerDefaults(List<String> defaultApplicationProtocols, Function<byte[], byte[]> reply) {
        Tls t = copy();
        if (t.applicationProtocols == null) {
            t.applicationProtocols = List.copyOf(defaultApplicationProtocols);
        }
        if (t.plaintextReply == null) {
            t.plaintextReply = reply;
        }
        return t;
    }

    /** Why this cannot serve, or null. */
    String problem() {
        if (context == null && clientAuth != ClientAuth.NONE && trustSource == null) {
            return "clientAuth " + clientAuth + " needs a trust store: trustPem(caBundle) or trustPkcs12(store, password)";
        }
        return null;
    }

    /** The running form, made once per instance (a server's config holds its own instance). */
    TlsRuntime runtime() {
        lock.lock();
        try {
            if (runtime == null) {
                List<Object> stamps = new ArrayList<>();
                if (keyStamps != null) {
                    stamps.addAll(keyStamps);
                }
                if (trustStamps != null) {
                    stamps.addAll(trustStamps);
                }
                List<String> p = protocols != null ? protocols : context != null ? null : DEFAULT_PROTOCOLS;
                runtime = new TlsRuntime(context, keySource, key, trustSource, trust, stamps, p, clientAuth,
                        applicationProtocols(), reload ? reloadInterval.toNanos() : -1, plaintextReply);
            }
            return runtime;
        } finally {
            lock.unlock();
        }
    }
}
