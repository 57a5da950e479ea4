package dev.weft.benchmarks;

import java.util.List;

/**
 * One measured quantity: what the runner records under {@code id} and the report prints under
 * {@code title}. {@code chart} groups workloads that share a unit into one PNG.
 *
 * <p>Each wrk workload also records two side figures, printed as columns of its table: the
 * server's CPU time per request ({@link #cpu()}, µs) and wrk's 99th-percentile latency
 * ({@link #p99()}, ms). The h2load workload records the CPU figure only (h2load prints no
 * percentiles).
 */
public record Workload(String id, String title, String unit, boolean higherIsBetter, String chart) {

    public static final Workload PLAINTEXT_16 = new Workload("plaintext-16", "GET /plaintext, 16 connections", "req/s", true, "http");
    public static final Workload PLAINTEXT_256 = new Workload("plaintext-256", "GET /plaintext, 256 connections", "req/s", true, "http");
    public static final Workload JSON_16 = new Workload("json-16", "GET /json, 16 connections", "req/s", true, "http");
    public static final Workload JSON_256 = new Workload("json-256", "GET /json, 256 connections", "req/s", true, "http");
    public static final Workload PIPELINED = new Workload("pipelined-256x16", "GET /plaintext pipelined 16 deep, 256 connections", "req/s", true, "http");
    public static final Workload ECHO_4K = new Workload("echo-4k-64", "POST /echo 4 KiB body, 64 connections", "req/s", true, "http");
    public static final Workload H2_PLAINTEXT = new Workload("h2-plaintext-16x100", "HTTP/2 (h2c, prior knowledge) GET /plaintext, 16 connections x 100 streams", "req/s", true, "h2");
    public static final Workload STATIC_4K = new Workload("static-4k-64", "GET /files/4k.bin (a 4 KiB file), 64 connections", "req/s", true, "static");
    public static final Workload STATIC_1M = new Workload("static-1m-16", "GET /files/1m.bin (a 1 MiB file), 16 connections", "req/s", true, "static");
    public static final Workload IDLE_RSS = new Workload("idle-rss", "Idle keep-alive connection: RSS growth per connection", "KB/conn", false, "memory");
    public static final Workload IDLE_HEAP = new Workload("idle-heap", "Idle keep-alive connection: live heap per connection", "KB/conn", false, "memory");
    public static final Workload IDLE_RSS_LARGE = new Workload("idle-rss-large", "Many idle keep-alive connections (--idle-large): RSS growth per connection", "KB/conn", false, "memory");
    public static final Workload IDLE_HEAP_LARGE = new Workload("idle-heap-large", "Many idle keep-alive connections (--idle-large): live heap per connection", "KB/conn", false, "memory");
    public static final Workload STARTUP = new Workload("startup", "Start-up: process launch to first 200 response", "ms", false, "startup");
    public static final Workload TCP_PINGPONG = new Workload("tcp-pingpong-64", "TCP ping-pong, 64 connections x 64-byte messages", "round trips/s", true, "tcp-pingpong");
    public static final Workload TCP_STREAM = new Workload("tcp-stream", "TCP stream over one connection, echoed", "GB/s", true, "tcp-stream");

    public static final List<Workload> ALL = List.of(PLAINTEXT_16, PLAINTEXT_256, JSON_16, JSON_256, PIPELINED, ECHO_4K,
            H2_PLAINTEXT, STATIC_4K, STATIC_1M, IDLE_RSS, IDLE_HEAP, IDLE_RSS_LARGE, IDLE_HEAP_LARGE, STARTUP, TCP_PINGPONG, TCP_STREAM);

    /** The server's CPU time (user + system, from /proc/PID/stat) per request of this workload. */
    public String cpu() {
        return id + "/cpu";
    }

    /** wrk's 99th-percentile latency of this workload. */
    public String p99() {
        return id + "/p99";
    }

    public static Workload byId(String id) {
        for (Workload w : ALL) {
            if (w.id.equals(id)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + id + "'; known: " + ALL.stream().map(Workload::id).toList());
    }
}
