package dev.weft.core.internal;

import dev.weft.core.Tls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's TLS as it runs, made from a {@link Tls} when the server starts: the context, what
 * each accepted socket is set to (protocols, client authentication, ALPN), the answer to plain
 * text on the TLS port, and, with reloading on, the check that swaps in new key material.
 *
 * <p>Reloading needs no thread: the key and trust managers in the context delegate to the
 * current material, and before a handshake {@link #beforeHandshake()} looks at the files'
 * stamps (modification time, size, inode) at most once per check interval. The one handshake
 * that sees a change reloads on its own thread while the others go on with the old material;
 * a file that fails to load is logged once with the reason and the old material stays until
 * the file changes again. Aliases carry the generation they were chosen from, so a handshake
 * that chose its certificate just before a swap still gets the key of that certificate.
 */
public final class TlsRuntime {

    static final Logger LOG = LoggerFactory.getLogger(Tls.class);

    private final SSLContext context;
    private final String[] protocols;
    private final Tls.ClientAuth clientAuth;
    private final String[] applicationProtocols;
    private final Function<byte[], byte[]> plaintextReply;
    private final Reloader reloader;

    /**
     * @param given               a caller's own context, or null to build one from the sources
     * @param key                 the key source (null with {@code given})
     * @param firstKey            the key as already loaded from {@code key} (its first generation)
     * @param trust               the trust source, or null
     * @param firstTrust          the trust as already loaded, or null
     * @param firstStamps         {@link #stamps} of the sources' files taken before they were read
     * @param protocols           the TLS versions to enable, or null to leave the context's
     * @param applicationProtocols ALPN names in preference order; empty for no ALPN
     * @param reloadIntervalNanos how often to look at the files, or -1 for no reloading
     * @param plaintextReply      bytes to answer a non-TLS first record with, or null to just close
     */
    public TlsRuntime(SSLContext given, TlsMaterial.Source key, TlsMaterial.Key firstKey, TlsMaterial.Source trust,
            TlsMaterial.Trust firstTrust, List<Object> firstStamps, List<String> protocols, Tls.ClientAuth clientAuth, List<String> applicationProtocols,
            long reloadIntervalNanos, Function<byte[], byte[]> plaintextReply) {
        this.protocols = protocols == null ? null : protocols.toArray(new String[0]);
        this.clientAuth = Objects.requireNonNull(clientAuth);
        this.applicationProtocols = applicationProtocols.toArray(new String[0]);
        this.plaintextReply = plaintextReply;
        if (given != null) {
            this.context = given;
            this.reloader = null;
            return;
        }
        this.reloader = new Reloader(key, firstKey, trust, firstTrust, firstStamps, reloadIntervalNanos);
        warnIfNotValidNow(firstKey.leaf());
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(new KeyManager[] {new SwitchingKeyManager(reloader)},
                    trust == null ? null : new TrustManager[] {new SwitchingTrustManager(reloader)}, null);
            this.context = c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS SSLContext: " + e, e);
        }
    }

    /** A certificate outside its validity is served (the client decides), but no one should learn it from a client. */
    static void warnIfNotValidNow(X509Certificate leaf) {
        java.util.Date now = new java.util.Date();
        if (now.after(leaf.getNotAfter())) {
            LOG.warn("TLS: the certificate has expired, clients will refuse it: {}", TlsMaterial.describe(leaf));
        } else if (now.before(leaf.getNotBefore())) {
            LOG.warn("TLS: the certificate is not valid before {}, clients will refuse it until then: {}",
                    leaf.getNotBefore().toInstant(), TlsMaterial.describe(leaf));
        }
    }

    /** The context the sockets are made from. */
    public SSLContext context() {
        return context;
    }

    /** Looks for changed files if reloading is on and the interval has passed. Never throws. */
    void beforeHandshake() {
        if (reloader != null) {
            reloader.maybeReload();
        }
    }

    /** True if a reply to plain text on this port is configured. */
    boolean answersPlaintext() {
        return plaintextReply != null;
    }

    /** What to send a peer whose first bytes are {@code head} (not a TLS record), or null to just close. */
    byte[] plaintextReply(byte[] head) {
        return plaintextReply == null ? null : plaintextReply.apply(head);
    }

    /** A server-mode TLS socket over {@code raw}, which has already given {@code consumed}, set up for {@code conn}. */
    SSLSocket layer(Socket raw, byte[] consumed, ConnectionImpl conn) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(raw, new ByteArrayInputStream(consumed), true);
        s.setUseClientMode(false);
        SSLParameters p = s.getSSLParameters();
        if (protocols != null) {
            p.setProtocols(protocols);
        }
        switch (clientAuth) {
            case NEED -> p.setNeedClientAuth(true);
            case WANT -> p.setWantClientAuth(true);
            case NONE -> { }
        }
        s.setSSLParameters(p);
        if (applicationProtocols.length > 0) {
            s.setHandshakeApplicationProtocolSelector(new AlpnSelector(applicationProtocols, conn));
        }
        return s;
    }

    /**
     * ALPN (RFC 7301 §3.2): the server's first preference the client offers. With none in common
     * the handshake fails with no_application_protocol, as Go's server does; a client that sends
     * no ALPN at all is served, with no protocol negotiated.
     */
    private static final class AlpnSelector implements BiFunction<SSLSocket, List<String>, String> {
        private final String[] ours;
        private final ConnectionImpl conn;

        AlpnSelector(String[] ours, ConnectionImpl conn) {
            this.ours = ours;
            this.conn = conn;
        }

        @Override
        public String apply(SSLSocket socket, List<String> offered) {
            for (String p : ours) {
                if (offered.contains(p)) {
                    return p;
                }
            }
            conn.alpnRefused(List.copyOf(offered));
            return null;
        }
    }

    /**
     * Why a handshake failed, in words a person can act on, from what the JDK said (its
     * exceptions carry no codes, only messages) and what this side knows; null if unknown.
     */
    String hint(Throwable failure, List<String> alpnRefused) {
        if (alpnRefused != null) {
            return "no application protocol in common (ALPN): the client offered " + alpnRefused + ", the server speaks "
                    + List.of(applicationProtocols);
        }
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null && all.length() < 4096; t = t.getCause()) {
            all.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
        }
        String m = all.toString();
        if (m.contains("no cipher suites in common")) {
            return "no cipher suite in common with the client (an old client, or a key type it does not take)";
        }
        if (m.contains("protocol_version") || (m.contains("protocol") && (m.contains("not supported")
                || m.contains("not enabled") || m.contains("not accepted")))) {
            return "no TLS version in common with the client: the server allows "
                    + List.of(protocols != null ? protocols : context.getDefaultSSLParameters().getProtocols());
        }
        if (m.contains("Empty client certificate chain") || m.contains("certificate_required")) {
            return "the client sent no certificate, and clientAuth is NEED";
        }
        if (m.contains("CertificateExpiredException") || m.contains("CertificateNotYetValidException")) {
            return "the client's certificate is expired or not yet valid";
        }
        if (m.contains("PKIX path") || m.contains("unable to find valid certification path")
                || m.contains("CertPathValidatorException")) {
            return "the client's certificate is not issued by a CA in the server's trust store";
        }
        // An alert from the client: "Received fatal alert: unknown_ca", or, when it comes before
        // the JDK expects one, "Unexpected plaintext alert received: Level: fatal; Alert: unknown_ca".
        boolean alert = m.contains("alert");
        if (alert && m.contains("certificate_expired")) {
            return "the client says the server's certificate has expired";
        }
        if (alert && (m.contains("certificate_unknown") || m.contains("unknown_ca") || m.contains("bad_certificate"))) {
            return "the client rejected the server's certificate (self-signed or from a CA it does not trust, or not"
                    + " for the host name it asked for)";
        }
        if (m.contains("Unsupported or unrecognized SSL message")) {
            return "the client did not speak TLS";
        }
        if (m.contains("Remote host terminated the handshake") || m.contains("EOFException")
                || m.contains("Connection reset") || m.contains("Broken pipe") || m.contains("readHandshakeRecord")) {
            return "the client closed the connection during the handshake (often: it does not trust the server's"
                    + " certificate, or it probed the port)";
        }
        return null;
    }

    /**
     * What the files look like now (modification time, size, inode each), to compare with later;
     * taken before a load, so a file changed while it was read is seen as changed again.
     */
    public static List<Object> stamps(List<Path> files) {
        List<Object> s = new ArrayList<>(files.size() * 3);
        for (Path p : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                s.add(a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
                s.add(a.size());
                s.add(a.fileKey()); // a file replaced by rename (or a symlink swapped, as Kubernetes does) has a new inode
            } catch (IOException e) {
                s.add("missing: " + e.getClass().getSimpleName());
                s.add(-1L);
                s.add(null);
            }
        }
        return s;
    }

    // ---- reloading ---------------------------------------------------------------------------

    /** One generation of loaded material, with the stamps its files had before they were read. */
    private record Material(long generation, TlsMaterial.Key key, TlsMaterial.Trust trust, List<Object> stamps) {
    }

    /** The current material and the check for changed files. */
    static final class Reloader {
        private final TlsMaterial.Source keySource;
        private final TlsMaterial.Source trustSource;
        private final List<Path> files;
        private final long intervalNanos;
        private final AtomicLong nextCheck;
        private final ReentrantLock lock = new ReentrantLock();
        private volatile Material current;
        /** The generation before {@link #current}, for a handshake that chose its alias just before a swap. */
        private volatile Material previous;
        /** Stamps of the files that last failed to load: not tried again until they change. */
        private List<Object> failedStamps;

        Reloader(TlsMaterial.Source keySource, TlsMaterial.Key key, TlsMaterial.Source trustSource, TlsMaterial.Trust trust,
                List<Object> firstStamps, long intervalNanos) {
            this.keySource = keySource;
            this.trustSource = trustSource;
            List<Path> f = new ArrayList<>(keySource.files());
            if (trustSource != null) {
                f.addAll(trustSource.files());
            }
            this.files = List.copyOf(f);
            this.intervalNanos = intervalNanos;
            this.nextCheck = new AtomicLong(System.nanoTime() + Math.max(0, intervalNanos));
            this.current = new Material(0, key, trust, firstStamps);
        }

        Material current() {
            return current;
        }

        Material generation(long g) {
            Material c = current;
            if (c.generation() == g) {
                return c;
            }
            Material p = previous;
            return p != null && p.generation() == g ? p : null;
        }

        private List<Object> stamps() {
            return TlsRuntime.stamps(files);
        }

        void maybeReload() {
            if (intervalNanos < 0) {
                return;
            }
            long now = System.nanoTime();
            long due = nextCheck.get();
            if (now - due < 0 || !nextCheck.compareAndSet(due, now + intervalNanos) || !lock.tryLock()) {
                return;
            }
            try {
                List<Object> stamps = stamps();
                Material c = current;
                if (stamps.equals(c.stamps()) || stamps.equals(failedStamps)) {
                    return;
                }
                TlsMaterial.Key key;
                TlsMaterial.Trust trust;
                try {
                    key = TlsMaterial.loadKey(keySource);
                    trust = trustSource == null ? null : TlsMaterial.loadTrust(trustSource);
                } catch (RuntimeException e) {
                    failedStamps = stamps;
                    LOG.warn("TLS: cannot reload {}: {}; the certificate loaded before stays ({})", files, e.getMessage(),
                            TlsMaterial.describe(c.key().leaf()));
                    return;
                }
                failedStamps = null;
                previous = c;
                current = new Material(c.generation() + 1, key, trust, stamps);
                LOG.info("TLS: reloaded {}: now {}", files, TlsMaterial.describe(key.leaf()));
                warnIfNotValidNow(key.leaf());
            } catch (RuntimeException e) {
                // A stamp or a log line that failed: the handshake must go on with what is loaded.
                LOG.warn("TLS: reload check of {} failed: {}", files, e.toString());
            } finally {
                lock.unlock();
            }
        }
    }

    /** Server-side key manager over the current material; aliases are {@code generation:alias}. */
    static final class SwitchingKeyManager extends X509ExtendedKeyManager {
        private final Reloader reloader;

        SwitchingKeyManager(Reloader reloader) {
            this.reloader = reloader;
        }

        private static String tag(Material m, String alias) {
            return alias == null ? null : m.generation() + ":" + alias;
        }

        private Material of(String alias) {
            int i = alias == null ? -1 : alias.indexOf(':');
            if (i <= 0) {
                return null;
            }
            try {
                return reloader.generation(Long.parseLong(alias, 0, i, 10));
            } catch (NumberFormatException e) {
                return null;
            }
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            Material m = reloader.current();
            return tag(m, m.key().manager().chooseServerAlias(keyType, issuers, socket));
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            Material m = reloader.current();
            return tag(m, m.key().manager().chooseEngineServerAlias(keyType, issuers, engine));
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            Material m = reloader.current();
            String[] a = m.key().manager().getServerAliases(keyType, issuers);
            if (a == null) {
                return null;
            }
            String[] out = new String[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = tag(m, a[i]);
            }
            return out;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            Material m = of(alias);
            return m == null ? null : m.key().manager().getCertificateChain(alias.substring(alias.indexOf(':') + 1));
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            Material m = of(alias);
            return m == null ? null : m.key().manager().getPrivateKey(alias.substring(alias.indexOf(':') + 1));
        }

        // A server never authenticates as a client.
        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return null;
        }
    }

    /** Trust manager over the current material's trusted certificates (client authentication). */
    static final class SwitchingTrustManager extends X509ExtendedTrustManager {
        private final Reloader reloader;

        SwitchingTrustManager(Reloader reloader) {
            this.reloader = reloader;
        }

        private X509ExtendedTrustManager tm() {
            return reloader.current().trust().manager();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            tm().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            tm().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            tm().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            tm().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            tm().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            tm().checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return tm().getAcceptedIssuers();
        }
    }
}
