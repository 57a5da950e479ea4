/**
 * Weft server-http: strict HTTP/1.1 on server-core, blocking handlers on virtual threads. It
 * compiles against server-core's exported package alone (server-core exports nothing else).
 */
module dev.weft.http {
    requires transitive dev.weft.core;
    requires org.slf4j;
    requires jdk.jfr; // the dev.weft.HttpRequest and dev.weft.Connection events (docs/observability.md)
    exports dev.weft.http;
}
