package dev.weft.http.internal;

/**
 * Everything the request parser rejects, in one place: each violation has the status it is
 * answered with, the short reason sent as the body, and the RFC section it enforces. After any
 * of them the connection is closed: a stream whose framing is in doubt is never repaired.
 */
public enum Violation {
    // Request line (RFC 9112 §3)
    REQUEST_LINE_MALFORMED(400, "malformed request line", "RFC 9112 §3"),
    HTTP_0_9(400, "HTTP/0.9 is not supported", "RFC 9112 §2.3"),
    TOO_MANY_EMPTY_LINES(400, "too many empty lines before the request line", "RFC 9112 §2.2"),
    METHOD_INVALID(400, "method is not a token", "RFC 9110 §9.1"),
    TARGET_INVALID(400, "invalid character or escape in request target", "RFC 9112 §3.2, RFC 3986 §2"),
    DOT_SEGMENT(400, "dot segment in path", "RFC 3986 §5.2.4"),
    ENCODED_SLASH(400, "encoded slash (%2F) in path", "RFC 3986 §2.2"),
    ENCODED_BACKSLASH(400, "encoded backslash (%5C) in path", "RFC 3986 §7.3"),
    ENCODED_PERCENT(400, "encoded percent (%25) in path", "RFC 3986 §2.4"),
    ENCODED_CONTROL(400, "encoded control byte (%00-%1F, %7F) in path", "RFC 3986 §7.3"),
    PATH_NOT_UTF8(400, "percent-encoded path is not valid UTF-8", "RFC 3629 §3, RFC 3986 §2.5"),
    TARGET_FORM(400, "request target form not allowed for this method", "RFC 9112 §3.2"),
    TARGET_USERINFO(400, "userinfo in request target", "RFC 9110 §4.2.4"),
    TARGET_HOST_EMPTY(400, "empty host in request target", "RFC 9110 §4.2.1"),
    CONNECT_NOT_IMPLEMENTED(501, "CONNECT is not implemented: this server does not tunnel", "RFC 9110 §9.3.6"),
    VERSION_MALFORMED(400, "malformed HTTP version", "RFC 9112 §2.3"),
    VERSION_UNSUPPORTED(505, "HTTP version not supported, use HTTP/1.1 or HTTP/1.0", "RFC 9110 §15.6.6"),
    CONTROL_CHARACTER(400, "control or non-ASCII byte in request line", "RFC 9112 §3"),
    URI_TOO_LONG(414, "request target too long", "RFC 9110 §15.5.15"),
    REQUEST_LINE_TOO_LONG(400, "request line too long", "RFC 9112 §3"),
    // Line endings (RFC 9112 §2.2)
    BARE_CR(400, "bare CR", "RFC 9112 §2.2"),
    BARE_LF(400, "bare LF: lines must end with CRLF", "RFC 9112 §2.2"),
    // Field lines (RFC 9112 §5, RFC 9110 §5)
    LEADING_WHITESPACE(400, "whitespace before the first header field", "RFC 9112 §2.2"),
    OBS_FOLD(400, "obsolete line folding", "RFC 9112 §5.2"),
    HEADER_NAME_INVALID(400, "header name is not a token", "RFC 9110 §5.1"),
    WHITESPACE_BEFORE_COLON(400, "whitespace between header name and colon", "RFC 9112 §5.1"),
    HEADER_NO_COLON(400, "header line without colon", "RFC 9112 §5"),
    HEADER_VALUE_INVALID(400, "control character in header value", "RFC 9110 §5.5"),
    HEADERS_TOO_LARGE(431, "request header fields too large", "RFC 6585 §5"),
    TOO_MANY_HEADERS(431, "too many request header fields", "RFC 6585 §5"),
    TRAILER_FIELD_FORBIDDEN(400, "framing, routing or connection field in trailers", "RFC 9110 §6.5.1"),
    // Framing (RFC 9112 §6)
    CONTENT_LENGTH_INVALID(400, "Content-Length is not a non-negative decimal number", "RFC 9110 §8.6"),
    CONTENT_LENGTH_MULTIPLE(400, "more than one Content-Length", "RFC 9112 §6.3"),
    CONTENT_LENGTH_WITH_TRANSFER_ENCODING(400, "both Content-Length and Transfer-Encoding", "RFC 9112 §6.1"),
    TRANSFER_ENCODING_HTTP_1_0(400, "Transfer-Encoding in an HTTP/1.0 request", "RFC 9112 §6.1"),
    TRANSFER_ENCODING_NOT_CHUNKED_LAST(400, "chunked is not the final transfer coding", "RFC 9112 §6.3"),
    TRANSFER_ENCODING_CHUNKED_TWICE(400, "chunked applied more than once", "RFC 9112 §7"),
    TRANSFER_ENCODING_UNKNOWN(501, "transfer coding not implemented", "RFC 9112 §6.1"),
    HOST_MISSING(400, "missing Host header", "RFC 9112 §3.2"),
    HOST_MULTIPLE(400, "more than one Host header", "RFC 9112 §3.2"),
    // Host and target authority: one parser, RFC 3986 §3.2.2-3 (see Authority)
    HOST_INVALID(400, "invalid host: not a registered name, IPv4 address or IP literal", "RFC 3986 §3.2.2"),
    HOST_ESCAPE_INVALID(400, "invalid percent-encoding in host: only UTF-8 of non-ASCII characters",
            "RFC 3986 §2.1, §3.2.2"),
    HOST_IP_LITERAL_INVALID(400, "invalid IP literal in host: [IPv6address] or [v<hex>.<text>], no zone id", "RFC 3986 §3.2.2"),
    HOST_NUMERIC_INVALID(400, "host ending in a number is not a dotted-decimal IPv4 address", "RFC 3986 §7.4"),
    PORT_INVALID(400, "port is not a decimal number from 0 to 65535", "RFC 3986 §3.2.3"),
    EXPECTATION_UNSUPPORTED(417, "only Expect: 100-continue is supported", "RFC 9110 §10.1.1"),
    BODY_TOO_LARGE(413, "request body too large", "RFC 9110 §15.5.14"),
    /** With {@code decodeRequestBodies}: the body's Content-Encoding does not decode (a broken gzip stream). */
    BODY_ENCODING_INVALID(400, "request body does not decode as its Content-Encoding says", "RFC 9110 §8.4"),
    /** With {@code decodeRequestBodies}: a Content-Encoding other than gzip or deflate. */
    BODY_ENCODING_UNSUPPORTED(415, "unsupported request Content-Encoding", "RFC 9110 §15.5.16"),
    // Chunked body (RFC 9112 §7.1)
    CHUNK_SIZE_INVALID(400, "invalid chunk size", "RFC 9112 §7.1"),
    CHUNK_EXTENSION_INVALID(400, "invalid chunk extension", "RFC 9112 §7.1.1"),
    CHUNK_LINE_TOO_LONG(400, "chunk size line too long", "RFC 9112 §7.1"),
    CHUNK_OVERHEAD_TOO_LARGE(400, "chunk framing overhead too large", "RFC 9112 §7.1.1"),
    CHUNK_DATA_UNTERMINATED(400, "chunk data not followed by CRLF", "RFC 9112 §7.1"),
    // Bodies the handler asked the framework to parse: forms (the URL Standard's
    // application/x-www-form-urlencoded) and multipart/form-data (RFC 7578 on RFC 2046). Raised by
    // req.form() / req.multipart(); sticky like every body failure (see RequestBody.fail).
    FORM_TOO_LARGE(413, "form body too large", "RFC 9110 §15.5.14"),
    FORM_ENCODING_INVALID(400, "invalid percent-encoding in form body", "URL Standard §5.1, RFC 3986 §2.1"),
    FORM_NOT_UTF8(400, "form body is not valid UTF-8", "URL Standard §5.1, RFC 3629 §3"),
    MULTIPART_BOUNDARY_INVALID(400, "multipart Content-Type without a valid boundary parameter", "RFC 2046 §5.1.1"),
    MULTIPART_MALFORMED(400, "malformed multipart body: no opening delimiter, or a delimiter line not ended by CRLF",
            "RFC 2046 §5.1.1"),
    MULTIPART_UNTERMINATED(400, "multipart body ended before its closing delimiter", "RFC 2046 §5.1.1"),
    MULTIPART_PART_HEADER_INVALID(400, "malformed multipart part header, or no Content-Disposition: form-data with a name",
            "RFC 7578 §4.2"),
    MULTIPART_PART_HEADER_TOO_LARGE(400, "multipart part header too large", "RFC 7578 §4.8"),
    MULTIPART_TOO_MANY_PART_HEADERS(400, "too many multipart part header fields", "RFC 7578 §4.8"),
    MULTIPART_TOO_MANY_PARTS(413, "too many parts in multipart body", "RFC 7578 §4.8"),
    MULTIPART_PART_TOO_LARGE(413, "multipart part too large", "RFC 7578 §4.8"),
    MULTIPART_FIELD_TOO_LARGE(413, "multipart field too large to read as text", "RFC 7578 §4.8"),
    MULTIPART_FIELD_NOT_TEXT(400, "multipart field is not valid text in its charset", "RFC 7578 §4.4"),
    // Time (RFC 9110 §15.5.9)
    HEADER_TIMEOUT(408, "request header not received in time", "RFC 9110 §15.5.9");

    private final int status;
    private final String reason;
    private final String section;

    Violation(int status, String reason, String section) {
        this.status = status;
        this.reason = reason;
        this.section = section;
    }

    /** The status the request is answered with. */
    public int status() {
        return status;
    }

    /** The short reason, sent as the body. */
    public String reason() {
        return reason;
    }

    /** The RFC section enforced. */
    public String section() {
        return section;
    }
}
