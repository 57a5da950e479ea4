package dev.weft.samples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ShutdownReport;
import dev.weft.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * deploy/k8s.yaml and deploy/Dockerfile agree with each other and with the demo: the numbers
 * docs/deployment.md says must agree, the ports, the probe routes, the non-root user.
 */
class DeploymentManifestTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize().getParent();

    static Map<String, Object> deployment;
    static Map<String, Object> service;
    static Map<String, Object> pod;
    static Map<String, Object> container;
    static List<String> entrypoint;
    static String dockerfile;

    @BeforeAll
    static void read() throws Exception {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        for (Object doc : yaml.loadAll(Files.readString(ROOT.resolve("deploy/k8s.yaml")))) {
            Map<String, Object> m = map(doc);
            switch ((String) m.get("kind")) {
                case "Deployment" -> deployment = m;
                case "Service" -> service = m;
                default -> throw new AssertionError("unexpected kind " + m.get("kind"));
            }
        }
        assertNotNull(deployment, "a Deployment");
        assertNotNull(service, "a Service");
        pod = map(at(deployment, "spec", "template", "spec"));
        List<Object> containers = list(pod.get("containers"));
        assertEquals(1, containers.size());
        container = map(containers.get(0));

        dockerfile = Files.readString(ROOT.resolve("deploy/Dockerfile"));
        Matcher m = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)]$").matcher(dockerfile);
        assertTrue(m.find(), "an exec-form ENTRYPOINT");
        entrypoint = new ArrayList<>();
        Matcher word = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
        while (word.find()) {
            entrypoint.add(word.group(1));
        }
    }

    private String flag(String name) {
        int i = entrypoint.indexOf(name);
        assertTrue(i >= 0 && i + 1 < entrypoint.size(), "ENTRYPOINT has " + name + ": " + entrypoint);
        return entrypoint.get(i + 1);
    }

    @Test
    void theGracePeriodOutlastsTheDrainDelayPlusTheShutdownGrace() {
        long drainDelay = Long.parseLong(flag("--drain-delay"));
        long grace = ((Number) pod.get("terminationGracePeriodSeconds")).longValue();
        long shutdownGrace = HttpDemo.SHUTDOWN_GRACE.toSeconds();
        assertTrue(drainDelay > 0, "a drain delay: without one the listener closes while endpoints still point here");
        assertTrue(grace > drainDelay + shutdownGrace,
                "terminationGracePeriodSeconds " + grace + " > drain delay " + drainDelay + " + shutdown grace " + shutdownGrace
                        + ": else the kubelet's SIGKILL cuts requests still in flight");
        // Whatever routes by the readiness probe must see it fail before the listener closes.
        Map<String, Object> readiness = map(container.get("readinessProbe"));
        long probeSeconds = ((Number) readiness.get("periodSeconds")).longValue()
                * ((Number) readiness.get("failureThreshold")).longValue();
        assertTrue(probeSeconds <= drainDelay, "readiness period x failureThreshold " + probeSeconds + " s <= drain delay " + drainDelay);
        assertEquals(null, container.get("lifecycle"), "no preStop hook: the drain delay does its job (docs/deployment.md)");
    }

    @Test
    void thePortsAgreeFromTheDockerfileToTheService() {
        Map<String, Object> port = map(list(container.get("ports")).get(0));
        int containerPort = ((Number) port.get("containerPort")).intValue();
        assertEquals(Integer.parseInt(flag("--port")), containerPort, "ENTRYPOINT --port");
        // The demo itself takes the ENTRYPOINT's arguments (those after the jar) as meant.
        String[] args = entrypoint.subList(entrypoint.indexOf("-jar") + 2, entrypoint.size()).toArray(new String[0]);
        HttpDemo.Options options = HttpDemo.options(args);
        assertEquals(containerPort, SampleArgs.port(options.rest(), null, HttpDemo.DEFAULT_PORT));
        assertEquals(Duration.ofSeconds(Long.parseLong(flag("--drain-delay"))), options.drainDelay());
        Matcher expose = Pattern.compile("(?m)^EXPOSE (\\d+)$").matcher(dockerfile);
        assertTrue(expose.find());
        assertEquals(Integer.parseInt(expose.group(1)), containerPort, "EXPOSE");
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            assertEquals(containerPort, resolve(at(container, probe, "httpGet", "port"), port), probe + " port");
        }
        Map<String, Object> servicePort = map(list(at(service, "spec", "ports")).get(0));
        assertEquals(containerPort, resolve(servicePort.get("targetPort"), port), "Service targetPort");
        Object labels = at(deployment, "spec", "template", "metadata", "labels");
        assertEquals(labels, at(service, "spec", "selector"), "the Service selects the pods");
        assertEquals(labels, at(deployment, "spec", "selector", "matchLabels"), "the Deployment selects its pods");
    }

    @Test
    void itRunsAsTheImagesNonRootUserWithRequestsAndLimits() {
        assertEquals(Boolean.TRUE, at(pod, "securityContext", "runAsNonRoot"));
        Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(dockerfile);
        assertTrue(user.find(), "the Dockerfile names a numeric non-root USER");
        assertTrue(Integer.parseInt(user.group(1)) > 0);
        assertEquals(Integer.parseInt(user.group(1)), ((Number) at(pod, "securityContext", "runAsUser")).intValue());
        for (String kind : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                assertNotNull(at(container, "resources", kind, resource), "resources." + kind + "." + resource);
            }
        }
        assertEquals(at(container, "resources", "requests", "memory"), at(container, "resources", "limits", "memory"),
                "memory request = limit: the heap is sized from the limit (MaxRAMPercentage)");
    }

    /**
     * The ENTRYPOINT's AOT cache is the one jlink-image.sh writes beside the jar, in the runtime
     * the Dockerfile copies: a path that misses it would not fail, the JVM would silently start
     * without it (the image test runs the cache with -XX:AOTMode=on, where a miss is an error).
     */
    @Test
    void theEntrypointsAotCacheIsTheOneTheImageScriptWritesBesideTheJar() throws Exception {
        String jar = entrypoint.get(entrypoint.indexOf("-jar") + 1);
        String cache = entrypoint.stream().filter(a -> a.startsWith("-XX:AOTCache="))
                .map(a -> a.substring("-XX:AOTCache=".length())).findFirst().orElse(null);
        assertNotNull(cache, "ENTRYPOINT has -XX:AOTCache=: " + entrypoint);
        assertEquals(jar.replaceFirst("\\.jar$", ".aot"), cache, "the cache beside the jar");
        assertTrue(entrypoint.indexOf("-XX:AOTCache=" + cache) < entrypoint.indexOf("-jar"), "a JVM option, before -jar");
        Matcher copy = Pattern.compile("(?m)^COPY --from=build /image (\\S+)$").matcher(dockerfile);
        assertTrue(copy.find(), "the runtime stage copies the jlink image");
        String root = copy.group(1);
        assertEquals(root + "/app/weft-samples.jar", jar, "the jar inside the copied image");
        String script = Files.readString(ROOT.resolve("deploy/jlink-image.sh"));
        assertTrue(script.contains("CACHE=\"$OUT/app/weft-samples.aot\""), "jlink-image.sh writes DIR/app/weft-samples.aot");
        assertTrue(script.contains("cp \"$JAR\" \"$OUT/app/weft-samples.jar\""), "jlink-image.sh puts the jar at DIR/app/weft-samples.jar");
        assertTrue(dockerfile.contains("deploy/jlink-image.sh --no-build --output /image"), "the build stage makes the image at /image");
    }

    /** The probe paths are HttpDemo routes: readiness 200 and then 503 while draining, liveness 200 throughout. */
    @Test
    void theProbePathsAreDemoRoutesAndOnlyReadinessFailsWhileDraining() throws Exception {
        String readiness = (String) at(container, "readinessProbe", "httpGet", "path");
        String liveness = (String) at(container, "livenessProbe", "httpGet", "path");
        HttpServer server = HttpDemo.start(0, Duration.ofSeconds(3));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            assertEquals(200, get(client, server, readiness));
            assertEquals(200, get(client, server, liveness));
            CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(server::shutdown);
            await().atMost(Duration.ofSeconds(2)).until(server::isDraining);
            assertEquals(503, get(client, server, readiness), "readiness fails at once");
            assertEquals(200, get(client, server, liveness), "liveness does not: the kubelet must not restart a draining pod");
            assertTrue(report.get(20, java.util.concurrent.TimeUnit.SECONDS).drainDelay().toSeconds() >= 3);
        } finally {
            server.close();
        }
    }

    private static int get(HttpClient client, HttpServer server, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** A port as k8s gives it: a number, or the name of one of the container's ports. */
    private static int resolve(Object port, Map<String, Object> named) {
        if (port instanceof Number n) {
            return n.intValue();
        }
        assertEquals(named.get("name"), port, "a named port that the container declares");
        return ((Number) named.get("containerPort")).intValue();
    }

    private static Object at(Object root, String... path) {
        Object o = root;
        for (String key : path) {
            assertTrue(o instanceof Map, "a mapping at " + key + " in " + String.join(".", path));
            o = ((Map<?, ?>) o).get(key);
        }
        return o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertTrue(o instanceof Map, "a mapping: " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertTrue(o instanceof List, "a sequence: " + o);
        return (List<Object>) o;
    }
}
