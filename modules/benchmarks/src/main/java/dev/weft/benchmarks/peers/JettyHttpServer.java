package dev.weft.benchmarks.peers;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * Jetty 12 core handlers (no servlets) on a {@link VirtualThreadPool}: every task, blocking
 * handlers included, runs on a virtual thread. {@code PORT [FILES_DIR]}: with a directory, Jetty's
 * own {@link ResourceHandler} (its defaults, directory listings off) serves
 * its files under {@code /files/NAME} for the static-file workloads.
 */
public final class JettyHttpServer {
    private static final HttpField TEXT = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/plain");
    private static final HttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");
    private static final HttpField OCTETS = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/octet-stream");

    public static void main(String[] args) throws Exception {
        int port = Payloads.port(args);
        Server server = new Server(new VirtualThreadPool());
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(port);
        connector.setAcceptQueueSize(4096);
        // The idle-memory run holds 10,000 idle connections for longer than the 30 s default.
        connector.setIdleTimeout(300_000);
        server.addConnector(connector);
        Handler routes = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                String method = request.getMethod();
                if (method.equals("GET") && path.equals("/plaintext")) {
                    send(response, callback, TEXT, ByteBuffer.wrap(Payloads.PLAINTEXT));
                } else if (method.equals("GET") && path.equals("/json")) {
                    send(response, callback, JSON, ByteBuffer.wrap(Payloads.JSON));
                } else if (method.equals("POST") && path.equals("/echo")) {
                    send(response, callback, OCTETS, Content.Source.asByteBuffer(request));
                } else {
                    return false;
                }
                return true;
            }
        };
        if (args.length > 1) {
            ResourceHandler files = new ResourceHandler();
            files.setBaseResourceAsString(args[1]);
            files.setDirAllowed(false);
            server.setHandler(new Handler.Sequence(routes, new ContextHandler(files, "/files")));
        } else {
            server.setHandler(routes);
        }
        server.start();
        Payloads.ready("jetty", connector.getLocalPort());
        server.join();
    }

    private static void send(Response response, Callback callback, HttpField contentType, ByteBuffer body) {
        response.getHeaders().put(contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.remaining());
        response.write(true, body, callback);
    }

    private JettyHttpServer() {}
}
