package dev.weft.http.internal;

import dev.weft.http.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** One response on a connection, as {@link Response}. */
final class ResponseImpl implements Response {

    /** Bodies up to this size are copied behind the head, so both go out in one write. */
    private static final int COALESCE = 4096;
    private static final byte[] NO_BODY = new byte[0];

    private final HttpConnection c;
    private final Exchange ex;
    private final boolean headRequest;
    private int status = 200;
    private String contentType;
    private long contentLength = -1;
    private String[] names;
    private String[] values;
    private int count;
    private boolean userClose;
    boolean committed;
    boolean closeAfter;
    /** The body was cut short (Content-Length not reached): the connection must close. */
    boolean incomplete;
    ResponseBody stream;
    long bodyBytes;

    ResponseImpl(HttpConnection c, Exchange ex) {
        this.c = c;
        this.ex = ex;
        this.headRequest = ex.head.method == "HEAD";
    }

    private void checkOpen() {
        if (committed || stream != null) {
            throw new IllegalStateException("response already committed: status and headers were sent");
        }
    }

    @Override
    public Response status(int status) {
        checkOpen();
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status = " + status + ": a final status is 200–599"
                    + (status >= 100 && status < 200 ? " (1xx are interim: the server sends 100 Continue itself)" : ""));
        }
        this.status = status;
        return this;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public Response header(String name, String value) {
        return set(name, value, true);
    }

    @Override
    public Response addHeader(String name, String value) {
        return set(name, value, false);
    }

    private Response set(String name, String value, boolean replace) {
        checkOpen();
        checkName(name);
        checkValue(name, value);
        if (name.equalsIgnoreCase("content-type")) {
            contentType = value;
            return this;
        }
        if (name.equalsIgnoreCase("content-length")) {
            try {
                return contentLength(RequestParser.parseContentLength(value));
            } catch (BadMessageException e) {
                throw new IllegalArgumentException("Content-Length = " + value + ": not a non-negative number", e);
            }
        }
        if (name.equalsIgnoreCase("transfer-encoding") || name.equalsIgnoreCase("date")) {
            throw new IllegalArgumentException(name + " is managed by the server");
        }
        if (name.equalsIgnoreCase("connection")) {
            if (value.toLowerCase(java.util.Locale.ROOT).contains("close")) {
                userClose = true;
            }
            return this;
        }
        if (names == null) {
            names = new String[8];
            values = new String[8];
        }
        if (replace) {
            int w = 0;
            for (int i = 0; i < count; i++) {
                if (!names[i].equalsIgnoreCase(name)) {
                    names[w] = names[i];
                    values[w++] = values[i];
                }
            }
            count = w;
        }
        if (count == names.length) {
            names = java.util.Arrays.copyOf(names, count * 2);
            values = java.util.Arrays.copyOf(values, count * 2);
        }
        names[count] = name;
        values[count++] = value;
        return this;
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("header name is empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch > 0xFF || !RequestParser.TCHAR[ch]) {
                throw new IllegalArgumentException("header name '" + name + "' is not a token (character " + i + ")");
            }
        }
    }

    private static void checkValue(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException("header " + name + ": value is null");
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if ((ch < 0x20 && ch != '\t') || ch == 0x7F || ch > 0xFF) {
                throw new IllegalArgumentException("header " + name + ": control or non-Latin-1 character at " + i
                        + " (CR/LF would split the response)");
            }
        }
    }

    @Override
    public Response contentType(String type) {
        checkOpen();
        checkValue("Content-Type", type);
        contentType = type;
        return this;
    }

    @Override
    public Response contentLength(long length) {
        checkOpen();
        if (length < 0) {
            throw new IllegalArgumentException("contentLength = " + length + ": must not be negative");
        }
        this.contentLength = length;
        return this;
    }

    @Override
    public void send(String body) {
        if (contentType == null) {
            contentType = "text/plain; charset=utf-8";
        }
        send(body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void send(byte[] body) {
        if (contentType == null && body.length > 0) {
            contentType = "application/octet-stream";
        }
        sendBytes(body);
    }

    @Override
    public void send() {
        sendBytes(NO_BODY);
    }

    private void sendBytes(byte[] body) {
        checkOpen();
        boolean withBody = !headRequest && !Status.bodyless(status);
        ResponseWriter w = c.writer;
        head(w, body.length, false);
        committed = true;
        try {
            if (withBody && body.length <= COALESCE) {
                w.raw(body);
                w.writeTo(c.out);
            } else {
                w.writeTo(c.out);
                if (withBody) {
                    c.out.write(body);
                }
            }
        } catch (IOException e) {
            c.ioFailed = true;
            throw new UncheckedIOException(e);
        }
        bodyBytes = withBody ? body.length : 0;
    }

    @Override
    public OutputStream outputStream() {
        if (stream == null) {
            checkOpen();
            stream = new ResponseBody(c, this);
        }
        return stream;
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    boolean headRequest() {
        return headRequest;
    }

    boolean http10() {
        return ex.head.minorVersion == 0;
    }

    long declaredLength() {
        return contentLength;
    }

    /**
     * Assembles the head. {@code length} is the body length, or -1 for a streamed body of
     * unknown length (chunked on HTTP/1.1, close-delimited on HTTP/1.0).
     */
    void head(ResponseWriter w, long length, boolean streamed) {
        boolean http10 = ex.head.minorVersion == 0;
        closeAfter = userClose || c.mustClose(ex) || (length < 0 && http10 && !headRequest);
        w.start(status);
        if (c.serverLine != null) {
            w.raw(c.serverLine);
        }
        if (contentType != null) {
            w.header(ResponseWriter.CONTENT_TYPE, contentType);
        }
        for (int i = 0; i < count; i++) {
            w.header(names[i], values[i]);
        }
        if (!Status.bodyless(status)) {
            if (length >= 0) {
                w.contentLength(length);
            } else if (!http10) {
                w.raw(ResponseWriter.TRANSFER_ENCODING_CHUNKED);
            }
        }
        if (closeAfter) {
            w.raw(ResponseWriter.CONNECTION_CLOSE);
        } else if (http10) {
            w.raw(ResponseWriter.CONNECTION_KEEP_ALIVE);
        }
        w.end();
    }

    /** Turns this into an error answer when nothing was sent yet. */
    void resetForError(int status) {
        this.status = status;
        this.contentType = null;
        this.contentLength = -1;
        this.count = 0;
        this.stream = null;
    }

    void forceClose() {
        userClose = true;
    }
}
