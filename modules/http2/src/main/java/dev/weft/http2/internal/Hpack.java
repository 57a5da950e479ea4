package dev.weft.http2.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HPACK (RFC 7541): the static table, a dynamic table per direction, integer and string
 * coding, and Huffman both ways. One {@link Decoder} per connection, used by its reader alone;
 * one {@link Encoder} per connection, used under the connection's write lock so the order of
 * header blocks on the wire is the order the encoder's table saw them (§2.2).
 */
final class Hpack {

    private Hpack() {
    }

    /** RFC 7541 Appendix A, name and value of entries 1–61. */
    static final String[] STATIC = {
        ":authority", "",
        ":method", "GET",
        ":method", "POST",
        ":path", "/",
        ":path", "/index.html",
        ":scheme", "http",
        ":scheme", "https",
        ":status", "200",
        ":status", "204",
        ":status", "206",
        ":status", "304",
        ":status", "400",
        ":status", "404",
        ":status", "500",
        "accept-charset", "",
        "accept-encoding", "gzip, deflate",
        "accept-language", "",
        "accept-ranges", "",
        "accept", "",
        "access-control-allow-origin", "",
        "age", "",
        "allow", "",
        "authorization", "",
        "cache-control", "",
        "content-disposition", "",
        "content-encoding", "",
        "content-language", "",
        "content-length", "",
        "content-location", "",
        "content-range", "",
        "content-type", "",
        "cookie", "",
        "date", "",
        "etag", "",
        "expect", "",
        "expires", "",
        "from", "",
        "host", "",
        "if-match", "",
        "if-modified-since", "",
        "if-none-match", "",
        "if-range", "",
        "if-unmodified-since", "",
        "last-modified", "",
        "link", "",
        "location", "",
        "max-forwards", "",
        "proxy-authenticate", "",
        "proxy-authorization", "",
        "range", "",
        "referer", "",
        "refresh", "",
        "retry-after", "",
        "server", "",
        "set-cookie", "",
        "strict-transport-security", "",
        "transfer-encoding", "",
        "user-agent", "",
        "vary", "",
        "via", "",
        "www-authenticate", ""
    };
    static final int STATIC_SIZE = 61;
    /** §4.1: an entry's size is its name and value in octets plus 32. */
    static final int ENTRY_OVERHEAD = 32;

    /**
     * Per name of the static table: its lowest index (the one to refer to the name by), then the
     * indices of its entries that carry a value (:method, :path, :scheme, :status,
     * accept-encoding), for a whole-field match. One lookup by the name, whose hash a String keeps,
     * instead of one by name and value joined into a new String for every field.
     */
    private static final Map<String, int[]> STATIC_BY_NAME = new HashMap<>();

    static {
        for (int i = 1; i <= STATIC_SIZE; i++) {
            String name = STATIC[2 * (i - 1)];
            boolean valued = !STATIC[2 * (i - 1) + 1].isEmpty();
            int[] e = STATIC_BY_NAME.get(name);
            if (e == null) {
                e = valued ? new int[] {i, i} : new int[] {i};
            } else if (valued) {
                e = java.util.Arrays.copyOf(e, e.length + 1);
                e[e.length - 1] = i;
            }
            STATIC_BY_NAME.put(name, e);
        }
    }

    /** The static table as entries (name, value), shared: callers only read them. */
    private static final String[][] STATIC_ENTRIES = new String[STATIC_SIZE][];

    static {
        for (int i = 0; i < STATIC_SIZE; i++) {
            STATIC_ENTRIES[i] = new String[] {STATIC[2 * i], STATIC[2 * i + 1]};
        }
    }

    /**
     * A dynamic table (§2.3.2): newest first, evicted from the oldest end to fit its size. A ring
     * of entries, so the n-th newest is one array access (no iterator walked per lookup).
     */
    static final class Table {
        /** Power-of-two ring; the newest entry at {@link #head}, the next newest after it. */
        private String[][] ring = new String[16][];
        private int head;
        private int count;
        int size;
        int maxSize;

        Table(int maxSize) {
            this.maxSize = maxSize;
        }

        /** Entries in the table. */
        int count() {
            return count;
        }

        /** The {@code d}-th newest entry, 0 the newest; {@code d} below {@link #count()}. */
        String[] entry(int d) {
            return ring[(head + d) & (ring.length - 1)];
        }

        void add(String name, String value) {
            int s = name.length() + value.length() + ENTRY_OVERHEAD;
            if (s > maxSize) {
                java.util.Arrays.fill(ring, null); // §4.4: an entry larger than the table empties it and is not added
                count = 0;
                size = 0;
                return;
            }
            while (size + s > maxSize) {
                evict();
            }
            if (count == ring.length) {
                String[][] bigger = new String[ring.length * 2][];
                for (int i = 0; i < count; i++) {
                    bigger[i] = entry(i);
                }
                ring = bigger;
                head = 0;
            }
            head = (head - 1) & (ring.length - 1);
            ring[head] = new String[] {name, value};
            count++;
            size += s;
        }

        void resize(int max) {
            maxSize = max;
            while (size > maxSize) {
                evict();
            }
        }

        private void evict() {
            int last = (head + count - 1) & (ring.length - 1);
            String[] e = ring[last];
            ring[last] = null;
            count--;
            size -= e[0].length() + e[1].length() + ENTRY_OVERHEAD;
        }

        /** Entry {@code index} of the combined index space (§2.3.3), or null if out of range. */
        String[] get(int index) {
            if (index >= 1 && index <= STATIC_SIZE) {
                return STATIC_ENTRIES[index - 1];
            }
            int d = index - STATIC_SIZE - 1;
            if (d < 0 || d >= count) {
                return null;
            }
            return entry(d);
        }
    }

    /** Decodes header blocks; the dynamic table is bounded by our SETTINGS_HEADER_TABLE_SIZE. */
    static final class Decoder {
        private final Table table;
        private final int settingsMax;
        private byte[] b;
        private int pos;
        private int end;

        Decoder(int settingsMax) {
            this.settingsMax = settingsMax;
            this.table = new Table(settingsMax);
        }

        /**
         * Decodes one whole header block into {@code out} (name, value, name, value, …). Once the
         * decoded list passes {@code maxListSize} (§4.3 of RFC 9113 counts name + value + 32 a
         * field), later fields are decoded (the table must stay in step) but not kept, and this
         * returns false: an HPACK bomb costs what its bytes cost, not what they expand to.
         *
         * @throws HpackException for anything §6 and §5 do not allow
         */
        boolean decode(byte[] block, int off, int len, long maxListSize, List<String> out) throws HpackException {
            this.b = block;
            this.pos = off;
            this.end = off + len;
            long listSize = 0;
            boolean fits = true;
            boolean fieldSeen = false;
            while (pos < end) {
                int first = b[pos] & 0xFF;
                String name;
                String value;
                if ((first & 0x80) != 0) { // §6.1 indexed field
                    int index = integer(7);
                    String[] e = entry(index);
                    name = e[0];
                    value = e[1];
                } else if ((first & 0xE0) == 0x20) { // §6.3 dynamic table size update
                    if (fieldSeen) {
                        throw new HpackException("dynamic table size update after a field (RFC 7541 §4.2)");
                    }
                    int size = integer(5);
                    if (size > settingsMax) {
                        throw new HpackException("dynamic table size update to " + size + " over the " + settingsMax + " allowed");
                    }
                    table.resize(size);
                    continue;
                } else {
                    boolean indexing = (first & 0xC0) == 0x40; // §6.2.1, else §6.2.2 / §6.2.3
                    int index = integer(indexing ? 6 : 4);
                    name = index == 0 ? string() : entry(index)[0];
                    value = string();
                    if (indexing) {
                        table.add(name, value);
                    }
                }
                fieldSeen = true;
                listSize += name.length() + value.length() + ENTRY_OVERHEAD;
                if (listSize > maxListSize) {
                    fits = false;
                }
                if (fits) {
                    out.add(name);
                    out.add(value);
                }
            }
            return fits;
        }

        private String[] entry(int index) throws HpackException {
            String[] e = index == 0 ? null : table.get(index);
            if (e == null) {
                throw new HpackException("header index " + index + " is not in the table");
            }
            return e;
        }

        /** §5.1, at most 2^31 − 1. */
        private int integer(int prefixBits) throws HpackException {
            int max = (1 << prefixBits) - 1;
            int v = b[pos++] & max;
            if (v < max) {
                return v;
            }
            long value = max;
            int shift = 0;
            while (true) {
                if (pos >= end) {
                    throw new HpackException("integer cut off at the end of the header block");
                }
                int c = b[pos++] & 0xFF;
                value += (long) (c & 0x7F) << shift;
                if (value > Integer.MAX_VALUE) {
                    throw new HpackException("integer over 2^31-1");
                }
                if ((c & 0x80) == 0) {
                    return (int) value;
                }
                shift += 7;
            }
        }

        /** §5.2. */
        private String string() throws HpackException {
            if (pos >= end) {
                throw new HpackException("string missing at the end of the header block");
            }
            boolean huffman = (b[pos] & 0x80) != 0;
            int len = integer(7);
            if (len > end - pos) {
                throw new HpackException("string of " + len + " bytes runs past the header block");
            }
            int at = pos;
            pos += len;
            if (huffman) {
                return new String(Huffman.decode(b, at, len), StandardCharsets.ISO_8859_1);
            }
            return new String(b, at, len, StandardCharsets.ISO_8859_1);
        }
    }

    /** Encodes header blocks; literal values are Huffman-coded when that is shorter. */
    static final class Encoder {
        private final Table table = new Table(4096);
        private int pendingSize = -1;
        private int pendingMin = -1;

        /** The peer's SETTINGS_HEADER_TABLE_SIZE changed: the next block starts with the update (§4.2). */
        void maxTableSize(int peerMax) {
            int size = Math.min(peerMax, 4096);
            pendingMin = pendingMin < 0 ? size : Math.min(pendingMin, size);
            pendingSize = size;
        }

        void begin(ByteArrayOutputStream out) {
            if (pendingSize >= 0) {
                if (pendingMin < pendingSize) {
                    integer(out, 0x20, 5, pendingMin); // §4.2: the smallest size first, then the final one
                }
                integer(out, 0x20, 5, pendingSize);
                table.resize(pendingSize);
                pendingSize = -1;
                pendingMin = -1;
            }
        }

        /** Encodes one field; {@code index} false for values never worth a table entry (dates, lengths). */
        void field(ByteArrayOutputStream out, String name, String value, boolean index) {
            int[] st = STATIC_BY_NAME.get(name);
            if (st != null) {
                for (int k = 1; k < st.length; k++) {
                    if (STATIC[2 * (st[k] - 1) + 1].equals(value)) {
                        integer(out, 0x80, 7, st[k]);
                        return;
                    }
                }
            }
            int nameIndex = 0;
            for (int i = 0, n = table.count(); i < n; i++) {
                String[] e = table.entry(i);
                int d = i + 1;
                if (e[0].equals(name)) {
                    if (e[1].equals(value)) {
                        integer(out, 0x80, 7, STATIC_SIZE + d);
                        return;
                    }
                    if (nameIndex == 0) {
                        nameIndex = STATIC_SIZE + d;
                    }
                }
            }
            if (st != null) {
                nameIndex = st[0];
            }
            if (index) {
                integer(out, 0x40, 6, nameIndex);
            } else {
                integer(out, 0x00, 4, nameIndex);
            }
            if (nameIndex == 0) {
                string(out, name);
            }
            string(out, value);
            if (index) {
                table.add(name, value);
            }
        }

        static void string(ByteArrayOutputStream out, String s) {
            byte[] raw = s.getBytes(StandardCharsets.ISO_8859_1);
            int h = Huffman.encodedLength(raw);
            if (h < raw.length) {
                integer(out, 0x80, 7, h);
                Huffman.encode(raw, out);
            } else {
                integer(out, 0x00, 7, raw.length);
                out.write(raw, 0, raw.length);
            }
        }

        static void integer(ByteArrayOutputStream out, int flags, int prefixBits, int value) {
            int max = (1 << prefixBits) - 1;
            if (value < max) {
                out.write(flags | value);
                return;
            }
            out.write(flags | max);
            value -= max;
            while (value >= 0x80) {
                out.write((value & 0x7F) | 0x80);
                value >>>= 7;
            }
            out.write(value);
        }
    }
}
