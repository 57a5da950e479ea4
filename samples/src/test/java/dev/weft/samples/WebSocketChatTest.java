package dev.weft.samples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WebSocket chat sample with JDK clients and a real browser; HttpDemo's /ws/echo. */
class WebSocketChatTest {

    /** The browser: Debian's chromium package; another path with -Dweft.chromium=... */
    static final String CHROMIUM = System.getProperty("weft.chromium", "/usr/bin/chromium");

    @TempDir
    Path dir;

    /**
     * Clients a and b in the chat. A session joins once its endpoint (or listener) runs, just
     * after the 101: each client's first message coming back to itself says it is in.
     */
    private static WsClient[] twoInTheChat(HttpServer server) throws Exception {
        WsClient a = WsClient.connect(server.port(), "/chat");
        a.ws.sendText("a joined", true).get(5, TimeUnit.SECONDS);
        assertEquals("a joined", a.next());
        WsClient b = WsClient.connect(server.port(), "/chat");
        b.ws.sendText("b joined", true).get(5, TimeUnit.SECONDS);
        assertEquals("b joined", b.next());
        assertEquals("b joined", a.next());
        return new WsClient[] {a, b};
    }

    @Test
    void everyMessageReachesEverySession() throws Exception {
        try (HttpServer server = WebSocketChat.start(0)) {
            WsClient[] ab = twoInTheChat(server);
            WsClient a = ab[0];
            WsClient b = ab[1];
            a.ws.sendText("hi from a", true).get(5, TimeUnit.SECONDS);
            assertEquals("hi from a", a.next(), "the sender gets it too");
            assertEquals("hi from a", b.next());
            b.ws.sendText("hi from b", true).get(5, TimeUnit.SECONDS);
            assertEquals("hi from b", a.next());
            assertEquals("hi from b", b.next());
            HttpResponse<String> page = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("new WebSocket("), "the page connects back");
        }
    }

    @Test
    void withHibernationABroadcastWakesEveryHibernatedSession() throws Exception {
        try (HttpServer server = WebSocketChat.startHibernating(0, Duration.ofMillis(50))) {
            WsClient[] ab = twoInTheChat(server);
            WsClient a = ab[0];
            WsClient b = ab[1];
            for (String line : new String[] {"hi from a", "and again"}) {
                await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().hibernated() == 2);
                a.ws.sendText(line, true).get(5, TimeUnit.SECONDS);
                assertEquals(line, a.next(), "the sender's session, woken by its message");
                assertEquals(line, b.next(), "the other, woken by the broadcast");
            }
        }
    }

    @Test
    void httpDemoEchoesTextAndBinaryOnWsEcho() throws Exception {
        try (HttpServer server = HttpDemo.start(0)) {
            WsClient c = WsClient.connect(server.port(), "/ws/echo");
            c.ws.sendText("ünïcödé", true).get(5, TimeUnit.SECONDS);
            assertEquals("ünïcödé", c.next());
            c.ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(5, TimeUnit.SECONDS);
            assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) c.next());
            c.ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
            assertEquals(1000, c.closed.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void httpDemoEchoesOnWsListenerEchoAcrossAHibernation() throws Exception {
        try (HttpServer server = HttpDemo.startHibernating(0, Duration.ofMillis(50))) {
            WsClient c = WsClient.connect(server.port(), "/ws/listener-echo");
            c.ws.sendText("before", true).get(5, TimeUnit.SECONDS);
            assertEquals("before", c.next());
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().hibernated() == 1);
            c.ws.sendBinary(ByteBuffer.wrap(new byte[] {4, 5}), true).get(5, TimeUnit.SECONDS);
            assertArrayEquals(new byte[] {4, 5}, (byte[]) c.next());
            c.ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
            assertEquals(1000, c.closed.get(5, TimeUnit.SECONDS));
        }
    }

    /**
     * Headless Chromium opens the chat page: its WebSocket sends the page's hash on open (which a
     * JDK client in the same chat receives), and a JDK client's message shows up in the page's
     * DOM, read through the DevTools protocol. Without Chromium: skipped, or failed under CI=1.
     */
    @Test
    void aBrowserChatsWithAJdkClient() throws Exception {
        if (!new File(CHROMIUM).canExecute()) {
            String why = CHROMIUM + " not found: install it with `apt-get install -y chromium` to run the browser test";
            if ("1".equals(System.getenv("CI"))) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
        try (HttpServer server = WebSocketChat.start(0)) {
            WsClient jdk = WsClient.connect(server.port(), "/chat");
            jdk.ws.sendText("jdk joined", true).get(5, TimeUnit.SECONDS);
            assertEquals("jdk joined", jdk.next(), "in the chat before the browser comes");
            Path log = dir.resolve("chromium.log");
            Process chromium = new ProcessBuilder(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--user-data-dir=" + dir.resolve("profile"), "--remote-debugging-port=0",
                    "http://127.0.0.1:" + server.port() + "/#hello-from-chromium"))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                assertEquals("hello-from-chromium", jdk.next(), "the browser connected and sent");
                jdk.ws.sendText("hello-from-jdk", true).get(5, TimeUnit.SECONDS);
                assertEquals("hello-from-jdk", jdk.next());
                String devtools = await().atMost(Duration.ofSeconds(20)).until(() -> devtoolsPort(log), p -> p != null);
                String page = pageDebuggerUrl(devtools);
                String shown = evaluate(page, "new Promise(r => { const t = () => { const li = [...document.querySelectorAll('#log li')]"
                        + ".map(e => e.textContent); if (li.includes('hello-from-jdk')) r(li.join('|')); else setTimeout(t, 50); }; t(); })");
                assertEquals("hello-from-chromium|hello-from-jdk", shown, "both messages in the page, in order");
            } finally {
                // Its helper processes too, and each waited for: one still writing the profile
                // when the test ends makes the temporary directory fail to delete (seen in CI).
                List<ProcessHandle> all = new java.util.ArrayList<>(chromium.descendants().toList());
                all.add(chromium.toHandle());
                all.forEach(ProcessHandle::destroy);
                for (ProcessHandle h : all) {
                    try {
                        h.onExit().get(10, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        h.destroyForcibly();
                        h.onExit().get(10, TimeUnit.SECONDS);
                    }
                }
            }
        }
    }

    private static String devtoolsPort(Path log) throws IOException {
        Matcher m = Pattern.compile("DevTools listening on ws://127\\.0\\.0\\.1:(\\d+)/").matcher(Files.readString(log));
        return m.find() ? m.group(1) : null;
    }

    private static String pageDebuggerUrl(String port) throws Exception {
        String json = await().atMost(Duration.ofSeconds(10)).until(() -> HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body(), b -> b.contains("\"type\": \"page\""));
        Matcher m = Pattern.compile("\"webSocketDebuggerUrl\": \"(ws://[^\"]+/devtools/page/[^\"]+)\"").matcher(json);
        assertTrue(m.find(), json);
        return m.group(1);
    }

    /** Runtime.evaluate over the DevTools protocol (itself a WebSocket), awaiting the promise. */
    private static String evaluate(String pageUrl, String expression) throws Exception {
        WsClient cdp = new WsClient();
        cdp.ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(pageUrl), cdp).get(10, TimeUnit.SECONDS);
        String escaped = expression.replace("\\", "\\\\").replace("\"", "\\\"");
        cdp.ws.sendText("{\"id\":1,\"method\":\"Runtime.evaluate\",\"params\":{\"expression\":\"" + escaped
                + "\",\"awaitPromise\":true,\"returnByValue\":true}}", true).get(5, TimeUnit.SECONDS);
        while (true) {
            String reply = (String) cdp.next();
            if (reply.startsWith("{\"id\":1,")) {
                Matcher m = Pattern.compile("\"value\":\"([^\"]*)\"").matcher(reply);
                assertTrue(m.find(), reply);
                cdp.ws.abort();
                return new String(m.group(1).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            }
        }
    }
}
