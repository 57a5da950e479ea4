package dev.weft.http.internal;

/**
 * A parsed, validated request head. Mutable fields filled by {@link RequestParser}; read-only
 * afterwards.
 */
public final class RequestHead {
    /** Interned for the common methods, so routing compares references first. */
    public String method;
    public String target;
    /** Path part of the target, still percent-encoded ({@code *} for asterisk-form). */
    public String rawPath;
    /** Query part after '?', or null. */
    public String rawQuery;
    /** 1 for HTTP/1.1, 0 for HTTP/1.0. */
    public int minorVersion;
    public HeaderList headers;
    /** -1 when absent. */
    public long contentLength = -1;
    public boolean chunked;
    public boolean connectionClose;
    public boolean connectionKeepAlive;
    public boolean expectContinue;
    /**
     * The authority of an absolute-form target (RFC 9112 §3.2.2: Host is then ignored), else the
     * Host header; null for HTTP/1.0 without either.
     */
    public String host;
    /** Header bytes and lines used, so trailers share the same budget. */
    public int headerBytes;
    public int headerCount;

    /** True when the connection may serve another request after this one, as far as the client is concerned. */
    public boolean clientKeepAlive() {
        return minorVersion == 1 ? !connectionClose : connectionKeepAlive && !connectionClose;
    }

    public boolean hasBody() {
        return chunked || contentLength > 0;
    }
}
