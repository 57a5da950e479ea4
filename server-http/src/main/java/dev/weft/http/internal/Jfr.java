package dev.weft.http.internal;

import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;

/**
 * The gates in front of HTTP's JFR events: true only when a recording has the event type on.
 * Asked before an event object is created, so a server nobody records allocates nothing for
 * JFR. A class of its own, not a static method on the event classes: loading any
 * {@code jdk.jfr.Event} subclass (or asking {@link EventType#getEventType}) brings up the JFR
 * machinery, a hundred classes, which a server that is never recorded must not pay for on its
 * first request. {@link FlightRecorder#isInitialized()} is a static read, and stays false until
 * some recording starts (at launch with {@code -XX:StartFlightRecording}, or later with
 * {@code jcmd JFR.start}); only then are the event types looked up, once.
 */
public final class Jfr {

    private Jfr() {
    }

    /** {@code dev.weft.HttpRequest} is being recorded. */
    public static boolean requests() {
        return FlightRecorder.isInitialized() && Types.REQUEST.isEnabled();
    }

    /** {@code dev.weft.Connection} is being recorded. */
    public static boolean connections() {
        return FlightRecorder.isInitialized() && Types.CONNECTION.isEnabled();
    }

    /** Initialized on the first ask after JFR is up. {@link EventType#isEnabled()} is a field read. */
    private static final class Types {
        static final EventType REQUEST = EventType.getEventType(HttpRequestEvent.class);
        static final EventType CONNECTION = EventType.getEventType(HttpConnectionEvent.class);
    }
}
