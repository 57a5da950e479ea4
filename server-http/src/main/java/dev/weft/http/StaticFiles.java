package dev.weft.http;

import dev.weft.http.internal.FileResponse;
import dev.weft.http.internal.MediaTypes;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Static content: the files under a directory, or resources on the class path, answered as a
 * demanding client expects (Go's {@code http.FileServer} is the bar).
 *
 * <pre>{@code
 * HttpServer.builder()
 *         .staticFiles("/assets", StaticFiles.directory(Path.of("public"))
 *                 .cacheControl("public, max-age=31536000, immutable"))
 *         .classpathResources("/", "web/")                  // index.html and friends from the jar
 *         .get("/report", (req, res) -> StaticFiles.serveFile(req, res, Path.of("out/report.pdf")))
 *         .start();
 * }</pre>
 *
 * <ul>
 *   <li><b>Bodies</b> go from the file to the socket without passing through the heap on plain
 *       TCP (sendfile), through the connection's buffer on TLS; never a whole file in memory.
 *       The file is written once the handler and filters returned, as {@code send(...)}; a file
 *       that shrinks or fails to read while it is sent resets the connection.
 *   <li><b>Content-Type</b> from a built-in table of extensions ({@code charset=utf-8} for text),
 *       {@link #contentType(String, String)} to add or change one; unknown is
 *       {@code application/octet-stream}.
 *   <li><b>Validators</b>: a strong {@code ETag} from size and modification time, and
 *       {@code Last-Modified}; {@code If-Match}, {@code If-Unmodified-Since} (412),
 *       {@code If-None-Match}, {@code If-Modified-Since} (304) in the order of RFC 9110 §13.2.2.
 *   <li><b>Ranges</b> (GET only): single, suffix and open ranges (206), several as
 *       {@code multipart/byteranges}, {@code If-Range}, 416 with {@code Content-Range: bytes *}/len;
 *       at most 16 ranges (more: the whole file), overlapping ones merged.
 *   <li><b>Precompressed siblings</b>: {@code app.js.br} or {@code app.js.gz} next to
 *       {@code app.js} is sent instead when the client's {@code Accept-Encoding} takes it
 *       ({@code br} preferred at equal weight), with {@code Content-Encoding} and
 *       {@code Vary: Accept-Encoding}; a sibling older than its file is ignored, and a GET with a
 *       {@code Range} gets the file itself. Files are never
 *       gzip-encoded on the fly (their validators name their bytes).
 *   <li><b>Safety</b>: {@code ..}, {@code .}, backslashes and control characters in the path are
 *       400; the resolved file must be under the root, symbolic links included (their real path
 *       is checked) unless {@link #allowSymlinksOutsideRoot(boolean)}; names starting with a dot
 *       are 404 unless {@link #hideDotFiles(boolean) hideDotFiles(false)}; a directory is its
 *       {@link #index(String) index} file or 404, never a listing, and a directory asked for
 *       without its trailing slash is redirected (301) to it, so relative links in the page
 *       resolve; anything but a regular file is 404; a file the server may not read is 403.
 *       Other methods than GET and HEAD are 405 with {@code Allow: GET, HEAD}.
 * </ul>
 *
 * Instances are immutable: every option returns a new one. As a {@link Handler} it serves the
 * route's {@code *} (the rest of the path), so mount it on a {@code /prefix/*} route, as
 * {@link HttpServer.Builder#staticFiles(String, StaticFiles)} does.
 */
public final class StaticFiles implements Handler {

    private static final String ALLOW = "GET, HEAD";

    /** The directory served (absolute, normalized), or null for class-path resources. */
    private final Path root;
    /** {@code root.toRealPath()}: what resolved files must stay under. */
    private final Path realRoot;
    /** The class-path prefix ("" or ending in '/'), or null for a directory. */
    private final String resourcePrefix;
    private final ClassLoader loader;
    private final String cacheControl;
    private final String index;
    private final boolean allowSymlinksOutsideRoot;
    private final boolean hideDotFiles;
    private final Map<String, String> types;
    private final boolean precompressed;

    private StaticFiles(Path root, Path realRoot, String resourcePrefix, ClassLoader loader, String cacheControl,
            String index, boolean allowSymlinksOutsideRoot, boolean hideDotFiles, Map<String, String> types,
            boolean precompressed) {
        this.root = root;
        this.realRoot = realRoot;
        this.resourcePrefix = resourcePrefix;
        this.loader = loader;
        this.cacheControl = cacheControl;
        this.index = index;
        this.allowSymlinksOutsideRoot = allowSymlinksOutsideRoot;
        this.hideDotFiles = hideDotFiles;
        this.types = types;
        this.precompressed = precompressed;
    }

    /**
     * The files under {@code root}, which must be an existing directory.
     *
     * @throws IllegalArgumentException if {@code root} is not a directory (or cannot be resolved)
     */
    public static StaticFiles directory(Path root) {
        Objects.requireNonNull(root, "root");
        Path abs = root.toAbsolutePath().normalize();
        Path real;
        try {
            real = abs.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("static files root " + root + ": " + e, e);
        }
        if (!Files.isDirectory(real)) {
            throw new IllegalArgumentException("static files root " + root + " is not a directory");
        }
        return new StaticFiles(abs, real, null, null, null, "index.html", false, true, Map.of(), true);
    }

    /**
     * The resources named {@code prefix + path} of the class loader that loaded this class
     * (for a plain class path: the application's), e.g. {@code classpath("web/")} serves
     * {@code web/app.css} for {@code /app.css}. Use a prefix that is not a Java package name
     * (a hyphen in it, or a directory like {@code META-INF/resources/}) when the resources live
     * in a named module, whose packages are encapsulated.
     */
    public static StaticFiles classpath(String prefix) {
        return classpath(prefix, Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : StaticFiles.class.getClassLoader());
    }

    /**
     * The resources named {@code prefix + path} of {@code loader}. Entries in a jar are streamed
     * (their bytes cannot be sent by sendfile); a resource that is a plain file is sent as one.
     *
     * @throws IllegalArgumentException if {@code prefix} is empty (the whole class path, classes
     *     included) or holds {@code ..}, {@code .}, a backslash or a control character
     */
    public static StaticFiles classpath(String prefix, ClassLoader loader) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(loader, "loader");
        List<String> segments;
        try {
            segments = segments(prefix);
        } catch (HttpException e) {
            throw new IllegalArgumentException("class-path prefix '" + prefix + "': " + e.reason());
        }
        String p = String.join("/", segments);
        if (p.isEmpty()) {
            throw new IllegalArgumentException("class-path prefix '" + prefix
                    + "': empty, which would publish every class and resource on the class path; name a folder, e.g. \"web/\"");
        }
        return new StaticFiles(null, null, p + "/", loader, null, "index.html", false, true,
                Map.of(), true);
    }

    private StaticFiles with(String cacheControl, String index, boolean symlinks, boolean dots, Map<String, String> types,
            boolean precompressed) {
        return new StaticFiles(root, realRoot, resourcePrefix, loader, cacheControl, index, symlinks, dots, types,
                precompressed);
    }

    /**
     * {@code Cache-Control} for every file of this mount, e.g.
     * {@code "public, max-age=31536000, immutable"} for fingerprinted assets or {@code "no-cache"}
     * (always revalidate, cheap with the ETag); null (the default) sends none.
     *
     * @throws IllegalArgumentException for a value with control characters
     */
    public StaticFiles cacheControl(String value) {
        if (value != null) {
            checkValue("cacheControl", value);
        }
        return with(value, index, allowSymlinksOutsideRoot, hideDotFiles, types, precompressed);
    }

    /**
     * The file answering for a directory ({@code index.html} by default); null: a directory is 404.
     *
     * @throws IllegalArgumentException if {@code name} is empty or holds a slash, backslash or control character
     */
    public StaticFiles index(String name) {
        if (name != null) {
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0) {
                throw new IllegalArgumentException("index '" + name + "': one file name, not a path");
            }
            checkValue("index", name);
            if (name.indexOf('\\') >= 0) {
                throw new IllegalArgumentException("index '" + name + "': one file name, not a path");
            }
        }
        return with(cacheControl, name, allowSymlinksOutsideRoot, hideDotFiles, types, precompressed);
    }

    /**
     * Whether a symbolic link under the root may lead out of it (default false: such a file is
     * 404, as a link to {@code /etc} would otherwise publish it). Class-path resources are not
     * affected.
     */
    public StaticFiles allowSymlinksOutsideRoot(boolean allow) {
        return with(cacheControl, index, allow, hideDotFiles, types, precompressed);
    }

    /**
     * Whether files and directories whose name starts with a dot ({@code .git}, {@code .env})
     * are hidden: 404 as if absent. Default true; turn it off to serve {@code .well-known}.
     */
    public StaticFiles hideDotFiles(boolean hide) {
        return with(cacheControl, index, allowSymlinksOutsideRoot, hide, types, precompressed);
    }

    /**
     * Sets the Content-Type for files ending in {@code .extension} (case-insensitive), over the
     * built-in table, e.g. {@code contentType("md", "text/markdown; charset=utf-8")}.
     *
     * @throws IllegalArgumentException for an empty extension, one with a dot, or a bad type
     */
    public StaticFiles contentType(String extension, String type) {
        Objects.requireNonNull(extension, "extension");
        Objects.requireNonNull(type, "type");
        if (extension.isEmpty() || extension.indexOf('.') >= 0 || extension.indexOf('/') >= 0) {
            throw new IllegalArgumentException("extension '" + extension + "': without the dot, e.g. \"md\"");
        }
        checkValue("contentType", type);
        if (type.isBlank()) {
            throw new IllegalArgumentException("contentType for ." + extension + " is blank");
        }
        Map<String, String> t = new HashMap<>(types);
        t.put(extension.toLowerCase(Locale.ROOT), type);
        return with(cacheControl, index, allowSymlinksOutsideRoot, hideDotFiles, Map.copyOf(t), precompressed);
    }

    /**
     * Whether precompressed siblings ({@code name.br}, {@code name.gz}) are sent to clients that
     * accept their coding. Default true.
     */
    public StaticFiles precompressed(boolean on) {
        return with(cacheControl, index, allowSymlinksOutsideRoot, hideDotFiles, types, on);
    }

    /** Serves the route's {@code *} (the rest of the path), or the whole path on a route without one. */
    @Override
    public void handle(Request req, Response res) throws IOException {
        String rest = req.pathParam("*");
        serve(req, res, rest != null ? rest : req.path());
    }

    /**
     * Serves {@code relativePath} (decoded, '/'-separated; leading slashes ignored) of this
     * mount, with every rule of the class description: for a route of one's own, e.g.
     * {@code files.serve(req, res, req.pathParam("name") + ".pdf")}. A directory named without
     * a trailing slash is redirected to one only when the request's path ends with
     * {@code relativePath} (the URL names it); otherwise its index is served as is.
     */
    public void serve(Request req, Response res, String relativePath) throws IOException {
        if (!allowedMethod(req, res)) {
            return;
        }
        List<String> segments = segments(relativePath);
        if (hideDotFiles) {
            for (String s : segments) {
                if (s.startsWith(".")) {
                    throw notFound();
                }
            }
        }
        Objects.requireNonNull(relativePath, "relativePath");
        // A directory named without its slash is redirected to it when the URL is what names it
        // (a mount: the relative path is the end of the request's path); a name of the caller's
        // own choosing (from a query, say) gets its index directly.
        boolean slash = relativePath.isEmpty() ? req.rawPath().endsWith("/") : relativePath.endsWith("/");
        boolean redirect = !slash && req.path().endsWith(relativePath);
        if (root != null) {
            Path p = root;
            for (String s : segments) {
                p = p.resolve(s);
            }
            if (!p.normalize().startsWith(root)) {
                throw new HttpException(400, "invalid file path"); // unreachable after segments(); kept as the rule
            }
            serveFile(req, res, p, slash, redirect);
        } else {
            serveResource(req, res, resourcePrefix + String.join("/", segments), segments.isEmpty(), slash, redirect);
        }
    }

    /**
     * Serves one file chosen by the caller (no root, no index): Content-Type from its name,
     * validators, conditional requests, ranges and precompressed siblings as for a mount with
     * the defaults. A missing file, a directory or anything but a regular file is 404.
     */
    public static void serveFile(Request req, Response res, Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        StaticFiles single = new StaticFiles(null, null, null, null, null, null, true, false, Map.of(), true);
        if (!single.allowedMethod(req, res)) {
            return;
        }
        single.serveFile(req, res, file.toAbsolutePath().normalize(), false, false);
    }

    private boolean allowedMethod(Request req, Response res) {
        String m = req.method();
        if (m.equals("GET") || m.equals("HEAD")) {
            return true;
        }
        // Not an HttpException: the error answer would carry the route's Allow, not this one.
        res.status(405).header("Allow", ALLOW).contentType("text/plain; charset=utf-8").send("method not allowed\n");
        return false;
    }

    /**
     * The path's segments. {@code ..} and {@code .} (a way out of the root, or a second name for
     * a file), backslashes (a separator on some file systems), and control characters (NUL ends
     * a name in C) are 400; empty segments ({@code a//b}) are dropped.
     */
    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        int n = path.length();
        int start = 0;
        for (int i = 0; i <= n; i++) {
            if (i == n || path.charAt(i) == '/') {
                if (i > start) {
                    String s = path.substring(start, i);
                    if (s.equals(".") || s.equals("..")) {
                        throw new HttpException(400, "invalid file path: dot segment");
                    }
                    out.add(s);
                }
                start = i + 1;
                continue;
            }
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7F || c == '\\') {
                throw new HttpException(400, "invalid file path: " + (c == '\\' ? "backslash" : "control character"));
            }
        }
        return out;
    }

    private static HttpException notFound() {
        return new HttpException(404, "not found");
    }

    /** Attributes of {@code p} (links followed), or null when it does not exist, or 403/404. */
    private static BasicFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class);
        } catch (AccessDeniedException e) {
            throw new HttpException(403, "forbidden");
        } catch (IOException e) {
            return null; // missing, not a directory on the way, a link loop: absent to the client
        }
    }

    /**
     * The real path of {@code p} (whose attributes, links followed, are {@code a}), checked to be
     * under the root (unless links may leave it) and, when dot files are hidden, to have no
     * dot-named part under the root: a link to {@code .git/config} is as hidden as the name. Null
     * when the check fails.
     *
     * <p>Resolving the real path walks every component ({@code readlink} each, in libc's
     * {@code realpath}), the largest part of serving a small file. A path found free of links
     * below the root is remembered with its file's key (device and inode): while {@code p} still
     * leads to that same file, it is the same checked file, at the same real path, and the walk
     * is skipped. A link put in since, a file replaced, a root that now points elsewhere: each
     * leads {@code p} to another file key, and the path is checked afresh. Paths with links
     * below the root are checked on every request.
     */
    private Path confined(Path p, BasicFileAttributes a) {
        if (realRoot == null || allowSymlinksOutsideRoot) {
            return p;
        }
        Object key = a.fileKey();
        LinkFree known = key == null ? null : linkFree.get(p);
        if (known != null && known.fileKey.equals(key)) {
            return known.real;
        }
        Path real;
        try {
            real = p.toRealPath();
        } catch (IOException e) {
            return null;
        }
        if (!real.startsWith(realRoot)) {
            return null;
        }
        if (hideDotFiles) {
            for (Path part : realRoot.relativize(real)) {
                if (part.toString().startsWith(".")) {
                    return null;
                }
            }
        }
        if (key != null && real.equals(realRoot.resolve(root.relativize(p)))) {
            if (linkFree.size() >= LINK_FREE_MAX) {
                linkFree.clear(); // bounded: a crawler of many paths costs walks again, never memory
            }
            linkFree.put(p, new LinkFree(key, real));
        }
        return real;
    }

    /** A path found free of links below the root: its file's key when it was checked, and its real path. */
    private record LinkFree(Object fileKey, Path real) {
    }

    /** How many link-free paths {@link #confined} remembers per mount. */
    private static final int LINK_FREE_MAX = 4096;

    private final java.util.concurrent.ConcurrentHashMap<Path, LinkFree> linkFree = new java.util.concurrent.ConcurrentHashMap<>();

    private boolean confinedRoot() {
        return realRoot != null && !allowSymlinksOutsideRoot;
    }

    private void serveFile(Request req, Response res, Path p, boolean slash, boolean redirect) throws IOException {
        BasicFileAttributes a = attributes(p);
        Path real = a == null ? null : confined(p, a);
        if (real == null) {
            throw notFound();
        }
        if (a.isDirectory()) {
            if (index == null) {
                throw notFound();
            }
            if (redirect) {
                redirectToSlash(req, res);
                return;
            }
            p = p.resolve(index);
            a = attributes(p);
            real = a == null ? null : confined(p, a);
            if (real == null) {
                throw notFound();
            }
        } else if (slash && root != null) {
            throw notFound(); // a file is not a directory: "/a.txt/" names nothing
        }
        if (!a.isRegularFile()) {
            throw notFound(); // a directory (as index), a FIFO (opening it would block), a device
        }
        String name = p.getFileName().toString();
        String type = MediaTypes.forName(name, types);
        java.nio.file.attribute.FileTime modified = a.lastModifiedTime();
        String encoding = null;
        boolean vary = false;
        Path chosen = real;
        if (precompressed && encodable(name)) {
            String[] codings = {"br", "gzip"};
            Path[] siblings = new Path[2];
            java.nio.file.attribute.FileTime[] times = new java.nio.file.attribute.FileTime[2];
            for (int i = 0; i < 2; i++) {
                Path s = p.resolveSibling(name + (i == 0 ? ".br" : ".gz"));
                BasicFileAttributes sa = attributesOrNull(s);
                // A sibling older than its file is a stale build output: never sent for it.
                if (sa != null && sa.isRegularFile() && sa.lastModifiedTime().compareTo(modified) >= 0) {
                    siblings[i] = confined(s, sa);
                    times[i] = sa.lastModifiedTime();
                }
            }
            vary = siblings[0] != null || siblings[1] != null;
            int pick = pick(req, siblings[0] != null, siblings[1] != null);
            if (pick >= 0) {
                chosen = siblings[pick];
                encoding = codings[pick];
                modified = times[pick];
            }
        }
        FileChannel ch;
        try {
            // Confined, chosen is a real path: its last part is no link, and must not have become one since.
            ch = confinedRoot() ? FileChannel.open(chosen, StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    : FileChannel.open(chosen, StandardOpenOption.READ);
        } catch (AccessDeniedException e) {
            throw new HttpException(403, "forbidden");
        } catch (FileSystemException e) {
            throw notFound(); // removed since, or became unreadable in another way
        }
        FileResponse.Resource r;
        try {
            r = new FileResponse.FileResource(ch, modified);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        FileResponse.respond(req, res, r, type, encoding, vary, cacheControl);
    }

    private static BasicFileAttributes attributesOrNull(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** Not a name that is itself compressed: {@code x.gz} has no {@code x.gz.gz} worth looking for. */
    private static boolean encodable(String name) {
        String ext = MediaTypes.extension(name);
        return !(ext.equals("gz") || ext.equals("br") || ext.equals("zst") || ext.equals("zip"));
    }

    /**
     * Which sibling to send: 0 for br, 1 for gzip, -1 for the file itself. A GET with a Range
     * gets the file itself (ranges are of the identity bytes, so a resumed download and its
     * If-Range stay about one representation); so does a client that accepts neither.
     */
    private static int pick(Request req, boolean br, boolean gz) {
        if (req.method().equals("GET") && req.header("Range") != null) {
            return -1;
        }
        String ae = req.header("Accept-Encoding");
        int qb = br ? FileResponse.quality(ae, "br") : 0;
        int qg = gz ? FileResponse.quality(ae, "gzip") : 0;
        if (qb > 0 && qb >= qg) {
            return 0;
        }
        return qg > 0 ? 1 : -1;
    }

    private static void redirectToSlash(Request req, Response res) {
        String q = req.rawQuery();
        // The raw path as sent, so its escapes stay as they were; Location may be relative (RFC 9110 §10.2.2).
        res.status(301).header("Location", req.rawPath() + "/" + (q == null ? "" : "?" + q))
                .contentType("text/plain; charset=utf-8").send("moved permanently\n");
    }

    private void serveResource(Request req, Response res, String name, boolean atRoot, boolean slash, boolean redirect)
            throws IOException {
        URL url = atRoot ? null : loader.getResource(name);
        boolean directory = url != null && isDirectory(url);
        if (url == null || directory || atRoot) {
            String base = name.isEmpty() || name.endsWith("/") ? name : name + "/";
            URL idx = index == null ? null : loader.getResource(base + index);
            if (idx == null || isDirectory(idx)) {
                throw notFound();
            }
            if (redirect) {
                redirectToSlash(req, res);
                return;
            }
            url = idx;
            name = base + index;
        } else if (slash) {
            throw notFound();
        }
        String type = MediaTypes.forName(name, types);
        String encoding = null;
        boolean vary = false;
        URL chosen = url;
        if (precompressed && encodable(name)) {
            long modified = lastModified(url);
            URL br = sibling(name + ".br", modified);
            URL gz = sibling(name + ".gz", modified);
            vary = br != null || gz != null;
            int pick = pick(req, br != null, gz != null);
            if (pick >= 0) {
                chosen = pick == 0 ? br : gz;
                encoding = pick == 0 ? "br" : "gzip";
            }
        }
        FileResponse.respond(req, res, open(chosen), type, encoding, vary, cacheControl);
    }

    private URL sibling(String name, long modified) {
        URL u = loader.getResource(name);
        if (u == null || isDirectory(u)) {
            return null;
        }
        try {
            return lastModified(u) >= modified ? u : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static long lastModified(URL url) throws IOException {
        if (url.getProtocol().equals("file")) {
            return Files.getLastModifiedTime(path(url)).toMillis();
        }
        return lastModified(url.openConnection());
    }

    /** A jar entry's own time (a jar connection's Last-Modified would be the jar file's). */
    private static long lastModified(URLConnection c) throws IOException {
        if (c instanceof JarURLConnection jar && jar.getJarEntry() != null) {
            return Math.max(0, jar.getJarEntry().getTime());
        }
        return c.getLastModified();
    }

    private static Path path(URL url) throws IOException {
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException("resource " + url + " has no file path", e);
        }
    }

    private static boolean isDirectory(URL url) {
        try {
            if (url.getProtocol().equals("file")) {
                return Files.isDirectory(path(url));
            }
            URLConnection c = url.openConnection();
            if (c instanceof JarURLConnection jar) {
                return jar.getJarEntry() == null || jar.getJarEntry().isDirectory();
            }
            return false;
        } catch (IOException e) {
            return true; // not something that can be served as a file
        }
    }

    private static FileResponse.Resource open(URL url) throws IOException {
        if (url.getProtocol().equals("file")) {
            Path p = path(url);
            BasicFileAttributes a = attributes(p);
            if (a == null || !a.isRegularFile()) {
                throw notFound();
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(p, StandardOpenOption.READ);
            } catch (AccessDeniedException e) {
                throw new HttpException(403, "forbidden");
            }
            try {
                return new FileResponse.FileResource(ch, a.lastModifiedTime());
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
        URLConnection c = url.openConnection();
        long length = c.getContentLengthLong();
        if (length < 0) {
            throw new HttpException(500, "resource length unknown: " + url.getProtocol() + " resource");
        }
        return new FileResponse.UrlResource(url, length, lastModified(c));
    }

    private static void checkValue(String what, String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if ((ch < 0x20 && ch != '\t') || ch == 0x7F || ch > 0xFF) {
                throw new IllegalArgumentException(what + ": control or non-Latin-1 character at " + i);
            }
        }
    }
}
