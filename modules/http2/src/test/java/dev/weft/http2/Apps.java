package dev.weft.http2;

import dev.weft.http.HttpException;
import dev.weft.http.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/** One application for every test: the same routes serve HTTP/1.1 and HTTP/2. */
final class Apps {

    private Apps() {
    }

    static HttpServer.Builder builder(Http2Options options) {
        return HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).accessLog(false)
                .protocol(Http2.protocol(options))
                .get("/hello", (req, res) -> res.send("hello " + req.version()))
                .get("/who/{id}", (req, res) -> res.send(req.routeTemplate() + " " + req.isSecure() + " "
                        + req.tls().map(dev.weft.core.TlsInfo::applicationProtocol).orElse("-")))
                .get("/hello/{name}", (req, res) -> res.send("hello " + req.pathParam("name") + " " + req.queryParam("x")))
                .post("/echo", (req, res) -> {
                    try (InputStream in = req.body(); OutputStream out = res.outputStream()) {
                        in.transferTo(out);
                    }
                })
                .post("/count", (req, res) -> {
                    long n = 0;
                    byte[] buf = new byte[65536];
                    try (InputStream in = req.body()) {
                        for (int r; (r = in.read(buf)) >= 0; ) {
                            n += r;
                        }
                    }
                    res.send(Long.toString(n));
                })
                .get("/bytes/{n}", (req, res) -> {
                    long n = Long.parseLong(req.pathParam("n"));
                    res.contentType("application/octet-stream");
                    byte[] chunk = new byte[65536];
                    for (int i = 0; i < chunk.length; i++) {
                        chunk[i] = (byte) i;
                    }
                    try (OutputStream out = res.outputStream()) {
                        for (long left = n; left > 0; left -= chunk.length) {
                            out.write(chunk, 0, (int) Math.min(left, chunk.length));
                        }
                    }
                })
                .get("/teapot", (req, res) -> {
                    throw new HttpException(418, "short and stout");
                })
                .get("/boom", (req, res) -> {
                    throw new IllegalStateException("handler bug");
                })
                .get("/boom-in-try", (req, res) -> {
                    // As users write handlers: the stream is closed before the failure leaves the try.
                    try (OutputStream out = res.outputStream()) {
                        out.write("partial".getBytes(StandardCharsets.UTF_8));
                        throw new IllegalStateException("failed inside try-with-resources");
                    }
                })
                .get("/boom-late", (req, res) -> {
                    OutputStream out = res.outputStream();
                    out.write("partial".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    throw new IllegalStateException("failed after the head went out");
                });
    }

    static HttpServer start() {
        return builder(Http2Options.defaults()).start();
    }
}
