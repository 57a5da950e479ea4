package dev.weft.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A server under test: how to start it on a given port, and which workloads it can take.
 * {@code reference} marks the Weft server every other figure of the same kind is divided by.
 *
 * <p>{@code args} follow the launcher: for {@link Launcher#JAVA} the JVM's arguments after
 * {@code java}, for {@link Launcher#GO} the Go binary's, for {@link Launcher#NGINX} nginx's (the
 * runner writes its configuration first). {@code filesArgs} are appended only for the static-file
 * launch, with {@value #FILES} replaced by the directory the files are in.
 */
record ServerSpec(String id, String label, Kind kind, boolean reference, Launcher launcher, List<String> args,
                  List<String> filesArgs, Set<Feature> features) {

    enum Kind { HTTP, TCP }

    /** What starts the server: a JVM of the run's JDK, the Go binary run.sh built, or nginx. */
    enum Launcher { JAVA, GO, NGINX }

    enum Feature {
        /** Answers {@code POST /echo} with the body. */
        ECHO,
        /** A JVM: its live heap can be read with jcmd. */
        JVM_HEAP,
        /** Serves a directory under {@code /files/NAME} when started with {@code filesArgs}. */
        STATIC,
        /** Speaks h2c with prior knowledge on its plain port, beside HTTP/1.1 (the h2load workload). */
        H2C
    }

    static final String PORT = "{port}";
    static final String FILES = "{files}";
    static final String CONF = "{conf}";
    /** HttpDemo's flag that lifts its connection limit (10,000 by default) above the largest idle count. */
    static final List<String> WEFT_MAX_CONNECTIONS = List.of("--max-connections", "1000000");

    /** Where the launchers and jars are; {@code goBinary} and {@code nginx} may be missing on a machine. */
    record Tools(Path weftJar, Path benchJar, Path goBinary, Path nginx) {
        static final Tools NONE = new Tools(Path.of("weft.jar"), Path.of("bench.jar"), Path.of("go"), Path.of("nginx"));
    }

    /** The display name of a server id, for the report. */
    static String label(String id) {
        return all(Tools.NONE).stream().filter(s -> s.id().equals(id)).map(ServerSpec::label).findFirst().orElse(id);
    }

    /** The Weft server that figures of this kind are divided by. */
    static String referenceFor(Kind kind) {
        return kind == Kind.HTTP ? "weft" : "weft-echo";
    }

    private static List<String> concat(List<String> a, List<String> b) {
        var all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    /** Server ids in the order of a round. */
    static List<String> order() {
        return all(Tools.NONE).stream().map(ServerSpec::id).toList();
    }

    /** All servers in the order each round visits them. */
    static List<ServerSpec> all(Tools tools) {
        String weft = tools.weftJar().toString();
        String bench = tools.benchJar().toString();
        Set<Feature> jvm = EnumSet.of(Feature.ECHO, Feature.JVM_HEAP);
        Set<Feature> jvmH2c = EnumSet.of(Feature.ECHO, Feature.JVM_HEAP, Feature.H2C);
        Set<Feature> jvmStaticH2c = EnumSet.of(Feature.ECHO, Feature.JVM_HEAP, Feature.STATIC, Feature.H2C);
        return List.of(
                // HttpDemo keeps ServerBuilder's default of 10,000 open connections; the large idle count
                // needs more, asked for with a system property in the style of its -Dweft.accessLog.
                new ServerSpec("weft", "Weft HttpDemo", Kind.HTTP, true, Launcher.JAVA,
                        concat(List.of("-jar", weft, "--port", PORT), WEFT_MAX_CONNECTIONS), List.of("--files", FILES), jvmStaticH2c),
                // The same demo with idle keep-alive connections hibernated after 1 s (issue #12): what it
                // saves shows in the idle rows, what it costs (if anything) in the throughput rows.
                new ServerSpec("weft-hibernate", "Weft HttpDemo, hibernateIdleAfter 1 s", Kind.HTTP, false, Launcher.JAVA,
                        concat(List.of("-jar", weft, "--port", PORT, "--hibernate-idle-after", "1000"), WEFT_MAX_CONNECTIONS),
                        List.of(), jvm),
                new ServerSpec("helidon", "Helidon 4 WebServer", Kind.HTTP, false, Launcher.JAVA,
                        List.of("-cp", bench, "dev.weft.benchmarks.peers.HelidonHttpServer", PORT), List.of(), jvm),
                new ServerSpec("netty-epoll", "Netty 4.1 epoll", Kind.HTTP, false, Launcher.JAVA,
                        List.of("-cp", bench, "dev.weft.benchmarks.peers.NettyHttpServer", PORT, "--epoll"), List.of(), jvmH2c),
                new ServerSpec("netty", "Netty 4.1 NIO", Kind.HTTP, false, Launcher.JAVA,
                        List.of("-cp", bench, "dev.weft.benchmarks.peers.NettyHttpServer", PORT, "--nio"), List.of(), jvmH2c),
                new ServerSpec("jetty", "Jetty 12 VirtualThreadPool", Kind.HTTP, false, Launcher.JAVA,
                        List.of("-cp", bench, "dev.weft.benchmarks.peers.JettyHttpServer", PORT), List.of(FILES), jvmStaticH2c),
                new ServerSpec("jdk", "JDK HttpServer, virtual threads", Kind.HTTP, false, Launcher.JAVA,
                        List.of("-cp", bench, "dev.weft.benchmarks.peers.JdkHttpServer", PORT), List.of(), jvm),
                new ServerSpec("go", "Go net/http", Kind.HTTP, false, Launcher.GO,
                        List.of(PORT), List.of(FILES), EnumSet.of(Feature.ECHO, Feature.STATIC)),
                new ServerSpec("nginx", "nginx (1 worker)", Kind.HTTP, false, Launcher.NGINX,
                        List.of("-e", "stderr", "-c", CONF), List.of(), EnumSet.of(Feature.STATIC)),
                new ServerSpec("weft-echo", "Weft EchoServer", Kind.TCP, true, Launcher.JAVA,
                        List.of("-cp", weft, "dev.weft.samples.EchoServer", "--port", PORT), List.of(), Set.of()),
                new ServerSpec("weft-eventloop-echo", "Weft EventLoopEchoServer (selector sample)", Kind.TCP, false, Launcher.JAVA,
                        List.of("-cp", weft, "dev.weft.samples.EventLoopEchoServer", "--port", PORT), List.of(), Set.of()),
                new ServerSpec("netty-epoll-echo", "Netty 4.1 epoll echo", Kind.TCP, false, Launcher.JAVA,
                        List.of("-cp", bench, "dev.weft.benchmarks.peers.NettyEchoServer", PORT, "--epoll"), List.of(), Set.of()),
                new ServerSpec("netty-echo", "Netty 4.1 NIO echo", Kind.TCP, false, Launcher.JAVA,
                        List.of("-cp", bench, "dev.weft.benchmarks.peers.NettyEchoServer", PORT, "--nio"), List.of(), Set.of()));
    }

    boolean has(Feature f) {
        return features.contains(f);
    }

    /**
     * The command line, pinned to {@code cpu}. {@code files} is the static-file directory for the
     * static launch, {@code null} for the ordinary one; {@code conf} is nginx's configuration file.
     */
    List<String> command(String cpu, String java, Tools tools, int port, Path files, Path conf) {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", cpu));
        cmd.add(switch (launcher) {
            case JAVA -> java;
            case GO -> tools.goBinary().toString();
            case NGINX -> tools.nginx().toString();
        });
        List<String> all = new ArrayList<>(args);
        if (files != null) {
            all.addAll(filesArgs);
        }
        for (String a : all) {
            cmd.add(switch (a) {
                case PORT -> Integer.toString(port);
                case FILES -> files.toString();
                case CONF -> conf.toString();
                default -> a;
            });
        }
        return cmd;
    }
}
