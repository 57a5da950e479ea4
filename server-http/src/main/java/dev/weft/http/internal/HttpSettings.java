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
        ExceptionMapper exceptionMapper,
        BodyLimits bodyLimits) {

    /**
     * Limits of the bodies the framework parses for the handler, and the per-route ceiling.
     *
     * @param maxUploadBytes the highest limit {@code req.limitBody} may set (at least maxBodyBytes)
     * @param maxFormBytes the largest urlencoded form ({@code req.form()}), never above the body limit
     * @param multipart the multipart limits ({@code req.multipart()})
     */
    public record BodyLimits(long maxUploadBytes, long maxFormBytes, dev.weft.http.Multipart.Limits multipart) {
    }
}
