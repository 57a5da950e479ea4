package dev.weft.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The RFC 3986 authority parser on its own: {@code host [":" port]}, both ways. */
class AuthorityTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // authority                | host                     | port  | kind
        "example.com                | example.com              | -1    | REG_NAME",
        "example.com:8080           | example.com              | 8080  | REG_NAME",
        "example.com:               | example.com              | -1    | REG_NAME",
        "example.com:0080           | example.com              | 80    | REG_NAME",
        "example.com:000000000000080| example.com              | 80    | REG_NAME",
        "example.com:0              | example.com              | 0     | REG_NAME",
        "example.com:65535          | example.com              | 65535 | REG_NAME",
        "xn--bcher-kva.example      | xn--bcher-kva.example    | -1    | REG_NAME",
        "b%C3%BCcher.example:1      | b%C3%BCcher.example      | 1     | REG_NAME",
        "%F0%9F%98%80               | %F0%9F%98%80             | -1    | REG_NAME",
        "a!$&'()*+,;=b              | a!$&'()*+,;=b            | -1    | REG_NAME",
        "a-b_c~d.e                  | a-b_c~d.e                | -1    | REG_NAME",
        "example.com.               | example.com.             | -1    | REG_NAME",
        "1.example                  | 1.example                | -1    | REG_NAME",
        "a.0xg                      | a.0xg                    | -1    | REG_NAME",
        "123abc                     | 123abc                   | -1    | REG_NAME",
        "\"\"                         | \"\"                       | -1    | REG_NAME",
        ":80                        | \"\"                       | 80    | REG_NAME",
        "127.0.0.1:80               | 127.0.0.1                | 80    | IPV4",
        "0.0.0.0                    | 0.0.0.0                  | -1    | IPV4",
        "255.255.255.255            | 255.255.255.255          | -1    | IPV4",
        "10.200.249.199             | 10.200.249.199           | -1    | IPV4",
        "[::1]:8080                 | [::1]                    | 8080  | IPV6",
        "[::]                       | [::]                     | -1    | IPV6",
        "[::]:                      | [::]                     | -1    | IPV6",
        "[1:2:3:4:5:6:7:8]          | [1:2:3:4:5:6:7:8]        | -1    | IPV6",
        "[1:2:3:4:5:6:1.2.3.4]      | [1:2:3:4:5:6:1.2.3.4]    | -1    | IPV6",
        "[::1:2:3:4:5:6:7]          | [::1:2:3:4:5:6:7]        | -1    | IPV6",
        "[1:2:3:4:5:6:7::]          | [1:2:3:4:5:6:7::]        | -1    | IPV6",
        "[1::8]                     | [1::8]                   | -1    | IPV6",
        "[1::]                      | [1::]                    | -1    | IPV6",
        "[::ffff:192.0.2.1]         | [::ffff:192.0.2.1]       | -1    | IPV6",
        "[::192.0.2.1]              | [::192.0.2.1]            | -1    | IPV6",
        "[1:2:3:4:5::1.2.3.4]       | [1:2:3:4:5::1.2.3.4]     | -1    | IPV6",
        "[FFFF:abcd:0:00:000:0000::]| [FFFF:abcd:0:00:000:0000::] | -1 | IPV6",
        "[v1.x]                     | [v1.x]                   | -1    | IP_FUTURE",
        "[V1F.a:b!$&'()*+,;=-._~]:1 | [V1F.a:b!$&'()*+,;=-._~] | 1     | IP_FUTURE",
    })
    void accepts(String authority, String host, int port, Authority.Kind kind) throws BadMessageException {
        Authority a = Authority.parse(authority, 0, authority.length());
        assertEquals(host, a.host());
        assertEquals(port, a.port());
        assertEquals(kind, a.kind());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "example.com:8o             | PORT_INVALID",
        "a:b:c                      | PORT_INVALID",
        "example.com:+80            | PORT_INVALID",
        "example.com:-0             | PORT_INVALID",
        "example.com: 80            | PORT_INVALID",
        "example.com:65536          | PORT_INVALID",
        "example.com:99999999999    | PORT_INVALID",
        "example.com:4294967376     | PORT_INVALID", // 2^32 + 80: a 32-bit wrap would make it 80
        "example.com:18446744073709551696 | PORT_INVALID", // 2^64 + 80
        "example.com:\uff18\uff10     | PORT_INVALID", // fullwidth digits: Character.isDigit, not DIGIT
        "[::1]:x                    | PORT_INVALID",
        "[::1                       | HOST_IP_LITERAL_INVALID",
        "[                          | HOST_IP_LITERAL_INVALID",
        "[]                         | HOST_IP_LITERAL_INVALID",
        "[::1]x                     | HOST_IP_LITERAL_INVALID",
        "[:]                        | HOST_IP_LITERAL_INVALID",
        "[:::]                      | HOST_IP_LITERAL_INVALID",
        "[1:::2]                    | HOST_IP_LITERAL_INVALID",
        "[1::2::3]                  | HOST_IP_LITERAL_INVALID",
        "[1:2:3:4:5:6:7]            | HOST_IP_LITERAL_INVALID",
        "[1:2:3:4:5:6:7:8:9]        | HOST_IP_LITERAL_INVALID",
        "[1:2:3:4:5:6:7:8::]        | HOST_IP_LITERAL_INVALID",
        "[::1:2:3:4:5:6:7:8]        | HOST_IP_LITERAL_INVALID",
        "[1:2:3:4::5:6:7:8]         | HOST_IP_LITERAL_INVALID",
        "[1:]                       | HOST_IP_LITERAL_INVALID",
        "[:1]                       | HOST_IP_LITERAL_INVALID",
        "[12345::]                  | HOST_IP_LITERAL_INVALID",
        "[::g]                      | HOST_IP_LITERAL_INVALID",
        "[::1.2.3.4.5]              | HOST_IP_LITERAL_INVALID",
        "[::1.2.3]                  | HOST_IP_LITERAL_INVALID",
        "[::1.2.3.04]               | HOST_IP_LITERAL_INVALID",
        "[::1.2.3.4:1]              | HOST_IP_LITERAL_INVALID",
        "[1.2.3.4]                  | HOST_IP_LITERAL_INVALID",
        "[1:2:3:4:5:6:7:1.2.3.4]    | HOST_IP_LITERAL_INVALID",
        "[1:2:3:4:5:6::1.2.3.4]     | HOST_IP_LITERAL_INVALID",
        "[::1%25eth0]               | HOST_IP_LITERAL_INVALID",
        "[::1%eth0]                 | HOST_IP_LITERAL_INVALID",
        "[v1.]                      | HOST_IP_LITERAL_INVALID",
        "[v.x]                      | HOST_IP_LITERAL_INVALID",
        "[v1x]                      | HOST_IP_LITERAL_INVALID",
        "[w1.x]                     | HOST_IP_LITERAL_INVALID",
        "[v1.x]]                    | HOST_IP_LITERAL_INVALID",
        "[v1.[]                     | HOST_IP_LITERAL_INVALID",
        "%zz                        | HOST_ESCAPE_INVALID",
        "a%2                        | HOST_ESCAPE_INVALID",
        "a%                         | HOST_ESCAPE_INVALID",
        "a%20b                      | HOST_ESCAPE_INVALID",
        "%41                        | HOST_ESCAPE_INVALID",
        "%7F                        | HOST_ESCAPE_INVALID",
        "%C3                        | HOST_ESCAPE_INVALID",
        "%C3.a                      | HOST_ESCAPE_INVALID",
        "%C3:80                     | HOST_ESCAPE_INVALID",
        "%C3%28                     | HOST_ESCAPE_INVALID",
        "%C0%AE                     | HOST_ESCAPE_INVALID",
        "%E0%80%AE                  | HOST_ESCAPE_INVALID",
        "%ED%A0%80                  | HOST_ESCAPE_INVALID",
        "%F4%90%80%80               | HOST_ESCAPE_INVALID",
        "%BF                        | HOST_ESCAPE_INVALID",
        "127.1                      | HOST_NUMERIC_INVALID",
        "1.2.3.256                  | HOST_NUMERIC_INVALID",
        "1.2.3.4.                   | HOST_NUMERIC_INVALID",
        "1.2.3.4.5                  | HOST_NUMERIC_INVALID",
        "01.2.3.4                   | HOST_NUMERIC_INVALID",
        "0177.0.0.1                 | HOST_NUMERIC_INVALID",
        "0x7f.0.0.1                 | HOST_NUMERIC_INVALID",
        "0x7F000001                 | HOST_NUMERIC_INVALID",
        "2130706433:80              | HOST_NUMERIC_INVALID",
        "example.123                | HOST_NUMERIC_INVALID",
        "example.0X                 | HOST_NUMERIC_INVALID",
        "example.0xff.              | HOST_NUMERIC_INVALID",
        "a b                        | HOST_INVALID",
        "a/b                        | HOST_INVALID",
        "u@a                        | HOST_INVALID",
        "a[b                        | HOST_INVALID",
        "a]                         | HOST_INVALID",
        "\u00e9                     | HOST_INVALID",
        "a<b                        | HOST_INVALID",
        "a{b                        | HOST_INVALID",
    })
    void rejects(String authority, Violation expected) {
        BadMessageException e = assertThrows(BadMessageException.class, () -> Authority.parse(authority, 0, authority.length()));
        assertEquals(expected, e.violation(), e.getMessage());
    }

    @Test
    void parsesOnlyItsRangeOfTheString() throws BadMessageException {
        String s = "http://[::1]:81/x";
        Authority a = Authority.parse(s, 7, 15);
        assertEquals("[::1]", a.host());
        assertEquals(81, a.port());
        assertEquals("b.c", Authority.parse("a@b.c:", 2, 6).host());
        assertEquals(-1, Authority.parse("a@b.c:", 2, 6).port());
        assertEquals(Violation.PORT_INVALID,
                assertThrows(BadMessageException.class, () -> Authority.parse("e:8o", 0, 4)).violation());
        assertEquals("e", Authority.parse("e:8o", 0, 1).host(), "stops at its end, not at the string's");
        assertThrows(IndexOutOfBoundsException.class, () -> Authority.parse("e", 0, 2));
        assertEquals(Violation.HOST_INVALID,
                assertThrows(BadMessageException.class, () -> Authority.parse("a\"b", 0, 3)).violation());
    }

    /**
     * The parser's UTF-8 check agrees with the JDK's strict decoder on every one- and two-byte
     * sequence, and on every lead and second byte followed by each edge of the byte classes: past
     * the second byte only 80-BF may follow, so the edges stand for all values.
     */
    @Test
    void utf8CheckAgreesWithTheJdkDecoder() {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        int[] edges = {0x00, 0x2F, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xF0, 0xFF};
        int checked = 0;
        for (int b0 = 0; b0 < 256; b0++) {
            checked += agree(strict, b0);
            for (int b1 = 0; b1 < 256; b1++) {
                checked += agree(strict, b0, b1);
                if (b0 >= 0xE0) {
                    for (int b2 : edges) {
                        checked += agree(strict, b0, b1, b2);
                        if (b0 >= 0xF0) {
                            for (int b3 : edges) {
                                checked += agree(strict, b0, b1, b2, b3);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(checked > 600_000, "checked " + checked);
    }

    private static int agree(CharsetDecoder strict, int... bytes) {
        byte[] b = new byte[bytes.length];
        int state = 0;
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
            if (state >= 0) {
                state = Uri.utf8Step(state, bytes[i]);
            }
        }
        // The CoderResult form: no exception (and stack trace) per malformed sequence.
        CharBuffer out = CharBuffer.allocate(8);
        boolean jdk = !strict.reset().decode(ByteBuffer.wrap(b), out, true).isError() && !strict.flush(out).isError();
        assertEquals(jdk, state == 0, () -> "bytes " + java.util.Arrays.toString(bytes));
        return 1;
    }

    @Test
    void pathDecodingIsStrictAndFormDecodingStaysLenient() throws BadMessageException {
        assertEquals("café", Uri.decode("caf%C3%A9", false));
        for (String bad : new String[] {"%C0%AF", "%ED%A0%80", "%80", "%C3", "caf%E9", "%F4%90%80%80", "%E2%82"}) {
            BadMessageException e = assertThrows(BadMessageException.class, () -> Uri.decode(bad, false), bad);
            assertEquals(Violation.PATH_NOT_UTF8, e.violation());
        }
        // Bullet left as it was: the query is the handler's data; a malformed sequence is U+FFFD there.
        assertEquals("caf\uFFFD x", Uri.decode("caf%E9+x", true));
    }
}
