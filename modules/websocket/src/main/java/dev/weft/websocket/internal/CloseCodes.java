package dev.weft.websocket.internal;

/** Which close codes may travel on the wire (RFC 6455 §7.4.1, §7.4.2 and the IANA registry). */
final class CloseCodes {

    private CloseCodes() {
    }

    /**
     * 1000–1003 and 1007–1014 are defined (1012–1014 registered with IANA after the RFC), 3000–3999
     * are for libraries and frameworks, 4000–4999 private. 1004 is reserved; 1005, 1006 and 1015
     * are local-only ("MUST NOT be set as a status code in a Close control frame"); anything else
     * below 3000 is reserved for future versions.
     */
    static boolean allowedOnWire(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }
}
