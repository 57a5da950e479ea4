package dev.weft.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A server under test: how to start it on a given port. {@code reference} marks the Weft server
 * every other figure of the same kind is divided by.
 */
record ServerSpec(String id, String label, Kind kind, boolean reference, List<String> mainAndArgs) {

    enum Kind { HTTP, TCP }

    static final String PORT = "{port}";

    /** The display name of a server id, for the report. */
    static String label(String id) {
        return all(Path.of("weft.jar"), Path.of("bench.jar")).stream().filter(s -> s.id().equals(id))
                .map(ServerSpec::label).findFirst().orElse(id);
    }

    /** The Weft server that figures of this kind are divided by. */
    static String referenceFor(Kind kind) {
        return kind == Kind.HTTP ? "weft" : "weft-echo";
    }

    static Kind kindOf(String id) {
        return all(Path.of("weft.jar"), Path.of("bench.jar")).stream().filter(s -> s.id().equals(id))
                .map(ServerSpec::kind).findFirst().orElse(Kind.HTTP);
    }

    /** Server ids in the order of a round. */
    static List<String> order() {
        return all(Path.of("weft.jar"), Path.of("bench.jar")).stream().map(ServerSpec::id).toList();
    }

    /** All servers in the order each round visits them. */
    static List<ServerSpec> all(Path weftJar, Path benchJar) {
        String weft = weftJar.toString();
        String bench = benchJar.toString();
        return List.of(
                new ServerSpec("weft", "Weft HttpDemo", Kind.HTTP, true, List.of("-jar", weft, "--port", PORT)),
                new ServerSpec("helidon", "Helidon 4 WebServer", Kind.HTTP, false,
                        List.of("-cp", bench, "dev.weft.benchmarks.peers.HelidonHttpServer", PORT)),
                new ServerSpec("netty", "Netty 4.1 NIO", Kind.HTTP, false,
                        List.of("-cp", bench, "dev.weft.benchmarks.peers.NettyHttpServer", PORT)),
                new ServerSpec("jetty", "Jetty 12 VirtualThreadPool", Kind.HTTP, false,
                        List.of("-cp", bench, "dev.weft.benchmarks.peers.JettyHttpServer", PORT)),
                new ServerSpec("jdk", "JDK HttpServer, virtual threads", Kind.HTTP, false,
                        List.of("-cp", bench, "dev.weft.benchmarks.peers.JdkHttpServer", PORT)),
                new ServerSpec("weft-echo", "Weft EchoServer", Kind.TCP, true,
                        List.of("-cp", weft, "dev.weft.samples.EchoServer", "--port", PORT)),
                new ServerSpec("weft-eventloop-echo", "Weft EventLoopEchoServer (selector sample)", Kind.TCP, false,
                        List.of("-cp", weft, "dev.weft.samples.EventLoopEchoServer", "--port", PORT)),
                new ServerSpec("netty-echo", "Netty 4.1 NIO echo", Kind.TCP, false,
                        List.of("-cp", bench, "dev.weft.benchmarks.peers.NettyEchoServer", PORT)));
    }

    List<String> command(String cpu, String java, int port) {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", cpu, java));
        for (String a : mainAndArgs) {
            cmd.add(a.equals(PORT) ? Integer.toString(port) : a);
        }
        return cmd;
    }
}
