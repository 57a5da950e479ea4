package dev.weft.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerSpecTest {
    private static final ServerSpec.Tools TOOLS =
            new ServerSpec.Tools(Path.of("/w.jar"), Path.of("/b.jar"), Path.of("/go-httpserver"), Path.of("/usr/sbin/nginx"));

    private static ServerSpec spec(String id) {
        return ServerSpec.all(TOOLS).stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void existingIdsKeepTheirMeaningAndEpollIsAdded() {
        assertEquals(List.of("taskset", "-c", "0", "java", "-cp", "/b.jar", "dev.weft.benchmarks.peers.NettyHttpServer", "8080", "--nio"),
                spec("netty").command("0", "java", TOOLS, 8080, null, null));
        assertEquals(List.of("taskset", "-c", "0", "java", "-cp", "/b.jar", "dev.weft.benchmarks.peers.NettyHttpServer", "8080", "--epoll"),
                spec("netty-epoll").command("0", "java", TOOLS, 8080, null, null));
        assertEquals("--nio", spec("netty-echo").args().getLast());
        assertEquals("--epoll", spec("netty-epoll-echo").args().getLast());
        assertEquals(ServerSpec.Kind.TCP, spec("netty-epoll-echo").kind());
    }

    @Test
    void theHibernatingDemoIsTheDemoWithHibernateIdleAfterOneSecond() {
        assertEquals(List.of("taskset", "-c", "0", "java", "-jar", "/w.jar", "--port", "9",
                        "--hibernate-idle-after", "1000", "--max-connections", "1000000"),
                spec("weft-hibernate").command("0", "java", TOOLS, 9, null, null));
        assertEquals(ServerSpec.Kind.HTTP, spec("weft-hibernate").kind());
        assertFalse(spec("weft-hibernate").reference(), "figures are divided by the demo without hibernation");
        assertTrue(spec("weft-hibernate").has(ServerSpec.Feature.JVM_HEAP));
        assertEquals(1, ServerSpec.order().indexOf("weft-hibernate"), "right after the demo in each round");
    }

    @Test
    void filesArgumentsOnlyOnTheStaticLaunch() {
        ServerSpec weft = spec("weft");
        assertEquals(List.of("taskset", "-c", "0", "java", "-jar", "/w.jar", "--port", "9", "--max-connections", "1000000"), weft.command("0", "java", TOOLS, 9, null, null));
        assertEquals(List.of("taskset", "-c", "0", "java", "-jar", "/w.jar", "--port", "9", "--max-connections", "1000000", "--files", "/tmp/static"),
                weft.command("0", "java", TOOLS, 9, Path.of("/tmp/static"), null));
        assertEquals(List.of("taskset", "-c", "0", "/go-httpserver", "9", "/tmp/static"),
                spec("go").command("0", "java", TOOLS, 9, Path.of("/tmp/static"), null));
    }

    @Test
    void nginxRunsFromTheWrittenConfigurationWithoutEchoOrHeap() {
        ServerSpec nginx = spec("nginx");
        assertEquals(List.of("taskset", "-c", "0", "/usr/sbin/nginx", "-e", "stderr", "-c", "/out/nginx.conf"),
                nginx.command("0", "java", TOOLS, 9, null, Path.of("/out/nginx.conf")));
        assertFalse(nginx.has(ServerSpec.Feature.ECHO));
        assertFalse(nginx.has(ServerSpec.Feature.JVM_HEAP));
        assertTrue(nginx.has(ServerSpec.Feature.STATIC));
        assertFalse(spec("go").has(ServerSpec.Feature.JVM_HEAP));
    }

    @Test
    void nginxConfigurationHasOneWorkerTheRoutesAndSendfile() {
        String conf = Nginx.config(Path.of("/out/nginx"), 8081, Path.of("/out/static"), 100_000);
        for (String line : List.of("worker_processes 1;", "daemon off;", "listen 8081 backlog=4096;", "sendfile on;",
                "return 200 \"Hello, World!\";", "return 200 '{\"message\":\"Hello, World!\"}';", "alias /out/static/;",
                "worker_connections 100000;", "worker_rlimit_nofile 101024;", "access_log off;")) {
            assertTrue(conf.contains(line), line + " in\n" + conf);
        }
    }

    @Test
    void optionsGateStaticAndTheLargeIdleCount() {
        Runner.Options full = Runner.Options.parse(new String[0]);
        assertTrue(full.staticFiles());
        assertEquals(10_000, full.idleConnections());
        assertEquals(100_000, full.idleLarge());
        Runner.Options smoke = Runner.Options.parse(new String[] {"--smoke"});
        assertFalse(smoke.staticFiles());
        assertEquals(0, smoke.idleLarge());
        assertTrue(Runner.Options.parse(new String[] {"--smoke", "--static"}).staticFiles());
        assertFalse(Runner.Options.parse(new String[] {"--no-static", "--idle-large", "0"}).staticFiles());
        assertEquals(100_000, Runner.Options.parse(new String[] {"--idle", "100000"}).idleConnections());
    }

    @Test
    void optionsGateTheHttp2WorkloadLikeTheStaticOne() {
        assertTrue(Runner.Options.parse(new String[0]).h2());
        assertFalse(Runner.Options.parse(new String[] {"--smoke"}).h2());
        assertTrue(Runner.Options.parse(new String[] {"--smoke", "--h2"}).h2());
        assertFalse(Runner.Options.parse(new String[] {"--no-h2"}).h2());
        Runner.Options off = Runner.Options.parse(new String[] {"--h2", "--rounds", "2"}).withoutH2();
        assertFalse(off.h2());
        assertEquals(2, off.rounds());
        assertEquals(100_000, off.idleLarge());
    }

    @Test
    void h2cServersAreWeftJettyAndBothNettys() {
        List<String> h2c = ServerSpec.all(TOOLS).stream().filter(s -> s.has(ServerSpec.Feature.H2C)).map(ServerSpec::id).toList();
        assertEquals(List.of("weft", "netty-epoll", "netty", "jetty"), h2c);
    }
}
