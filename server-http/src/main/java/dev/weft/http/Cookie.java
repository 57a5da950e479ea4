package dev.weft.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;

/**
 * A cookie to set ({@code Set-Cookie}, RFC 6265 §4.1), checked when built: a name, value or
 * attribute that a browser would misread, or that would split the header, is refused with an
 * {@link IllegalArgumentException} saying which, so it never reaches the wire. Send it with
 * {@link Response#cookie(Cookie)}; each cookie is its own {@code Set-Cookie} line (never folded,
 * RFC 6265 §3).
 *
 * <pre>{@code
 * res.cookie(Cookie.builder("session", id).path("/").httpOnly(true).secure(true)
 *         .sameSite(Cookie.SameSite.LAX).maxAge(Duration.ofHours(8)).build());
 * res.cookie(Cookie.expired("session").path("/").build());   // deletes it
 * }</pre>
 */
public final class Cookie {

    /** The {@code SameSite} attribute (RFC 6265bis §4.1.2.7). */
    public enum SameSite {
        /** Sent only with requests from the same site. */
        STRICT("Strict"),
        /** Also sent with top-level navigations from other sites (browsers' default). */
        LAX("Lax"),
        /** Sent with cross-site requests too; requires {@code Secure}. */
        NONE("None");

        private final String attribute;

        SameSite(String attribute) {
            this.attribute = attribute;
        }

        /** The attribute value as sent: {@code Strict}, {@code Lax} or {@code None}. */
        public String attribute() {
            return attribute;
        }
    }

    /** RFC 6265bis §5.6: user agents ignore a name plus value longer than this. */
    public static final int MAX_NAME_VALUE_BYTES = 4096;

    /** RFC 6265bis §5.6: user agents ignore an attribute value longer than this. */
    public static final int MAX_ATTRIBUTE_BYTES = 1024;

    // IMF-fixdate (RFC 9110 §5.6.7): two-digit day, unlike RFC_1123_DATE_TIME.
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final String name;
    private final String value;
    private final String path;
    private final String domain;
    private final Duration maxAge;
    private final Instant expires;
    private final boolean secure;
    private final boolean httpOnly;
    private final SameSite sameSite;
    private final boolean partitioned;
    private final String header;

    private Cookie(Builder b) {
        name = b.name;
        value = b.value;
        path = b.path;
        domain = b.domain;
        maxAge = b.maxAge;
        expires = b.expires;
        secure = b.secure;
        httpOnly = b.httpOnly;
        sameSite = b.sameSite;
        partitioned = b.partitioned;
        StringBuilder sb = new StringBuilder(name.length() + value.length() + 64).append(name).append('=').append(value);
        if (path != null) {
            sb.append("; Path=").append(path);
        }
        if (domain != null) {
            sb.append("; Domain=").append(domain);
        }
        if (maxAge != null) {
            sb.append("; Max-Age=").append(maxAge.getSeconds());
        }
        if (expires != null) {
            sb.append("; Expires=").append(IMF_FIXDATE.format(expires));
        }
        if (secure) {
            sb.append("; Secure");
        }
        if (httpOnly) {
            sb.append("; HttpOnly");
        }
        if (sameSite != null) {
            sb.append("; SameSite=").append(sameSite.attribute());
        }
        if (partitioned) {
            sb.append("; Partitioned");
        }
        header = sb.toString();
    }

    /** A cookie with no attributes (a session cookie for the request's host and path). */
    public static Cookie of(String name, String value) {
        return builder(name, value).build();
    }

    /**
     * Starts a cookie. {@code name} must be a token (RFC 6265 §4.1.1, RFC 9110 §5.6.2);
     * {@code value} cookie-octets (printable ASCII but space, {@code " , ; \}), optionally
     * wrapped whole in double quotes; empty is allowed.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Builder builder(String name, String value) {
        return new Builder(name, value);
    }

    /**
     * Starts a cookie that deletes {@code name} in the browser: empty value, {@code Max-Age=0}
     * and an {@code Expires} in the past. Give it the same Path and Domain as the cookie had.
     */
    public static Builder expired(String name) {
        return new Builder(name, "").maxAge(Duration.ZERO).expires(Instant.EPOCH);
    }

    public String name() {
        return name;
    }

    public String value() {
        return value;
    }

    /** The Path attribute, or {@code null}. */
    public String path() {
        return path;
    }

    /** The Domain attribute, or {@code null} (a host-only cookie). */
    public String domain() {
        return domain;
    }

    /** The Max-Age attribute, or {@code null} (whole seconds are sent). */
    public Duration maxAge() {
        return maxAge;
    }

    /** The Expires attribute, or {@code null}. */
    public Instant expires() {
        return expires;
    }

    public boolean secure() {
        return secure;
    }

    public boolean httpOnly() {
        return httpOnly;
    }

    /** The SameSite attribute, or {@code null} (not sent: the browser's default, Lax in most). */
    public SameSite sameSite() {
        return sameSite;
    }

    public boolean partitioned() {
        return partitioned;
    }

    /** The {@code Set-Cookie} field value: {@code name=value; Path=/; …}. */
    public String headerValue() {
        return header;
    }

    @Override
    public String toString() {
        return header;
    }

    /** Sets the attributes of one cookie; every setter checks its argument, {@link #build()} their combination. */
    public static final class Builder {
        private final String name;
        private final String value;
        private String path;
        private String domain;
        private Duration maxAge;
        private Instant expires;
        private boolean secure;
        private boolean httpOnly;
        private SameSite sameSite;
        private boolean partitioned;

        private Builder(String name, String value) {
            Objects.requireNonNull(name, "cookie name");
            Objects.requireNonNull(value, "cookie value");
            checkName(name);
            checkValue(name, value);
            if (name.length() + value.length() > MAX_NAME_VALUE_BYTES) {
                throw new IllegalArgumentException("cookie " + name + ": name and value over "
                        + MAX_NAME_VALUE_BYTES + " bytes, which browsers ignore");
            }
            this.name = name;
            this.value = value;
        }

        /**
         * The Path attribute: starting with {@code /}, printable ASCII without {@code ;}
         * (RFC 6265 §4.1.1 av-octets).
         */
        public Builder path(String path) {
            if (path != null) {
                checkAttribute("Path", path);
                if (!path.startsWith("/")) {
                    throw new IllegalArgumentException("cookie " + name + ": Path must start with '/': " + path);
                }
            }
            this.path = path;
            return this;
        }

        /**
         * The Domain attribute: a host name of letters, digits, hyphens and dots (an optional
         * leading dot is dropped by browsers, RFC 6265 §5.2.3). Not an IP address in practice:
         * browsers then make the cookie host-only or refuse it. {@code null}: host-only.
         */
        public Builder domain(String domain) {
            if (domain != null) {
                checkAttribute("Domain", domain);
                String d = domain.startsWith(".") ? domain.substring(1) : domain;
                if (d.isEmpty() || d.length() > 253) {
                    throw new IllegalArgumentException("cookie " + name + ": Domain is empty or too long: " + domain);
                }
                for (String label : d.split("\\.", -1)) {
                    if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                        throw new IllegalArgumentException("cookie " + name + ": Domain label '" + label + "' is invalid: " + domain);
                    }
                    for (int i = 0; i < label.length(); i++) {
                        char c = label.charAt(i);
                        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
                            throw new IllegalArgumentException("cookie " + name + ": Domain holds '" + c
                                    + "' (letters, digits, '-' and '.' only; IDNs as punycode): " + domain);
                        }
                    }
                }
            }
            this.domain = domain;
            return this;
        }

        /** The Max-Age attribute, in whole seconds; {@link Duration#ZERO} deletes the cookie. Not negative. */
        public Builder maxAge(Duration maxAge) {
            if (maxAge != null && maxAge.isNegative()) {
                throw new IllegalArgumentException("cookie " + name + ": Max-Age must not be negative: " + maxAge);
            }
            this.maxAge = maxAge;
            return this;
        }

        /** The Expires attribute, sent as an IMF-fixdate; years 1601–9999. */
        public Builder expires(Instant expires) {
            if (expires != null) {
                int year = expires.atZone(ZoneOffset.UTC).getYear();
                if (year < 1601 || year > 9999) {
                    throw new IllegalArgumentException("cookie " + name + ": Expires year " + year + " outside 1601–9999");
                }
            }
            this.expires = expires;
            return this;
        }

        /** Sent over HTTPS only. */
        public Builder secure(boolean secure) {
            this.secure = secure;
            return this;
        }

        /** Hidden from scripts ({@code document.cookie}). */
        public Builder httpOnly(boolean httpOnly) {
            this.httpOnly = httpOnly;
            return this;
        }

        /** The SameSite attribute; {@code null} sends none. {@link SameSite#NONE} requires {@link #secure(boolean)}. */
        public Builder sameSite(SameSite sameSite) {
            this.sameSite = sameSite;
            return this;
        }

        /** The Partitioned attribute (CHIPS: a third-party cookie kept per top-level site); requires Secure. */
        public Builder partitioned(boolean partitioned) {
            this.partitioned = partitioned;
            return this;
        }

        /**
         * The cookie. Refuses what browsers would reject: {@code SameSite=None} or
         * {@code Partitioned} without {@code Secure}; a {@code __Secure-} name without
         * {@code Secure}; a {@code __Host-} name without {@code Secure}, with a Domain, or with a
         * Path other than {@code /} (RFC 6265bis §4.1.3).
         *
         * @throws IllegalArgumentException naming the rule
         */
        public Cookie build() {
            if (sameSite == SameSite.NONE && !secure) {
                throw new IllegalArgumentException("cookie " + name + ": SameSite=None requires Secure (browsers reject it otherwise)");
            }
            if (partitioned && !secure) {
                throw new IllegalArgumentException("cookie " + name + ": Partitioned requires Secure");
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("__secure-") && !secure) {
                throw new IllegalArgumentException("cookie " + name + ": a __Secure- name requires Secure");
            }
            if (lower.startsWith("__host-") && (!secure || domain != null || !"/".equals(path))) {
                throw new IllegalArgumentException("cookie " + name + ": a __Host- name requires Secure, Path=/ and no Domain");
            }
            return new Cookie(this);
        }

        private static void checkName(String name) {
            if (name.isEmpty()) {
                throw new IllegalArgumentException("cookie name is empty");
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c <= 0x20 || c >= 0x7F || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                    throw new IllegalArgumentException("cookie name " + printable(name) + " is not a token: "
                            + describe(c) + " at " + i);
                }
            }
        }

        private static void checkValue(String name, String value) {
            String inner = value;
            if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
                inner = value.substring(1, value.length() - 1); // RFC 6265 §4.1.1: DQUOTE *cookie-octet DQUOTE
            }
            for (int i = 0; i < inner.length(); i++) {
                char c = inner.charAt(i);
                // cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
                if (c <= 0x20 || c >= 0x7F || c == '"' || c == ',' || c == ';' || c == '\\') {
                    throw new IllegalArgumentException("cookie " + name + ": value holds " + describe(c)
                            + " (only printable ASCII but space, '\"', ',', ';' and '\\'; encode it, e.g. Base64url)");
                }
            }
        }

        private void checkAttribute(String attribute, String v) {
            if (v.length() > MAX_ATTRIBUTE_BYTES) {
                throw new IllegalArgumentException("cookie " + name + ": " + attribute + " over " + MAX_ATTRIBUTE_BYTES + " bytes");
            }
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c < 0x20 || c >= 0x7F || c == ';') {
                    throw new IllegalArgumentException("cookie " + name + ": " + attribute + " holds " + describe(c));
                }
            }
        }

        private static String describe(char c) {
            return switch (c) {
                case '\r' -> "CR";
                case '\n' -> "LF";
                case ' ' -> "a space";
                case '\t' -> "a tab";
                default -> c < 0x20 || c == 0x7F ? String.format("control byte 0x%02X", (int) c)
                        : c >= 0x80 ? String.format("non-ASCII U+%04X", (int) c) : "'" + c + "'";
            };
        }

        private static String printable(String s) {
            StringBuilder sb = new StringBuilder("'");
            for (int i = 0; i < s.length() && i < 64; i++) {
                char c = s.charAt(i);
                sb.append(c < 0x20 || c == 0x7F ? '?' : c);
            }
            return sb.append('\'').toString();
        }
    }
}
