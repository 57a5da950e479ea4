package dev.weft.websocket.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.Deflater;

/**
 * permessage-deflate (RFC 7692): the negotiation and the compressing side. A message is raw
 * DEFLATE (no zlib header: {@code nowrap}), ended with a sync flush whose trailing
 * {@code 00 00 FF FF} is stripped on the wire (§7.2.1) and put back before inflating (§7.2.2).
 *
 * <p>What is accepted: the JDK's {@link Deflater} always uses a 32 KiB window, so an offer
 * limiting the server's window ({@code server_max_window_bits} below 15) is declined; any
 * {@code client_max_window_bits} is fine, since {@link java.util.zip.Inflater} reads any window
 * up to 15, so the answer never includes it (§7.1.2.2 lets a server omit it).
 * {@code server_no_context_takeover} is honoured by resetting the deflater after each message;
 * {@code client_no_context_takeover} is echoed (we then reset the inflater per message too).
 */
public final class PerMessageDeflate {

    /** The sync-flush marker stripped from the end of every compressed message (§7.2.1). */
    static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    final boolean serverNoContextTakeover;
    final boolean clientNoContextTakeover;

    private PerMessageDeflate(boolean serverNoContextTakeover, boolean clientNoContextTakeover) {
        this.serverNoContextTakeover = serverNoContextTakeover;
        this.clientNoContextTakeover = clientNoContextTakeover;
    }

    /** The value of the response's {@code Sec-WebSocket-Extensions}. */
    String responseHeader() {
        return "permessage-deflate" + (serverNoContextTakeover ? "; server_no_context_takeover" : "")
                + (clientNoContextTakeover ? "; client_no_context_takeover" : "");
    }

    /**
     * The first acceptable permessage-deflate offer among the {@code Sec-WebSocket-Extensions}
     * values, or {@code null} to answer without the extension. An offer with an unknown, repeated
     * or malformed parameter is declined (§7.1: "MUST decline"), as is one we cannot honour.
     */
    static PerMessageDeflate negotiate(List<String> headerValues) {
        for (String value : headerValues) {
            for (String offer : splitOutsideQuotes(value, ',')) {
                PerMessageDeflate accepted = accept(offer);
                if (accepted != null) {
                    return accepted;
                }
            }
        }
        return null;
    }

    private static PerMessageDeflate accept(String offer) {
        List<String> parts = splitOutsideQuotes(offer, ';');
        if (parts.isEmpty() || !parts.get(0).trim().equalsIgnoreCase("permessage-deflate")) {
            return null;
        }
        boolean serverNct = false;
        boolean clientNct = false;
        boolean serverBits = false;
        boolean clientBits = false;
        for (int i = 1; i < parts.size(); i++) {
            String p = parts.get(i).trim();
            int eq = p.indexOf('=');
            String name = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String val = eq < 0 ? null : unquote(p.substring(eq + 1).trim());
            switch (name) {
                case "server_no_context_takeover" -> {
                    if (serverNct || val != null) {
                        return null;
                    }
                    serverNct = true;
                }
                case "client_no_context_takeover" -> {
                    if (clientNct || val != null) {
                        return null;
                    }
                    clientNct = true;
                }
                case "server_max_window_bits" -> {
                    // §7.1.2.1: a value 8-15 is required. The JDK deflater only does 15.
                    if (serverBits || windowBits(val) != 15) {
                        return null;
                    }
                    serverBits = true;
                }
                case "client_max_window_bits" -> {
                    // §7.1.2.2: may have no value; with one, 8-15.
                    if (clientBits || (val != null && windowBits(val) < 0)) {
                        return null;
                    }
                    clientBits = true;
                }
                default -> {
                    return null;
                }
            }
        }
        return new PerMessageDeflate(serverNct, clientNct);
    }

    private static int windowBits(String v) {
        if (v == null || v.isEmpty() || v.length() > 2 || !v.chars().allMatch(Character::isDigit)
                || (v.length() == 2 && v.charAt(0) == '0')) {
            return -1;
        }
        int n = Integer.parseInt(v);
        return n >= 8 && n <= 15 ? n : -1;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"' ? v.substring(1, v.length() - 1) : v;
    }

    private static List<String> splitOutsideQuotes(String s, char sep) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == sep && !quoted) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        out.removeIf(x -> x.isBlank());
        return out;
    }

    /**
     * Compressed bytes of one message as they are produced, the last four always held back so
     * the final flush's {@code 00 00 FF FF} can be dropped (§7.2.1). Not thread-safe: used under
     * the session's message lock.
     */
    static final class Compressor {
        private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        private final boolean noContextTakeover;
        byte[] buf = new byte[1024];
        int count;

        Compressor(boolean noContextTakeover) {
            this.noContextTakeover = noContextTakeover;
        }

        /** Deflates {@code len} bytes into the buffer (no flush: the deflater may hold some back). */
        void write(byte[] b, int off, int len) {
            deflater.setInput(b, off, len);
            while (!deflater.needsInput()) {
                ensure(512);
                count += deflater.deflate(buf, count, buf.length - count, Deflater.NO_FLUSH);
            }
        }

        /** Ends the message: a sync flush, then the tail dropped. */
        void finish() {
            deflater.setInput(new byte[0]);
            while (true) {
                ensure(512);
                int space = buf.length - count;
                int n = deflater.deflate(buf, count, space, Deflater.SYNC_FLUSH);
                count += n;
                // Deflater: with SYNC_FLUSH, a full output buffer means there may be more.
                if (n < space) {
                    break;
                }
            }
            // The flush ends in an empty stored block, 00 00 FF FF: not sent (§7.2.1).
            count -= TAIL.length;
            if (noContextTakeover) {
                deflater.reset();
            }
        }

        /** Bytes that may go out now: all but the last four. */
        int ready() {
            return Math.max(0, count - TAIL.length);
        }

        /** Drops the first {@code n} bytes (sent). */
        void consumed(int n) {
            System.arraycopy(buf, n, buf, 0, count - n);
            count -= n;
        }

        private void ensure(int room) {
            if (buf.length - count < room) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + room));
            }
        }

        void end() {
            deflater.end();
        }
    }
}
