/**
 * Weft micrometer: Micrometer meters for server-http. {@link dev.weft.micrometer.HttpServerMetrics}
 * times every request as {@code http.server.requests}, tagged by route template;
 * {@link dev.weft.micrometer.ServerStatsMetrics} binds the transport counters of
 * {@code server.stats()}.
 */
module dev.weft.micrometer {
    requires transitive dev.weft.http;
    requires transitive micrometer.core;
    exports dev.weft.micrometer;
}
