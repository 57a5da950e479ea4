package dev.weft.http2.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** HPACK against the examples of RFC 7541 Appendix C, and round trips through our own encoder. */
class HpackTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static List<String> decode(Hpack.Decoder d, String hex) throws HpackException {
        byte[] b = hex(hex);
        List<String> out = new ArrayList<>();
        d.decode(b, 0, b.length, Long.MAX_VALUE, out);
        return out;
    }

    /** C.4: three requests with Huffman coding, the dynamic table carried between them. */
    @Test
    void rfc7541AppendixC4() throws Exception {
        Hpack.Decoder d = new Hpack.Decoder(4096);
        assertEquals(List.of(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com"),
                decode(d, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"));
        assertEquals(List.of(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com",
                "cache-control", "no-cache"), decode(d, "8286 84be 5886 a8eb 1064 9cbf"));
        assertEquals(List.of(":method", "GET", ":scheme", "https", ":path", "/index.html", ":authority", "www.example.com",
                "custom-key", "custom-value"), decode(d, "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"));
    }

    /** C.3: the same requests without Huffman. */
    @Test
    void rfc7541AppendixC3() throws Exception {
        Hpack.Decoder d = new Hpack.Decoder(4096);
        assertEquals(List.of(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com"),
                decode(d, "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"));
        assertEquals(List.of(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com",
                "cache-control", "no-cache"), decode(d, "8286 84be 5808 6e6f 2d63 6163 6865"));
    }

    /** C.1: integers across the prefix. */
    @Test
    void integers() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Hpack.Encoder.integer(b, 0, 5, 10);
        assertArrayEquals(hex("0a"), b.toByteArray());
        b.reset();
        Hpack.Encoder.integer(b, 0, 5, 1337);
        assertArrayEquals(hex("1f9a0a"), b.toByteArray());
        b.reset();
        Hpack.Encoder.integer(b, 0, 8, 42);
        assertArrayEquals(hex("2a"), b.toByteArray());
    }

    @Test
    void huffmanRoundTripsEveryOctet() throws Exception {
        Random r = new Random(7);
        for (int n = 0; n < 300; n++) {
            byte[] s = new byte[r.nextInt(64)];
            r.nextBytes(s);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            Huffman.encode(s, b);
            assertEquals(Huffman.encodedLength(s), b.size());
            assertArrayEquals(s, Huffman.decode(b.toByteArray(), 0, b.size()));
        }
        // C.4.1's string.
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Huffman.encode("www.example.com".getBytes(StandardCharsets.ISO_8859_1), b);
        assertArrayEquals(hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff"), b.toByteArray());
    }

    @Test
    void huffmanRejectsWhatRfc7541Forbids() {
        // 'a' is 00011 (5 bits): three bits of padding that are zeros, not EOS's ones.
        assertThrows(HpackException.class, () -> Huffman.decode(hex("18"), 0, 1));
        // A whole byte of ones after a symbol is padding longer than 7 bits.
        assertThrows(HpackException.class, () -> Huffman.decode(hex("1fff"), 0, 2));
        // EOS itself, 30 ones.
        assertThrows(HpackException.class, () -> Huffman.decode(hex("ffffffff"), 0, 4));
    }

    /** RFC 7541 Appendix A: a whole-field match is one index byte; a name match refers to the name's lowest index. */
    @Test
    void encoderUsesTheStaticTable() throws Exception {
        Hpack.Encoder e = new Hpack.Encoder();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        e.field(b, ":status", "200", false);
        e.field(b, ":status", "404", false);
        e.field(b, ":method", "POST", true);
        e.field(b, ":path", "/index.html", true);
        e.field(b, "accept-encoding", "gzip, deflate", true);
        assertArrayEquals(hex("88 8d 83 85 90"), b.toByteArray());
        b.reset();
        e.field(b, ":status", "201", false); // name :status (8), literal without indexing
        assertEquals(0x08, b.toByteArray()[0] & 0xFF);
        b.reset();
        e.field(b, "content-type", "text/plain", true); // name 31, incremental indexing
        assertEquals(0x5f, b.toByteArray()[0] & 0xFF);
        b.reset();
        e.field(b, "content-type", "text/plain", true); // now the dynamic table's first entry, 62
        assertArrayEquals(hex("be"), b.toByteArray());
        b.reset();
        e.field(b, "x-custom", "1", false); // a new name: index 0, then the name as a string
        assertEquals(0x00, b.toByteArray()[0] & 0xFF);
        List<String> out = new ArrayList<>();
        byte[] block = b.toByteArray();
        new Hpack.Decoder(4096).decode(block, 0, block.length, Long.MAX_VALUE, out);
        assertEquals(List.of("x-custom", "1"), out);
    }

    /** The dynamic table's ring: grown past its first size, wrapped by evictions, each entry found by its index. */
    @Test
    void dynamicTableIndicesThroughGrowthAndEviction() throws Exception {
        Hpack.Table t = new Hpack.Table(4096);
        for (int i = 0; i < 500; i++) {
            t.add("x-" + i, "v" + i);
            int entry = 2 + Integer.toString(i).length() + 1 + Integer.toString(i).length() + Hpack.ENTRY_OVERHEAD;
            int n = Math.min(i + 1, 4096 / entry); // entries of about equal size: the newest that fit
            for (int d = 0; d < Math.min(n, 40); d++) {
                String[] e = t.get(Hpack.STATIC_SIZE + 1 + d);
                assertEquals("x-" + (i - d), e[0]);
                assertEquals("v" + (i - d), e[1]);
            }
            assertEquals(null, t.get(Hpack.STATIC_SIZE + 1 + t.count()));
            assertTrue(t.size <= 4096);
        }
        assertEquals(":status", t.get(8)[0]);
        assertEquals("200", t.get(8)[1]);
        t.add("big", "v".repeat(5000)); // §4.4: larger than the table, which it empties
        assertEquals(0, t.count());
        assertEquals(null, t.get(Hpack.STATIC_SIZE + 1));
    }

    @Test
    void encoderAndDecoderStayInStep() throws Exception {
        Hpack.Encoder e = new Hpack.Encoder();
        Hpack.Decoder d = new Hpack.Decoder(4096);
        for (int round = 0; round < 200; round++) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            if (round == 50) {
                e.maxTableSize(100); // the peer shrank its table: an update at the next block's start
            }
            e.begin(b);
            List<String> fields = List.of(":status", "200", "content-type", "text/plain; charset=utf-8",
                    "x-round", Integer.toString(round % 7), "x-long", "v".repeat(round % 50));
            for (int i = 0; i < fields.size(); i += 2) {
                e.field(b, fields.get(i), fields.get(i + 1), true);
            }
            byte[] block = b.toByteArray();
            List<String> out = new ArrayList<>();
            d.decode(block, 0, block.length, Long.MAX_VALUE, out);
            assertEquals(fields, out);
        }
    }

    @Test
    void listSizeBoundStopsKeepingButKeepsDecoding() throws Exception {
        Hpack.Decoder d = new Hpack.Decoder(4096);
        byte[] b = hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d");
        List<String> out = new ArrayList<>();
        assertFalse(d.decode(b, 0, b.length, 50, out));
        // The entry was still added: the next block that names it decodes.
        List<String> next = new ArrayList<>();
        d.decode(hex("be"), 0, 1, Long.MAX_VALUE, next);
        assertEquals(List.of(":authority", "www.example.com"), next);
    }
}
