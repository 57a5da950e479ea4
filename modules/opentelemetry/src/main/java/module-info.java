/**
 * Weft opentelemetry: {@link dev.weft.opentelemetry.HttpServerTracing}, a server-http filter
 * that makes a SERVER span per request, continuing the client's W3C trace context.
 */
module dev.weft.opentelemetry {
    requires transitive dev.weft.http;
    requires transitive io.opentelemetry.api;
    requires transitive io.opentelemetry.context;
    exports dev.weft.opentelemetry;
}
