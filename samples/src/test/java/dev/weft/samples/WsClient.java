package dev.weft.samples;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A JDK WebSocket client that queues whole messages (text as String, binary as byte[]). */
final class WsClient implements WebSocket.Listener {

    final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private final java.io.ByteArrayOutputStream bin = new java.io.ByteArrayOutputStream();
    WebSocket ws;

    static WsClient connect(int port, String path) throws Exception {
        WsClient c = new WsClient();
        c.ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + path), c).get(5, TimeUnit.SECONDS);
        return c;
    }

    Object next() throws InterruptedException {
        Object m = messages.poll(10, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within 10 s");
        }
        return m;
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            messages.add(text.toString());
            text.setLength(0);
        }
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        bin.writeBytes(b);
        if (last) {
            messages.add(bin.toByteArray());
            bin.reset();
        }
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
        closed.completeExceptionally(error);
    }
}
