package dev.weft.micrometer;

import dev.weft.core.ConnectionTimeoutException;
import dev.weft.core.ServerStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Binds a server's transport counters ({@link ServerStats}, from {@code server.stats()} of an
 * {@code HttpServer} or a {@code TcpServer}) as meters, read when the registry is scraped:
 *
 * <ul>
 *   <li>gauge {@code weft.connections.active}: connections open now;</li>
 *   <li>counters {@code weft.connections.accepted}, {@code weft.connections.completed},
 *       {@code weft.connections.waited.at.limit} (the acceptor waited at {@code maxConnections}),
 *       {@code weft.connections.idle.evicted} (idle ones closed at the limit to make room);</li>
 *   <li>counter {@code weft.timeouts}, tagged {@code kind} ({@code read}, {@code idle},
 *       {@code deadline}, {@code write}, {@code handshake}): every kind, zero until one fires;</li>
 *   <li>counters {@code weft.bytes.in} and {@code weft.bytes.out}, base unit bytes;</li>
 *   <li>gauge {@code weft.watchdog.alive}: 1 while the watchdog that enforces the timeouts
 *       runs, 0 if it stalled (restart the server) or after shutdown.</li>
 * </ul>
 *
 * Every meter carries the extra tags given (e.g. {@code server=api} for a process with two
 * servers).
 */
public final class ServerStatsMetrics implements MeterBinder {

    private final Supplier<ServerStats> stats;
    private final Tags tags;

    /** Binds {@code stats} (e.g. {@code server::stats}), with no extra tags. */
    public ServerStatsMetrics(Supplier<ServerStats> stats) {
        this(stats, Tags.empty());
    }

    /** Binds {@code stats} with {@code tags} on every meter. */
    public ServerStatsMetrics(Supplier<ServerStats> stats, Iterable<Tag> tags) {
        this.stats = Objects.requireNonNull(stats, "stats");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        // Micrometer holds a meter's state object weakly, and `stats` is often a method reference
        // made for this call (server::stats): this gauge holds it strongly, keeping it alive for
        // the other meters too, as long as the registry has them.
        Gauge.builder("weft.connections.active", stats, s -> s.get().active())
                .description("Connections open now").tags(tags).strongReference(true).register(registry);
        counter(registry, "weft.connections.accepted", "Connections accepted", s -> s.get().accepted());
        counter(registry, "weft.connections.completed", "Connections that have ended, for any reason", s -> s.get().completed());
        counter(registry, "weft.connections.waited.at.limit", "Times the acceptor waited because maxConnections were open",
                s -> s.get().waitedAtLimit());
        counter(registry, "weft.connections.idle.evicted", "Idle connections closed at maxConnections to make room",
                s -> s.get().idleEvicted());
        for (ConnectionTimeoutException.Kind kind : ConnectionTimeoutException.Kind.values()) {
            FunctionCounter.builder("weft.timeouts", stats, s -> s.get().timeouts(kind))
                    .description("Timeouts fired, by kind")
                    .tags(tags).tag("kind", kind.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        FunctionCounter.builder("weft.bytes.in", stats, s -> s.get().bytesIn())
                .description("Bytes read from all connections").baseUnit("bytes").tags(tags).register(registry);
        FunctionCounter.builder("weft.bytes.out", stats, s -> s.get().bytesOut())
                .description("Bytes written to all connections").baseUnit("bytes").tags(tags).register(registry);
        Gauge.builder("weft.watchdog.alive", stats, s -> s.get().watchdogAlive() ? 1 : 0)
                .description("1 while the watchdog that enforces the timeouts runs; 0 if it stalled or after shutdown")
                .tags(tags).register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<Supplier<ServerStats>> f) {
        FunctionCounter.builder(name, stats, f).description(description).tags(tags).register(registry);
    }
}
