package dev.weft.http.internal;

import dev.weft.core.SocketInput;
import dev.weft.core.SocketOutput;
import dev.weft.core.Buffers;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The one HTTP/1.1 request-head parser: reads the head byte by byte straight from the
 * connection's buffered input (never past the blank line, so a pipelined request behind it
 * stays in the buffer) and checks every rule of {@link Violation} on the way.
 *
 * <p>Bare LF is rejected (400): RFC 9112 §2.2 lets a recipient accept it, but a server that
 * reads LF as a line end while a proxy in front does not is the classic smuggling split.
 *
 * <p>One instance per connection (it keeps a scratch buffer); not thread-safe.
 */
public final class RequestParser {

    private static final int CR = '\r';
    private static final int LF = '\n';
    private static final int SP = ' ';
    private static final int HT = '\t';
    /** RFC 9112 §2.2 asks to ignore "at least one" empty line before the request line; more is abuse. */
    private static final int MAX_EMPTY_LINES = 8;
    /** Longest chunk-size line with extensions; no sane client comes near it. */
    private static final int MAX_CHUNK_LINE = 4096;
    /**
     * Chunk framing a body may carry beyond what its data pays for (Go's chunkedReader after
     * CVE-2023-39326): without it, 1-byte chunks behind 4 KiB lines cost 4096 wire bytes per
     * byte counted against maxBodyBytes.
     */
    private static final int MAX_CHUNK_EXCESS = 16 << 10;

    /** tchar, RFC 9110 §5.6.2. */
    static final boolean[] TCHAR = new boolean[256];
    /** Bytes allowed in a request target: RFC 3986 unreserved, reserved (minus '#') and '%'. */
    private static final boolean[] TARGET = new boolean[256];
    private static final String[][] KNOWN_BY_LENGTH;
    private static final String[] METHODS = {"GET", "PUT", "POST", "HEAD", "PATCH", "TRACE", "DELETE", "OPTIONS", "CONNECT"};

    static final String H_HOST = "host";
    static final String H_CONTENT_LENGTH = "content-length";
    static final String H_TRANSFER_ENCODING = "transfer-encoding";
    static final String H_CONNECTION = "connection";
    static final String H_EXPECT = "expect";
    static final String H_TE = "te";
    static final String H_TRAILER = "trailer";
    static final String H_KEEP_ALIVE = "keep-alive";
    static final String H_UPGRADE = "upgrade";

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        for (int c = 0; c < 128; c++) {
            boolean alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            TARGET[c] = alnum || "-._~:/?[]@!$&'()*+,;=%".indexOf(c) >= 0;
        }
        String[] known = {"host", "connection", "content-length", "content-type", "transfer-encoding", "accept",
            "accept-encoding", "accept-language", "accept-charset", "user-agent", "expect", "cookie", "authorization",
            "cache-control", "pragma", "upgrade", "referer", "origin", "if-none-match", "if-modified-since", "te",
            "trailer", "keep-alive", "range", "x-forwarded-for", "x-forwarded-proto", "x-request-id", "forwarded",
            "content-encoding", "dnt", "sec-fetch-mode", "sec-fetch-site", "sec-fetch-dest", "upgrade-insecure-requests",
            "priority", "via", "date", "if-match", "if-unmodified-since", "proxy-authorization", "x-real-ip"};
        String[][] byLength = new String[40][];
        for (String k : known) {
            String[] old = byLength[k.length()];
            String[] grown = old == null ? new String[1] : java.util.Arrays.copyOf(old, old.length + 1);
            grown[grown.length - 1] = k;
            byLength[k.length()] = grown;
        }
        KNOWN_BY_LENGTH = byLength;
    }

    private final int maxRequestLine;
    private final int maxHeaderBytes;
    private static final byte[] NONE = new byte[0];

    private final int maxHeaderCount;
    private final long maxBodyBytes;
    private final SocketInput socketIn;
    private final SocketOutput socketOut;
    /**
     * Scratch for one line: taken from the connection's buffer pool when a head starts and given
     * back when the connection goes idle ({@link #release()}), so an idle connection holds none.
     */
    private byte[] buf = NONE;
    private Buffers pool;
    /** Bytes known to sit in {@link #socketIn}'s buffer: reading them cannot block. */
    private int avail;
    /** Framing bytes of the current chunked body not yet paid for by its data; reset per head. */
    private long chunkExcess;
    /** Wire bytes of the last chunk-size line, CRLF included. */
    private int chunkLineBytes;

    /**
     * @param socketIn  the connection's input, or null when parsing from any other stream (tests, benchmarks)
     * @param socketOut the connection's output: flushed before a read would block, so a response
     *                  held back for pipelining never waits on the client
     */
    public RequestParser(int maxRequestLine, int maxHeaderBytes, int maxHeaderCount, long maxBodyBytes,
                         SocketInput socketIn, SocketOutput socketOut) {
        this.maxRequestLine = maxRequestLine;
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxHeaderCount = maxHeaderCount;
        this.maxBodyBytes = maxBodyBytes;
        this.socketIn = socketIn;
        this.socketOut = socketOut;
    }

    /** A parser for any stream, with the default limits: for tests and benchmarks. */
    public static RequestParser forStream() {
        return new RequestParser(8192, 16384, 100, 16L << 20, null, null);
    }

    private int read(InputStream in) throws IOException {
        if (avail > 0) {
            avail--;
            return in.read();
        }
        if (socketIn == null) {
            return in.read();
        }
        if (socketIn.buffered() == 0 && socketOut != null && socketOut.buffered() > 0) {
            socketOut.flush();
        }
        int b = in.read();
        avail = socketIn.buffered();
        return b;
    }

    private static BadMessageException bad(Violation v) {
        return new BadMessageException(v);
    }

    private static EOFException truncated(String where) {
        return new EOFException("connection closed inside the " + where);
    }

    private void ensure(int n) {
        if (n > buf.length) {
            if (buf.length == 0 && pool != null && n <= pool.bufferSize()) {
                buf = pool.acquire();
                return;
            }
            byte[] old = buf;
            buf = java.util.Arrays.copyOf(old, Math.max(Math.max(n, 256), old.length * 2));
            if (pool != null) {
                pool.release(old); // ignored unless it is a pool buffer
            }
        }
    }

    /** Takes line scratch from the connection\'s leased buffers from now on. */
    public void usePool(Buffers pool) {
        this.pool = pool;
    }

    /** Gives the line scratch back: the connection is about to wait idle. */
    public void release() {
        if (pool != null && buf.length > 0) {
            pool.release(buf);
        }
        buf = NONE;
    }

    /**
     * Reads and checks one request head, up to and including its blank line.
     *
     * @return the head, or {@code null} if the stream ended before a request began
     * @throws BadMessageException for a request that breaks a rule, with the {@link Violation}
     * @throws EOFException        if the stream ends inside the head
     */
    public RequestHead readHead(InputStream in) throws IOException {
        parsing = null;
        avail = 0;
        contentLengthCount = 0;
        teCodings = 0;
        teChunkedSeen = false;
        teChunkedTwice = false;
        teUnknown = false;
        teLastChunked = false;
        hostCount = 0;
        expectOther = false;
        targetAuthority = null;
        chunkExcess = 0;
        int b = read(in);
        int empty = 0;
        while (b == CR || b == LF) {
            if (b == LF) {
                throw bad(Violation.BARE_LF);
            }
            b = read(in);
            if (b != LF) {
                throw b < 0 ? truncated("request line") : bad(Violation.BARE_CR);
            }
            if (++empty > MAX_EMPTY_LINES) {
                throw bad(Violation.TOO_MANY_EMPTY_LINES);
            }
            b = read(in);
        }
        if (b < 0) {
            return null;
        }
        RequestHead head = new RequestHead();
        parsing = head;
        int n = readRequestLine(in, b);
        parseRequestLine(head, n);
        readFields(in, head, false);
        finish(head);
        // Only a rejection needs the head afterwards; kept, it would stay reachable from an idle
        // keep-alive connection's parser until the next request (its header strings and arrays).
        parsing = null;
        return head;
    }

    /** The head being read, so a rejection knows the method once the request line got that far. */
    private RequestHead parsing;

    /** True when the head {@link #readHead} last failed on is a HEAD request: its error has no body (RFC 9110 §9.3.2). */
    boolean rejectedHead() {
        return parsing != null && parsing.method == "HEAD";
    }

    private int readRequestLine(InputStream in, int first) throws IOException {
        int b = first;
        int n = 0;
        int spaces = 0;
        byte[] buf = this.buf;
        while (true) {
            if (b == CR) {
                b = read(in);
                if (b == LF) {
                    return n;
                }
                throw b < 0 ? truncated("request line") : bad(Violation.BARE_CR);
            }
            if (b < 0x21 || b >= 0x7F) {
                if (b == SP) {
                    spaces++;
                } else if (b < 0) {
                    throw truncated("request line");
                } else if (b == LF) {
                    throw bad(Violation.BARE_LF);
                } else {
                    // Also catches a TLS ClientHello (0x16) on a plain port at its first byte.
                    throw bad(Violation.CONTROL_CHARACTER);
                }
            }
            if (n == maxRequestLine) {
                throw bad(spaces == 1 ? Violation.URI_TOO_LONG : Violation.REQUEST_LINE_TOO_LONG);
            }
            if (n == buf.length) {
                ensure(n + 1);
                buf = this.buf;
            }
            buf[n++] = (byte) b;
            b = read(in);
        }
    }

    private void parseRequestLine(RequestHead head, int n) throws BadMessageException {
        byte[] buf = this.buf;
        int sp1 = -1;
        int sp2 = -1;
        int spaces = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] == SP) {
                if (spaces == 0) {
                    sp1 = i;
                } else if (spaces == 1) {
                    sp2 = i;
                }
                spaces++;
            }
        }
        if (spaces == 1 && sp1 > 0 && sp1 < n - 1 && buf[sp1 + 1] == '/') {
            throw bad(Violation.HTTP_0_9);
        }
        if (spaces != 2 || sp1 == 0 || sp2 == sp1 + 1 || sp2 == n - 1) {
            throw bad(Violation.REQUEST_LINE_MALFORMED);
        }
        // Version first, so an HTTP/2 preface ("PRI * HTTP/2.0") gets 505 rather than a target complaint.
        int v = sp2 + 1;
        if (n - v != 8 || buf[v] != 'H' || buf[v + 1] != 'T' || buf[v + 2] != 'T' || buf[v + 3] != 'P'
                || buf[v + 4] != '/' || !digit(buf[v + 5]) || buf[v + 6] != '.' || !digit(buf[v + 7])) {
            throw bad(Violation.VERSION_MALFORMED);
        }
        if (buf[v + 5] != '1' || (buf[v + 7] != '1' && buf[v + 7] != '0')) {
            throw bad(Violation.VERSION_UNSUPPORTED);
        }
        head.minorVersion = buf[v + 7] - '0';
        for (int i = 0; i < sp1; i++) {
            if (!TCHAR[buf[i] & 0xFF]) {
                throw bad(Violation.METHOD_INVALID);
            }
        }
        head.method = method(buf, sp1);
        parseTarget(head, sp1 + 1, sp2);
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static String method(byte[] buf, int len) {
        for (String m : METHODS) {
            if (m.length() == len && startsWith(buf, len, m)) {
                return m;
            }
        }
        return new String(buf, 0, len, StandardCharsets.ISO_8859_1);
    }

    /** True when the first {@code len} bytes of {@code buf} are the first {@code len} chars of {@code s}: interning without a String. */
    private static boolean startsWith(byte[] buf, int len, String s) {
        for (int i = 0; i < len; i++) {
            if (buf[i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void parseTarget(RequestHead head, int from, int to) throws BadMessageException {
        byte[] buf = this.buf;
        int query = -1;
        for (int i = from; i < to; i++) {
            int c = buf[i];
            if (!TARGET[c & 0xFF]) {
                throw bad(Violation.TARGET_INVALID);
            }
            if (c == '%') {
                if (i + 2 >= to || hex(buf[i + 1]) < 0 || hex(buf[i + 2]) < 0) {
                    throw bad(Violation.TARGET_INVALID);
                }
                i += 2;
            } else if (c == '?' && query < 0) {
                query = i;
            }
        }
        String target = new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
        head.target = target;
        int pathStart;
        if (buf[from] == '/') {
            pathStart = 0;
        } else if (to - from == 1 && buf[from] == '*') {
            if (!"OPTIONS".equals(head.method)) {
                throw bad(Violation.TARGET_FORM);
            }
            head.rawPath = "*";
            return;
        } else if (head.method.equals("CONNECT")) {
            throw connect(target);
        } else {
            // absolute-form (RFC 9112 §3.2.2): scheme "://" authority [path]; authority-form is CONNECT's only.
            int schemeEnd = target.indexOf("://");
            String scheme = schemeEnd < 0 ? "" : target.substring(0, schemeEnd);
            if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
                throw bad(Violation.TARGET_FORM);
            }
            int authorityStart = schemeEnd + 3;
            int slash = target.indexOf('/', authorityStart);
            int q = query < 0 ? -1 : query - from;
            boolean noPath = slash < 0 || (q >= 0 && q < slash);
            targetAuthority = authority(target, authorityStart, noPath ? (q >= 0 ? q : target.length()) : slash);
            if (noPath) {
                head.rawPath = "/";
                head.rawQuery = q >= 0 ? target.substring(q + 1) : null;
                return;
            }
            pathStart = slash;
        }
        if (query < 0) {
            head.rawPath = pathStart == 0 ? target : target.substring(pathStart);
        } else {
            head.rawPath = target.substring(pathStart, query - from);
            head.rawQuery = target.substring(query - from + 1);
        }
        Violation v = pathViolation(head.rawPath);
        if (v != null) {
            throw bad(v);
        }
    }

    /**
     * The authority of an absolute-form target: it, not Host, names the host (RFC 9112 §3.2.2).
     * Parsed by the same {@link Authority} rules as Host, after refusing userinfo.
     */
    private static String authority(String target, int start, int end) throws BadMessageException {
        int at = target.indexOf('@', start);
        if (at >= 0 && at < end) {
            // RFC 9110 §4.2.4: userinfo in an http(s) target is an error; "http://trusted@evil/" misleads.
            throw bad(Violation.TARGET_USERINFO);
        }
        if (Authority.parse(target, start, end).host().isEmpty()) {
            throw bad(Violation.TARGET_HOST_EMPTY);
        }
        return target.substring(start, end);
    }

    /**
     * CONNECT asks for a tunnel (RFC 9110 §9.3.6), which an origin server does not open: a
     * well-formed authority-form target ({@code uri-host ":" port}, RFC 9112 §3.2.3; the port is
     * required) is answered 501, as a method this server does not implement, and the connection
     * closed before the client starts tunnelling. A malformed one is a 400 like any bad target.
     * A CONNECT in origin-form ({@code CONNECT /x}) is not authority-form and goes to routing.
     */
    private static BadMessageException connect(String target) throws BadMessageException {
        if (target.indexOf('/') >= 0 || target.indexOf('?') >= 0) {
            throw bad(Violation.TARGET_FORM);
        }
        if (target.indexOf('@') >= 0) {
            throw bad(Violation.TARGET_USERINFO);
        }
        Authority a = Authority.parse(target, 0, target.length());
        if (a.host().isEmpty()) {
            throw bad(Violation.TARGET_HOST_EMPTY);
        }
        if (a.port() < 0) {
            throw bad(Violation.TARGET_FORM);
        }
        return bad(Violation.CONNECT_NOT_IMPLEMENTED);
    }

    /**
     * Why a path (escapes already validated) cannot be decoded safely, or null. Each case makes
     * the path name one resource to the client and another to a handler that decodes it:
     * "." and ".." segments, also percent-encoded (RFC 3986 §5.2.4, §2.3: "%2e" is ".");
     * "%2F", which decodes to a separator that is not one (§2.2); "%5C", a separator to some
     * file systems (§7.3); any "%25", since a second decode turns "%252F" and "%25%32%46" alike
     * into "%2F" after this check (§2.4: never decode twice, but a handler may); "%00"-"%1F"
     * and "%7F", which end or split names and log lines in back ends (§7.3); escapes that do not
     * decode to well-formed UTF-8 (overlong forms, surrogates, stray or missing continuation
     * bytes), which a lenient decoder turns into U+FFFD, so that different raw paths would decode
     * to one string, and which {@link Uri#decode} would refuse later anyway.
     */
    static Violation pathViolation(String path) {
        int n = path.length();
        if (path.indexOf('.') < 0 && path.indexOf('%') < 0) {
            return null;
        }
        int i = 0;
        int utf8 = 0;
        while (i < n) {
            // path[i] == '/'
            if (utf8 != 0) {
                return Violation.PATH_NOT_UTF8;
            }
            int j = i + 1;
            int dots = 0;
            boolean other = false;
            while (j < n && path.charAt(j) != '/') {
                char c = path.charAt(j);
                if (c != '%' && utf8 != 0) {
                    return Violation.PATH_NOT_UTF8; // a sequence cut short by a plain character
                }
                if (c == '.') {
                    dots++;
                    j++;
                } else if (c == '%' && j + 2 < n) {
                    int b = hex(path.charAt(j + 1)) << 4 | hex(path.charAt(j + 2));
                    utf8 = Uri.utf8Step(utf8, b);
                    if (utf8 < 0) {
                        return Violation.PATH_NOT_UTF8;
                    }
                    if (b == '.') {
                        dots++;
                    } else if (b == '/') {
                        return Violation.ENCODED_SLASH;
                    } else if (b == '\\') {
                        return Violation.ENCODED_BACKSLASH;
                    } else if (b == '%') {
                        return Violation.ENCODED_PERCENT;
                    } else if (b < 0x20 || b == 0x7F) {
                        return Violation.ENCODED_CONTROL;
                    } else {
                        other = true;
                    }
                    j += 3;
                } else {
                    other = true;
                    j++;
                }
            }
            if (!other && (dots == 1 || dots == 2)) {
                return Violation.DOT_SEGMENT;
            }
            i = j;
        }
        return utf8 == 0 ? null : Violation.PATH_NOT_UTF8;
    }

    static int hex(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        c |= 0x20;
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }

    /**
     * Reads field lines up to the blank line into {@code head.headers} (or, for trailers, into
     * {@code into}), sharing one byte and line budget between head and trailers.
     */
    private void readFields(InputStream in, RequestHead head, boolean trailers) throws IOException {
        HeaderList list = trailers ? new HeaderList(4) : new HeaderList(12);
        int bytes = head.headerBytes;
        int count = head.headerCount;
        String where = trailers ? "trailers" : "request head";
        while (true) {
            int b = read(in);
            bytes++;
            if (b == CR) {
                b = read(in);
                if (b == LF) {
                    break;
                }
                throw b < 0 ? truncated(where) : bad(Violation.BARE_CR);
            }
            if (b == LF) {
                throw bad(Violation.BARE_LF);
            }
            if (b == SP || b == HT) {
                throw bad(count == 0 && !trailers ? Violation.LEADING_WHITESPACE : Violation.OBS_FOLD);
            }
            if (b < 0) {
                throw truncated(where);
            }
            if (++count > maxHeaderCount) {
                throw bad(Violation.TOO_MANY_HEADERS);
            }
            // name
            int n = 0;
            byte[] buf = this.buf;
            while (TCHAR[b & 0xFF] && b >= 0) {
                if (n == buf.length) {
                    ensure(n + 1);
                    buf = this.buf;
                }
                buf[n++] = (byte) (b >= 'A' && b <= 'Z' ? b | 0x20 : b);
                if (bytes++ > maxHeaderBytes) {
                    throw bad(Violation.HEADERS_TOO_LARGE);
                }
                b = read(in);
            }
            if (b != ':' || n == 0) {
                if (b < 0) {
                    throw truncated(where);
                }
                throw bad(n == 0 ? Violation.HEADER_NAME_INVALID
                        : b == SP || b == HT ? Violation.WHITESPACE_BEFORE_COLON
                        : b == CR || b == LF ? Violation.HEADER_NO_COLON
                        : Violation.HEADER_NAME_INVALID);
            }
            int nameLen = n;
            // value: OWS, then field-content, then OWS (trimmed)
            b = read(in);
            bytes++;
            while (b == SP || b == HT) {
                b = read(in);
                if (bytes++ > maxHeaderBytes) {
                    throw bad(Violation.HEADERS_TOO_LARGE);
                }
            }
            int vStart = n;
            int vEnd = n;
            while (b != CR) {
                if (b < 0x20 || b == 0x7F) {
                    if (b < 0) {
                        throw truncated(where);
                    }
                    if (b == LF) {
                        throw bad(Violation.BARE_LF);
                    }
                    if (b != HT) {
                        throw bad(Violation.HEADER_VALUE_INVALID);
                    }
                }
                if (n == buf.length) {
                    ensure(n + 1);
                    buf = this.buf;
                }
                buf[n++] = (byte) b;
                if (b != SP && b != HT) {
                    vEnd = n;
                }
                if (bytes++ > maxHeaderBytes) {
                    throw bad(Violation.HEADERS_TOO_LARGE);
                }
                b = read(in);
            }
            b = read(in);
            bytes++;
            if (b != LF) {
                throw b < 0 ? truncated(where) : bad(Violation.BARE_CR);
            }
            if (bytes > maxHeaderBytes) {
                throw bad(Violation.HEADERS_TOO_LARGE);
            }
            String name = name(buf, nameLen);
            String value = new String(buf, vStart, vEnd - vStart, StandardCharsets.ISO_8859_1);
            list.add(name, value);
            if (!trailers) {
                special(head, name, value);
            } else if (headerOnly(name)) {
                throw bad(Violation.TRAILER_FIELD_FORBIDDEN);
            }
        }
        if (bytes > maxHeaderBytes) {
            throw bad(Violation.HEADERS_TOO_LARGE);
        }
        head.headerBytes = bytes;
        head.headerCount = count;
        if (trailers) {
            trailerList = list;
        } else {
            head.headers = list;
        }
    }

    private HeaderList trailerList;

    /**
     * Fields that only mean something in the header section (RFC 9110 §6.5.1), refused in
     * trailers so that no recipient merging trailers into the headers can reframe, reroute or
     * re-control the message after the fact: framing (Content-Length, Transfer-Encoding,
     * Trailer), routing (Host), connection control (Connection, Keep-Alive, Proxy-Connection,
     * TE, Upgrade: RFC 9110 §7.6.1) and Expect (answered before the body, RFC 9110 §10.1.1).
     */
    private static boolean headerOnly(String name) {
        // Interned names: identity comparison is enough, except for the one not in KNOWN.
        return name == H_CONTENT_LENGTH || name == H_TRANSFER_ENCODING || name == H_TRAILER || name == H_HOST
                || name == H_CONNECTION || name == H_KEEP_ALIVE || name == H_TE || name == H_UPGRADE
                || name == H_EXPECT || name.equals("proxy-connection");
    }

    private static String name(byte[] buf, int len) {
        String[] candidates = len < KNOWN_BY_LENGTH.length ? KNOWN_BY_LENGTH[len] : null;
        if (candidates != null) {
            for (String k : candidates) {
                if (startsWith(buf, len, k)) {
                    return k;
                }
            }
        }
        return new String(buf, 0, len, StandardCharsets.ISO_8859_1);
    }

    // Per-head scratch for the framing rules, reset in finish().
    private int contentLengthCount;
    private int teCodings;
    private boolean teChunkedSeen;
    private boolean teChunkedTwice;
    private boolean teUnknown;
    private boolean teLastChunked;
    private int hostCount;
    private boolean expectOther;
    /** Authority of an absolute-form target, or null. */
    private String targetAuthority;

    private void special(RequestHead head, String name, String value) throws BadMessageException {
        // Interned names: identity comparison is enough.
        if (name == H_CONTENT_LENGTH) {
            if (++contentLengthCount > 1) {
                throw bad(Violation.CONTENT_LENGTH_MULTIPLE);
            }
            head.contentLength = parseContentLength(value);
        } else if (name == H_TRANSFER_ENCODING) {
            transferEncoding(value);
        } else if (name == H_HOST) {
            hostCount++;
            head.host = value;
            // Host = uri-host [ ":" port ] (RFC 9112 §3.2), the rules of Authority. An empty value is
            // allowed (§3.2, §3.3: the server's default authority), an empty host with a port is not.
            if (Authority.parse(value, 0, value.length()).host().isEmpty() && !value.isEmpty()) {
                throw bad(Violation.HOST_INVALID);
            }
        } else if (name == H_CONNECTION) {
            forEachToken(value, head, true);
        } else if (name == H_EXPECT) {
            if (value.equalsIgnoreCase("100-continue")) {
                head.expectContinue = true;
            } else {
                expectOther = true;
            }
        }
    }

    static long parseContentLength(String value) throws BadMessageException {
        int len = value.length();
        if (len == 0 || len > 19) {
            throw bad(Violation.CONTENT_LENGTH_INVALID);
        }
        long v = 0;
        for (int i = 0; i < len; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw bad(Violation.CONTENT_LENGTH_INVALID);
            }
            v = v * 10 + (c - '0');
            if (v < 0) {
                throw bad(Violation.CONTENT_LENGTH_INVALID);
            }
        }
        return v;
    }

    private void transferEncoding(String value) {
        forEachToken(value, null, false);
        if (value.isBlank()) {
            teUnknown = true;
            teLastChunked = false;
            teCodings++;
        }
    }

    /** Splits a comma list (RFC 9110 §5.6.1), ignoring empty elements, and applies Connection or Transfer-Encoding rules. */
    private void forEachToken(String value, RequestHead head, boolean connection) {
        int i = 0;
        int len = value.length();
        while (i <= len) {
            int comma = value.indexOf(',', i);
            int end = comma < 0 ? len : comma;
            int s = i;
            int e = end;
            while (s < e && (value.charAt(s) == ' ' || value.charAt(s) == '\t')) {
                s++;
            }
            while (e > s && (value.charAt(e - 1) == ' ' || value.charAt(e - 1) == '\t')) {
                e--;
            }
            if (e > s) {
                if (connection) {
                    if (value.regionMatches(true, s, "close", 0, 5) && e - s == 5) {
                        head.connectionClose = true;
                    } else if (value.regionMatches(true, s, "keep-alive", 0, 10) && e - s == 10) {
                        head.connectionKeepAlive = true;
                    }
                } else {
                    teCodings++;
                    boolean chunked = e - s == 7 && value.regionMatches(true, s, "chunked", 0, 7);
                    if (chunked) {
                        if (teChunkedSeen) {
                            teChunkedTwice = true;
                        }
                        teChunkedSeen = true;
                    } else {
                        teUnknown = true;
                    }
                    teLastChunked = chunked;
                }
            }
            if (comma < 0) {
                break;
            }
            i = comma + 1;
        }
    }

    private void finish(RequestHead head) throws BadMessageException {
        int te = teCodings;
        boolean chunkedTwice = teChunkedTwice;
        boolean unknown = teUnknown;
        boolean lastChunked = teLastChunked;
        int hosts = hostCount;
        boolean expectOther = this.expectOther;
        if (te > 0) {
            if (head.minorVersion == 0) {
                throw bad(Violation.TRANSFER_ENCODING_HTTP_1_0);
            }
            if (head.contentLength >= 0) {
                throw bad(Violation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING);
            }
            if (chunkedTwice) {
                throw bad(Violation.TRANSFER_ENCODING_CHUNKED_TWICE);
            }
            if (!lastChunked) {
                throw bad(Violation.TRANSFER_ENCODING_NOT_CHUNKED_LAST);
            }
            if (unknown) {
                throw bad(Violation.TRANSFER_ENCODING_UNKNOWN);
            }
            head.chunked = true;
        }
        if (head.minorVersion == 1) {
            if (hosts == 0) {
                throw bad(Violation.HOST_MISSING);
            }
            if (hosts > 1) {
                throw bad(Violation.HOST_MULTIPLE);
            }
            if (expectOther) {
                throw bad(Violation.EXPECTATION_UNSUPPORTED);
            }
        } else {
            if (hosts > 1) {
                throw bad(Violation.HOST_MULTIPLE);
            }
            // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request MUST be ignored.
            head.expectContinue = false;
        }
        if (targetAuthority != null) {
            // RFC 9112 §3.2.2: Host is still required and checked above, but MUST be ignored.
            head.host = targetAuthority;
        }
        if (head.contentLength > maxBodyBytes) {
            throw bad(Violation.BODY_TOO_LARGE);
        }
    }

    /**
     * Reads a chunk-size line (RFC 9112 §7.1): {@code 1*HEXDIG *chunk-ext CRLF}, extensions
     * checked and ignored.
     *
     * @return the chunk size
     */
    public long readChunkSize(InputStream in) throws IOException {
        avail = 0;
        int b = read(in);
        long size = 0;
        int digits = 0;
        int lineBytes = 1;
        while (true) {
            int h = hex(b);
            if (h < 0 || b < 0) {
                break;
            }
            // 15 hex digits bound the size well below overflow (and far above any body limit).
            if (++digits > 15) {
                throw bad(Violation.CHUNK_SIZE_INVALID);
            }
            size = (size << 4) | h;
            b = read(in);
            if (++lineBytes > MAX_CHUNK_LINE) {
                throw bad(Violation.CHUNK_LINE_TOO_LONG);
            }
        }
        if (b < 0) {
            throw truncated("chunk size line");
        }
        if (digits == 0) {
            throw bad(Violation.CHUNK_SIZE_INVALID);
        }
        // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): whitespace only before a ';'
        boolean inExtensions = false;
        while (true) {
            boolean ws = false;
            while (b == SP || b == HT) {
                b = read(in);
                ws = true;
                if (++lineBytes > MAX_CHUNK_LINE) {
                    throw bad(Violation.CHUNK_LINE_TOO_LONG);
                }
            }
            if (b == CR && !ws) {
                break;
            }
            if (b != ';') {
                if (b < 0) {
                    throw truncated("chunk size line");
                }
                throw bad(b == LF ? Violation.BARE_LF
                        : ws || inExtensions ? Violation.CHUNK_EXTENSION_INVALID : Violation.CHUNK_SIZE_INVALID);
            }
            inExtensions = true;
            b = read(in);
            if (++lineBytes > MAX_CHUNK_LINE) {
                throw bad(Violation.CHUNK_LINE_TOO_LONG);
            }
            while (b == SP || b == HT) {
                b = read(in);
                if (++lineBytes > MAX_CHUNK_LINE) {
                    throw bad(Violation.CHUNK_LINE_TOO_LONG);
                }
            }
            int nameLen = 0;
            while (b >= 0 && TCHAR[b & 0xFF]) {
                nameLen++;
                b = read(in);
                if (++lineBytes > MAX_CHUNK_LINE) {
                    throw bad(Violation.CHUNK_LINE_TOO_LONG);
                }
            }
            if (nameLen == 0) {
                throw bad(Violation.CHUNK_EXTENSION_INVALID);
            }
            while (b == SP || b == HT) {
                b = read(in);
                if (++lineBytes > MAX_CHUNK_LINE) {
                    throw bad(Violation.CHUNK_LINE_TOO_LONG);
                }
            }
            if (b == '=') {
                b = read(in);
                if (++lineBytes > MAX_CHUNK_LINE) {
                    throw bad(Violation.CHUNK_LINE_TOO_LONG);
                }
                while (b == SP || b == HT) {
                    b = read(in);
                    if (++lineBytes > MAX_CHUNK_LINE) {
                        throw bad(Violation.CHUNK_LINE_TOO_LONG);
                    }
                }
                if (b == '"') {
                    // quoted-string: qdtext / quoted-pair, no CR/LF/CTL inside (RFC 9110 §5.6.4)
                    while (true) {
                        b = read(in);
                        if (++lineBytes > MAX_CHUNK_LINE) {
                            throw bad(Violation.CHUNK_LINE_TOO_LONG);
                        }
                        if (b == '"') {
                            b = read(in);
                            if (++lineBytes > MAX_CHUNK_LINE) {
                                throw bad(Violation.CHUNK_LINE_TOO_LONG);
                            }
                            break;
                        }
                        if (b == '\\') {
                            b = read(in);
                            if (++lineBytes > MAX_CHUNK_LINE) {
                                throw bad(Violation.CHUNK_LINE_TOO_LONG);
                            }
                            if (b < 0 || (b < 0x20 && b != HT) || b == 0x7F) {
                                throw bad(Violation.CHUNK_EXTENSION_INVALID);
                            }
                        } else if (b < 0 || (b < 0x20 && b != HT) || b == 0x7F) {
                            throw bad(Violation.CHUNK_EXTENSION_INVALID);
                        }
                    }
                } else {
                    int valueLen = 0;
                    while (b >= 0 && TCHAR[b & 0xFF]) {
                        valueLen++;
                        b = read(in);
                        if (++lineBytes > MAX_CHUNK_LINE) {
                            throw bad(Violation.CHUNK_LINE_TOO_LONG);
                        }
                    }
                    if (valueLen == 0) {
                        throw bad(Violation.CHUNK_EXTENSION_INVALID);
                    }
                }
            }
            if (lineBytes > MAX_CHUNK_LINE) {
                throw bad(Violation.CHUNK_LINE_TOO_LONG);
            }
        }
        b = read(in);
        if (b != LF) {
            throw b < 0 ? truncated("chunk size line") : bad(Violation.BARE_CR);
        }
        chunkLineBytes = lineBytes + 1;
        // RFC 9112 §7.1.1 asks for a limit on extensions. As Go: the size line costs its length
        // with its CRLF (lineBytes counts the CR, + 1 the LF), each chunk is allowed 16 + 2 per
        // data byte, and credit never accumulates, so small chunks with plain lines stay at zero.
        long excess = chunkExcess + lineBytes + 1 - 16 - 2 * size;
        chunkExcess = Math.max(excess, 0);
        if (excess > MAX_CHUNK_EXCESS) {
            throw bad(Violation.CHUNK_OVERHEAD_TOO_LARGE);
        }
        return size;
    }

    /** Wire bytes of the chunk-size line {@link #readChunkSize} read last, CRLF included. */
    public int lastChunkLineBytes() {
        return chunkLineBytes;
    }

    /** Reads the CRLF after chunk data. */
    public void readChunkEnd(InputStream in) throws IOException {
        avail = 0;
        int b = read(in);
        if (b == CR) {
            b = read(in);
            if (b == LF) {
                return;
            }
        }
        if (b < 0) {
            throw truncated("chunked body");
        }
        throw bad(Violation.CHUNK_DATA_UNTERMINATED);
    }

    /**
     * Reads the trailer section after the last chunk, with the header rules, counted in the
     * head's limits.
     */
    public HeaderList readTrailers(InputStream in, RequestHead head) throws IOException {
        avail = 0;
        readFields(in, head, true);
        HeaderList t = trailerList;
        trailerList = null;
        return t;
    }
}
