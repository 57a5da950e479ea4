package dev.weft.http.internal;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The Content-Type of a file from its name's extension: a fixed table, not
 * {@code Files.probeContentType}, whose answer depends on the machine (its mime.types, the
 * desktop's database) and can be absent. Text types (and XML, SVG) carry {@code charset=utf-8}:
 * without it a browser guesses the charset of a page or script (RFC 9110 §8.3.1 leaves it to
 * the sender); JSON has no charset parameter, being UTF-8 by definition.
 * Unknown extensions are {@code application/octet-stream} (RFC 9110 §8.3: a sender that does
 * not know the type may omit it, but then clients sniff it; saying "bytes" is safer).
 */
public final class MediaTypes {

    /** For a name without a known extension. */
    public static final String OCTET_STREAM = "application/octet-stream";

    private static final String UTF8 = "; charset=utf-8";
    private static final Map<String, String> TYPES = new HashMap<>();

    static {
        text("html", "text/html");
        text("htm", "text/html");
        text("css", "text/css");
        text("js", "text/javascript"); // RFC 9239: text/javascript is the one registered type
        text("mjs", "text/javascript");
        text("cjs", "text/javascript");
        // JSON is UTF-8 by definition; its registration has no charset parameter (RFC 8259 §11).
        TYPES.put("json", "application/json");
        TYPES.put("map", "application/json"); // source maps are JSON
        TYPES.put("webmanifest", "application/manifest+json");
        text("txt", "text/plain");
        text("text", "text/plain");
        text("md", "text/markdown");
        text("csv", "text/csv");
        text("xml", "application/xml");
        text("xhtml", "application/xhtml+xml");
        text("rss", "application/rss+xml");
        text("atom", "application/atom+xml");
        text("svg", "image/svg+xml");
        text("ics", "text/calendar");
        text("yaml", "application/yaml");
        text("yml", "application/yaml");
        TYPES.put("png", "image/png");
        TYPES.put("jpg", "image/jpeg");
        TYPES.put("jpeg", "image/jpeg");
        TYPES.put("gif", "image/gif");
        TYPES.put("webp", "image/webp");
        TYPES.put("avif", "image/avif");
        TYPES.put("ico", "image/vnd.microsoft.icon");
        TYPES.put("bmp", "image/bmp");
        TYPES.put("tif", "image/tiff");
        TYPES.put("tiff", "image/tiff");
        TYPES.put("woff", "font/woff");
        TYPES.put("woff2", "font/woff2");
        TYPES.put("ttf", "font/ttf");
        TYPES.put("otf", "font/otf");
        TYPES.put("eot", "application/vnd.ms-fontobject");
        TYPES.put("pdf", "application/pdf");
        TYPES.put("wasm", "application/wasm");
        TYPES.put("mp4", "video/mp4");
        TYPES.put("m4v", "video/mp4");
        TYPES.put("webm", "video/webm");
        TYPES.put("ogv", "video/ogg");
        TYPES.put("mov", "video/quicktime");
        TYPES.put("mp3", "audio/mpeg");
        TYPES.put("m4a", "audio/mp4");
        TYPES.put("ogg", "audio/ogg");
        TYPES.put("oga", "audio/ogg");
        TYPES.put("opus", "audio/ogg");
        TYPES.put("wav", "audio/wav");
        TYPES.put("flac", "audio/flac");
        TYPES.put("zip", "application/zip");
        TYPES.put("gz", "application/gzip");
        TYPES.put("tgz", "application/gzip");
        TYPES.put("br", "application/octet-stream");
        TYPES.put("zst", "application/zstd");
        TYPES.put("tar", "application/x-tar");
        TYPES.put("7z", "application/x-7z-compressed");
        TYPES.put("jar", "application/java-archive");
        TYPES.put("bin", OCTET_STREAM);
    }

    private static void text(String ext, String type) {
        TYPES.put(ext, type + UTF8);
    }

    private MediaTypes() {
    }

    /** The lower-case extension of {@code name} (after its last dot, not a leading one), or "". */
    public static String extension(String name) {
        int slash = name.lastIndexOf('/');
        int dot = name.lastIndexOf('.');
        if (dot <= slash + 1) {
            return ""; // no dot, or only a leading one (".profile" has no extension)
        }
        return name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /**
     * The type for {@code name}: {@code overrides} (lower-case extension to type) first, then the
     * table, else {@code application/octet-stream}.
     */
    public static String forName(String name, Map<String, String> overrides) {
        String ext = extension(name);
        String t = overrides.get(ext);
        if (t == null) {
            t = TYPES.get(ext);
        }
        return t != null ? t : OCTET_STREAM;
    }
}
