package dev.weft.http;

import dev.weft.core.TcpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The compiled main classes of server-core and server-http, read from where the JVM loaded them
 * (a {@code target/classes} directory in the reactor, or the module's jar once packaged), never
 * from the test classes patched into the same module.
 */
final class LibraryClasses {

    private LibraryClasses() {
    }

    /** Class files by binary name ({@code dev.weft.core.TcpServer}), of both modules. */
    static Map<String, byte[]> all() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.putAll(of(TcpServer.class));
        out.putAll(of(HttpServer.class));
        return out;
    }

    /** The class files found at the code source {@code anchor} was loaded from. */
    static Map<String, byte[]> of(Class<?> anchor) {
        Path root;
        try {
            root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        try {
            if (Files.isDirectory(root)) {
                List<Path> files = new ArrayList<>();
                try (Stream<Path> walk = Files.walk(root)) {
                    walk.filter(p -> p.toString().endsWith(".class")).sorted().forEach(files::add);
                }
                for (Path f : files) {
                    out.put(binaryName(root.relativize(f).toString().replace('\\', '/')), Files.readAllBytes(f));
                }
            } else {
                try (JarFile jar = new JarFile(root.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        JarEntry entry = e.nextElement();
                        if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                out.put(binaryName(entry.getName()), in.readAllBytes());
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String binaryName(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('/', '.');
    }
}
