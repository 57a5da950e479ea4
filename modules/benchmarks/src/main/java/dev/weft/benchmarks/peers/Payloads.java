package dev.weft.benchmarks.peers;

import java.nio.charset.StandardCharsets;

/** The bodies every server in the comparison answers with, byte for byte the same. */
final class Payloads {
    static final byte[] PLAINTEXT = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    static final byte[] JSON = "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII);

    private Payloads() {}

    static int port(String[] args) {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: <main> PORT (the TCP port to listen on, 127.0.0.1 and all interfaces)");
        }
        int port = Integer.parseInt(args[0]);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        return port;
    }

    /** Printed once the listener is bound; the runner waits for the port, not for this line. */
    static void ready(String name, int port) {
        System.out.println(name + " listening on port " + port);
    }
}
