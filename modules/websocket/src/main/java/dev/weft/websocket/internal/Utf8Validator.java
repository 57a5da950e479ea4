package dev.weft.websocket.internal;

/**
 * Checks UTF-8 as it arrives, byte by byte across frame boundaries, so a text message fails at
 * its first bad byte (RFC 6455 §8.1: fail fast, close 1007) rather than when it ends. The rules
 * are RFC 3629's: no overlong forms, no surrogates (U+D800–DFFF), nothing past U+10FFFF.
 */
final class Utf8Validator {

    /** Continuation bytes still expected in the current sequence. */
    private int need;
    /** The range the next continuation byte must fall in (narrower for the byte after E0, ED, F0, F4). */
    private int lo = 0x80;
    private int hi = 0xBF;

    /** Feeds bytes; false at the first byte that cannot be part of valid UTF-8. */
    boolean feed(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            int c = b[i++] & 0xFF;
            if (need == 0) {
                if (c < 0x80) {
                    continue;
                }
                if (c >= 0xC2 && c <= 0xDF) {
                    need = 1;
                } else if (c == 0xE0) {
                    need = 2;
                    lo = 0xA0; // below is overlong
                } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
                    need = 2;
                } else if (c == 0xED) {
                    need = 2;
                    hi = 0x9F; // above are the surrogates
                } else if (c == 0xF0) {
                    need = 3;
                    lo = 0x90; // below is overlong
                } else if (c >= 0xF1 && c <= 0xF3) {
                    need = 3;
                } else if (c == 0xF4) {
                    need = 3;
                    hi = 0x8F; // above is past U+10FFFF
                } else {
                    return false; // 80-C1 (continuation or overlong lead), F5-FF
                }
            } else {
                if (c < lo || c > hi) {
                    return false;
                }
                lo = 0x80;
                hi = 0xBF;
                need--;
            }
        }
        return true;
    }

    /** True when no sequence is left open: the end of a message may come here. */
    boolean complete() {
        return need == 0;
    }

    void reset() {
        need = 0;
        lo = 0x80;
        hi = 0xBF;
    }

    /** Whole-array check, for close reasons. */
    static boolean valid(byte[] b, int off, int len) {
        Utf8Validator v = new Utf8Validator();
        return v.feed(b, off, len) && v.complete();
    }
}
