package dev.weft.benchmarks.peers;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
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
 *
 * <p>The connector speaks HTTP/1.1 and, beside it, h2c: with {@link HttpConnectionFactory} as the
 * default protocol, {@link HTTP2CServerConnectionFactory} takes over a connection that opens with
 * the HTTP/2 preface ({@code PRI * HTTP/2.0}, prior knowledge) or asks for {@code Upgrade: h2c},
 * so one port serves both, as Weft's does. The same handlers answer on either protocol; HTTP/2
 * settings are Jetty's defaults.
 */
public final class JettyHttpServer {
    private static final HttpField TEXT = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/plain");
    private static final HttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");
    private static final HttpField OCTETS = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/octet-stream");

    public static void main(String[] args) throws Exception {
        int port = Payloads.port(args);
        Server server = new Server(new VirtualThreadPool());
        HttpConfiguration config = new HttpConfiguration();
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config),
                new HTTP2CServerConnectionFactory(config));
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
