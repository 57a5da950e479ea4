package dev.weft.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The nginx reference peer's configuration, written by the runner into its output directory before
 * each launch: one worker (pinned to CPU 0 like every server, by taskset and
 * {@code worker_cpu_affinity}), in the foreground so the runner can stop it by PID, logs to stderr
 * (the server log), {@code return 200} for {@code /plaintext} and {@code /json} and, for the
 * static-file workloads, the files under {@code /files/} with {@code sendfile on}.
 */
final class Nginx {

    /** Writes {@code nginx.conf} (and the temp directories it names) under {@code dir} and returns its path. */
    static Path writeConfig(Path dir, int port, Path files, int maxConnections) throws IOException {
        Path conf = dir.resolve("nginx.conf");
        for (String temp : new String[] {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
            Files.createDirectories(dir.resolve("temp").resolve(temp));
        }
        Files.writeString(conf, config(dir, port, files, maxConnections), StandardCharsets.UTF_8);
        return conf;
    }

    static String config(Path dir, int port, Path files, int maxConnections) {
        Path temp = dir.toAbsolutePath().resolve("temp");
        // Descriptors: one per connection, plus the files being sent (one per static response in
        // flight, at most the 64 wrk connections), the listener and the logs.
        int descriptors = maxConnections + 1024;
        return """
                # Written by dev.weft.benchmarks.Runner for one run; regenerated before every launch.
                daemon off;
                master_process on;
                worker_processes 1;
                worker_cpu_affinity 1;
                worker_rlimit_nofile %d;
                pid %s;
                error_log stderr warn;
                # As root the worker would switch to nobody, which may not reach the files directory.
                user root;

                events {
                    worker_connections %d;
                }

                http {
                    access_log off;
                    server_tokens off;
                    sendfile on;
                    tcp_nopush on;
                    tcp_nodelay on;
                    # wrk keeps its connections for the whole run and the idle runs hold theirs for minutes:
                    # nginx's defaults would close them after 1000 requests and after 75 s idle.
                    keepalive_requests 100000000;
                    keepalive_timeout 3600s;
                    client_body_temp_path %s;
                    proxy_temp_path %s;
                    fastcgi_temp_path %s;
                    uwsgi_temp_path %s;
                    scgi_temp_path %s;
                    types {
                        application/octet-stream bin;
                    }
                    default_type application/octet-stream;

                    server {
                        listen %d backlog=4096;
                        location = /plaintext {
                            default_type text/plain;
                            return 200 "Hello, World!";
                        }
                        location = /json {
                            default_type application/json;
                            return 200 '{"message":"Hello, World!"}';
                        }
                        location /files/ {
                            alias %s/;
                        }
                    }
                }
                """.formatted(descriptors, temp.getParent().resolve("nginx.pid"), maxConnections,
                temp.resolve("client_body"), temp.resolve("proxy"), temp.resolve("fastcgi"), temp.resolve("uwsgi"),
                temp.resolve("scgi"), port, files.toAbsolutePath());
    }

    private Nginx() {}
}
