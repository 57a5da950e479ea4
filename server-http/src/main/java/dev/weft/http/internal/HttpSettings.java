package dev.weft.http.internal;

import dev.weft.http.ExceptionMapper;
import dev.weft.http.Filter;
import java.time.Duration;

/** The validated HTTP options of one server, shared read-only by its connections. */
public record HttpSettings(
        int maxRequestLineBytes,
        int maxHeaderBytes,
        int maxHeaderCount,
        long maxBodyBytes,
        long maxDrainBytes,
        Duration headerTimeout,
        Duration bodyTimeout,
        Duration sseHeartbeat,
        boolean compression,
        boolean decodeRequestBodies,
        String serverHeader,
        boolean accessLog,
        dev.weft.http.AccessLogFormat accessLogFormat,
        boolean accessLogQuery,
        Router router,
        Filter[] filters,
        ExceptionMapper exceptionMapper) {
}
