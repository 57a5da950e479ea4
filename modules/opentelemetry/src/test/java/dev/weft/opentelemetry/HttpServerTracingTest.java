package dev.weft.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import dev.weft.http.HttpServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real requests from the JDK's HttpClient; spans read back from the SDK's in-memory exporter. */
class HttpServerTracingTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_ID = "00f067aa0ba902b7";

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private OpenTelemetrySdk otel;
    private HttpServer server;
    private HttpClient client;
    private URI base;
    private final AtomicReference<String> seenByHandler = new AtomicReference<>();

    @BeforeEach
    void start() {
        otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).accessLog(false)
                .filter(new HttpServerTracing(otel))
                .get("/users/{id}", (req, res) -> {
                    seenByHandler.set(Span.current().getSpanContext().getSpanId());
                    res.send("user " + req.pathParam("id"));
                })
                .get("/short", (req, res) -> {
                    res.contentLength(10);
                    OutputStream out = res.outputStream();
                    out.write("12345".getBytes(StandardCharsets.UTF_8));
                    out.flush(); // committed with Content-Length: 10; the handler then returns 5 short
                })
                .route("PURGE", "/cache/{key}", (req, res) -> res.status(204).send())
                .get("/bug", (req, res) -> {
                    throw new IllegalStateException("a bug");
                })
                .get("/cut", (req, res) -> {
                    OutputStream out = res.outputStream();
                    out.write("partial".getBytes(StandardCharsets.UTF_8));
                    out.flush(); // the head is out: the failure can only reset the connection
                    throw new UnsupportedOperationException("failed mid-body");
                })
                .start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        base = URI.create("http://127.0.0.1:" + server.port());
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        otel.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The span ends on the server's thread after the response went out: the client may see it first. */
    private SpanData onlySpan() {
        await().atMost(Duration.ofSeconds(5)).until(() -> exporter.getFinishedSpanItems().size() == 1);
        return exporter.getFinishedSpanItems().get(0);
    }

    @Test
    void theClientsTraceIsContinuedWithTheConventionsAttributes() throws Exception {
        HttpResponse<String> res = get("/users/42?x=1", "traceparent", "00-" + TRACE_ID + "-" + PARENT_ID + "-01",
                "tracestate", "vendor=v1", "User-Agent", "weft-test/1.0");
        assertEquals(200, res.statusCode());
        SpanData span = onlySpan();
        assertEquals(TRACE_ID, span.getTraceId(), "same trace");
        assertEquals(PARENT_ID, span.getParentSpanId(), "the client's span is the parent");
        assertTrue(span.getParentSpanContext().isRemote());
        assertEquals("v1", span.getSpanContext().getTraceState().get("vendor"), "tracestate carried on");
        assertEquals(span.getSpanId(), seenByHandler.get(), "current while the handler ran");
        assertEquals(SpanKind.SERVER, span.getKind());
        assertEquals("GET /users/{id}", span.getName());
        assertEquals("GET", attr(span, "http.request.method"));
        assertEquals("/users/42", attr(span, "url.path"));
        assertEquals("http", attr(span, "url.scheme"));
        assertEquals("/users/{id}", attr(span, "http.route"));
        assertEquals(200L, span.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals("127.0.0.1", attr(span, "server.address"));
        assertEquals((long) server.port(), span.getAttributes().get(AttributeKey.longKey("server.port")));
        assertEquals("127.0.0.1", attr(span, "client.address"));
        assertEquals("1.1", attr(span, "network.protocol.version"));
        assertEquals("weft-test/1.0", attr(span, "user_agent.original"));
        assertNull(attr(span, "error.type"));
        assertEquals(StatusCode.UNSET, span.getStatus().getStatusCode());
    }

    @Test
    void withoutATraceparentARootSpanAndNoRouteMeansTheMethodAlone() throws Exception {
        assertEquals(404, get("/nowhere").statusCode());
        SpanData span = onlySpan();
        assertFalse(span.getParentSpanContext().isValid(), "a new trace");
        assertEquals("GET", span.getName(), "no raw path in the name");
        assertNull(attr(span, "http.route"));
        assertEquals(404L, span.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals(StatusCode.UNSET, span.getStatus().getStatusCode(), "a 4xx is not the server's error");
    }

    @Test
    void aServerErrorIsAnErrorSpanWithTheFailuresType() throws Exception {
        assertEquals(500, get("/bug").statusCode());
        SpanData span = onlySpan();
        assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
        assertEquals(IllegalStateException.class.getName(), attr(span, "error.type"));
        assertEquals(500L, span.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals("exception", span.getEvents().get(0).getName());
    }

    @Test
    void aResetResponseIsAnErrorSpanNotASuccess() throws Exception {
        assertThrows(IOException.class, () -> get("/cut"));
        SpanData span = onlySpan();
        assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
        assertEquals(UnsupportedOperationException.class.getName(), attr(span, "error.type"));
        assertEquals(200L, span.getAttributes().get(AttributeKey.longKey("http.response.status_code")),
                "the status of the head that went out");
        List<String> events = span.getEvents().stream().map(e -> e.getName()).toList();
        assertTrue(events.contains("exception"), events.toString());
    }

    @Test
    void aResetAfterEveryFilterReturnedIsAnErrorSpanToo() throws Exception {
        assertThrows(IOException.class, () -> get("/short"));
        SpanData span = onlySpan();
        assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
        assertEquals(IllegalStateException.class.getName(), attr(span, "error.type"));
    }

    @Test
    void aMethodTheConventionsDoNotKnowIsOther() throws Exception {
        assertEquals(204, client.send(HttpRequest.newBuilder(base.resolve("/cache/k1"))
                .method("PURGE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode());
        SpanData span = onlySpan();
        assertEquals("HTTP /cache/{key}", span.getName());
        assertEquals("_OTHER", attr(span, "http.request.method"));
        assertEquals("PURGE", attr(span, "http.request.method_original"));
    }

    private static String attr(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }
}
