package dev.weft.core.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * PEM files (RFC 7468) with the JDK alone: certificates, PKCS#8 keys, and the two older key
 * formats OpenSSL still writes (PKCS#1 {@code RSA PRIVATE KEY}, SEC 1 {@code EC PRIVATE KEY}),
 * which are rewrapped as PKCS#8 since the JDK's key factories read nothing else. Every error
 * names the file, the block and its line.
 */
public final class Pem {

    private Pem() {
    }

    /** One {@code -----BEGIN label-----} … {@code -----END label-----} block. */
    public record Block(String label, byte[] der, int line, int index) {
        /** "file: PEM block 2 (BEGIN CERTIFICATE, line 23)". */
        String where(Path file) {
            return file + ": PEM block " + index + " (BEGIN " + label + ", line " + line + ")";
        }
    }

    /** The blocks of {@code text} in order; text outside blocks (comments, "Bag Attributes") is ignored. */
    public static List<Block> parse(Path file, byte[] content) {
        String text = new String(content, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n|\r|\n", -1);
        List<Block> blocks = new ArrayList<>();
        String label = null;
        int start = 0;
        StringBuilder b64 = new StringBuilder();
        boolean headers = false;
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (label == null) {
                if (l.startsWith("-----BEGIN ") && l.endsWith("-----") && l.length() > 16) {
                    label = l.substring(11, l.length() - 5);
                    start = i + 1;
                    b64.setLength(0);
                    headers = false;
                }
            } else if (l.startsWith("-----END ")) {
                String end = l.endsWith("-----") && l.length() > 14 ? l.substring(9, l.length() - 5) : l;
                if (!end.equals(label)) {
                    throw new IllegalArgumentException(file + ": PEM block " + (blocks.size() + 1) + " (BEGIN " + label
                            + ", line " + start + ") ends with \"" + l + "\" at line " + (i + 1));
                }
                Block where = new Block(label, null, start, blocks.size() + 1);
                if (headers) {
                    // RFC 1421 headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...") mean OpenSSL's legacy encryption.
                    throw new IllegalArgumentException(where.where(file) + ": the key is encrypted (Proc-Type/DEK-Info"
                            + " headers); decrypt it first: openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem");
                }
                byte[] der;
                try {
                    // Strict: the MIME decoder would skip stray characters and hide a damaged file.
                    der = Base64.getDecoder().decode(b64.toString());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where.where(file) + ": bad base64: " + e.getMessage(), e);
                }
                if (der.length == 0) {
                    throw new IllegalArgumentException(where.where(file) + ": the block is empty");
                }
                blocks.add(new Block(label, der, start, blocks.size() + 1));
                label = null;
            } else if (l.indexOf(':') > 0) {
                headers = true;
            } else {
                b64.append(l);
            }
        }
        if (label != null) {
            throw new IllegalArgumentException(file + ": PEM block " + (blocks.size() + 1) + " (BEGIN " + label
                    + ", line " + start + ") has no END line");
        }
        return blocks;
    }

    /** The key formats {@link #privateKey} reads, for error messages. */
    static final String KEY_LABELS = "BEGIN PRIVATE KEY (PKCS#8), BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY";

    /** True for a label {@link #privateKey} reads or explains. */
    static boolean isKey(String label) {
        return label.endsWith("PRIVATE KEY");
    }

    /** The private key of a key block: PKCS#8, PKCS#1 RSA or SEC 1 EC; an encrypted key is refused with what to do. */
    static PrivateKey privateKey(Path file, Block block) {
        byte[] pkcs8;
        switch (block.label()) {
            case "PRIVATE KEY" -> pkcs8 = block.der();
            case "RSA PRIVATE KEY" -> pkcs8 = rsaToPkcs8(block.der());
            case "EC PRIVATE KEY" -> pkcs8 = ecToPkcs8(file, block);
            case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(block.where(file)
                    + ": encrypted keys are not read; decrypt it: openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem");
            default -> throw new IllegalArgumentException(block.where(file) + ": not a key format Weft reads ("
                    + KEY_LABELS + "); convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem");
        }
        GeneralSecurityException last = null;
        // PKCS#8 names its algorithm by OID; rather than map OIDs, let each JDK factory try (they check the OID).
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException e) {
                last = last == null ? e : last;
            }
        }
        throw new IllegalArgumentException(block.where(file) + ": not a private key the JDK can read (RSA, EC, Ed25519,"
                + " Ed448, RSASSA-PSS, DSA): " + (last == null ? "" : last.getMessage())
                + "; convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem", last);
    }

    /** PKCS#1 RSAPrivateKey → PrivateKeyInfo with rsaEncryption (RFC 8017 appendix A.1, RFC 5208). */
    private static byte[] rsaToPkcs8(byte[] pkcs1) {
        byte[] algId = seq(concat(oid(new int[] {1, 2, 840, 113549, 1, 1, 1}), new byte[] {0x05, 0x00}));
        return seq(concat(new byte[] {0x02, 0x01, 0x00}, algId, tlv(0x04, pkcs1)));
    }

    /**
     * SEC 1 ECPrivateKey (RFC 5915: SEQUENCE { version, privateKey OCTET STRING, [0] parameters,
     * [1] publicKey }) → PrivateKeyInfo with id-ecPublicKey and the named curve from [0].
     */
    private static byte[] ecToPkcs8(Path file, Block block) {
        byte[] curve = null;
        try {
            Der outer = new Der(block.der(), 0, block.der().length);
            Der inner = outer.enter(0x30);
            inner.skip(0x02); // version
            inner.skip(0x04); // privateKey
            while (inner.more()) {
                int tag = inner.peekTag();
                if (tag == 0xA0) {
                    Der params = inner.enter(0xA0);
                    if (params.peekTag() != 0x06) {
                        throw new IllegalArgumentException("explicit curve parameters, not a named curve");
                    }
                    curve = params.raw();
                } else {
                    inner.raw();
                }
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException(block.where(file) + ": not a SEC 1 EC key: " + e.getMessage()
                    + "; convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem", e);
        }
        if (curve == null) {
            throw new IllegalArgumentException(block.where(file) + ": the EC key does not name its curve;"
                    + " convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem");
        }
        byte[] algId = seq(concat(oid(new int[] {1, 2, 840, 10045, 2, 1}), curve));
        return seq(concat(new byte[] {0x02, 0x01, 0x00}, algId, tlv(0x04, block.der())));
    }

    /** A minimal DER reader: definite lengths only, as DER requires. */
    private static final class Der {
        private final byte[] b;
        private int pos;
        private final int end;

        Der(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int peekTag() {
            if (pos >= end) {
                throw new IllegalArgumentException("truncated");
            }
            return b[pos] & 0xff;
        }

        /** The length at {@code pos + 1}; leaves {@code pos} at the content, returns its length. */
        private int header() {
            pos++;
            int len = b[pos++] & 0xff;
            if (len >= 0x80) {
                int n = len & 0x7f;
                if (n == 0 || n > 3) {
                    throw new IllegalArgumentException("bad DER length");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[pos++] & 0xff);
                }
            }
            if (len > end - pos) {
                throw new IllegalArgumentException("truncated");
            }
            return len;
        }

        Der enter(int tag) {
            if (peekTag() != tag) {
                throw new IllegalArgumentException("expected tag 0x" + Integer.toHexString(tag) + ", found 0x"
                        + Integer.toHexString(peekTag()));
            }
            int len = header();
            Der d = new Der(b, pos, pos + len);
            pos += len;
            return d;
        }

        void skip(int tag) {
            enter(tag);
        }

        /** The next element whole, tag and length included. */
        byte[] raw() {
            int start = pos;
            int len = header();
            pos += len;
            return java.util.Arrays.copyOfRange(b, start, pos);
        }
    }

    private static byte[] seq(byte[] content) {
        return tlv(0x30, content);
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int len = content.length;
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >> 8);
            out.write(len);
        } else {
            out.write(0x83);
            out.write(len >> 16);
            out.write(len >> 8);
            out.write(len);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] oid(int[] arcs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(arcs[0] * 40 + arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            int v = arcs[i];
            int n = 0;
            byte[] tmp = new byte[5];
            do {
                tmp[n++] = (byte) (v & 0x7f);
                v >>>= 7;
            } while (v != 0);
            for (int j = n - 1; j >= 0; j--) {
                out.write(tmp[j] | (j > 0 ? 0x80 : 0));
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
