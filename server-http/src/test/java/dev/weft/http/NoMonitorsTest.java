package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * No library class holds a monitor: no {@code synchronized} method (ACC_SYNCHRONIZED) and no
 * {@code synchronized} block (a {@code monitorenter} instruction) in the compiled main classes
 * of server-core and server-http. On JDK 21 a virtual thread blocking while it holds a monitor
 * pins its carrier (JEP 444); JDK 24 lifted that (JEP 491), but the library runs on 21 too, so
 * its locks are ReentrantLocks.
 *
 * <p>Read with ASM rather than JDK 25's {@code java.lang.classfile}: the same check then runs on
 * every JDK the build supports (21 and later), not only on the newest.
 */
class NoMonitorsTest {

    @Test
    void noLibraryClassHoldsAMonitor() {
        Map<String, byte[]> classes = LibraryClasses.all();
        // Not vacuous: both modules were found, with their central classes.
        assertTrue(classes.containsKey("dev.weft.core.TcpServer") && classes.containsKey("dev.weft.core.internal.SocketInputImpl"),
                () -> "server-core classes not found: " + classes.keySet());
        assertTrue(classes.containsKey("dev.weft.http.HttpServer") && classes.containsKey("dev.weft.http.internal.RequestParser"),
                () -> "server-http classes not found: " + classes.keySet());
        assertTrue(classes.size() > 40, "scanned " + classes.size() + " classes");
        assertTrue(classes.keySet().stream().noneMatch(n -> n.endsWith("Test") || n.equals("dev.weft.http.Raw")),
                "test classes are not part of the scan");

        List<String> found = new ArrayList<>();
        classes.values().forEach(bytes -> found.addAll(monitors(bytes)));
        assertEquals(List.of(), found, "library code must use ReentrantLock, not synchronized");
    }

    /** The checker finds both forms in a class that has them (compiled into the test classes). */
    @Test
    void checkerFlagsSynchronizedMethodsAndBlocks() throws IOException {
        List<String> found = monitors(classBytes(Planted.class));
        assertEquals(List.of(
                "dev.weft.http.NoMonitorsTest$Planted.block(): synchronized block (monitorenter)",
                "dev.weft.http.NoMonitorsTest$Planted.method(): synchronized method"), found.stream().sorted().toList());
        assertEquals(List.of(), monitors(classBytes(NoMonitorsTest.class)), "a class without monitors is clean");
    }

    /** Each monitor a class file holds, as {@code class.method(): what}. */
    static List<String> monitors(byte[] classFile) {
        List<String> found = new ArrayList<>();
        ClassReader reader = new ClassReader(classFile);
        String className = reader.getClassName().replace('/', '.');
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                String where = className + "." + name + "()";
                if ((access & Opcodes.ACC_SYNCHRONIZED) != 0) {
                    found.add(where + ": synchronized method");
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.MONITORENTER) {
                            found.add(where + ": synchronized block (monitorenter)");
                        }
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return found;
    }

    private static byte[] classBytes(Class<?> c) throws IOException {
        String file = c.getName().substring(c.getPackageName().length() + 1) + ".class";
        try (InputStream in = c.getResourceAsStream(file)) {
            return in.readAllBytes();
        }
    }

    /** What the check must catch, kept in the test classes only. */
    @SuppressWarnings("unused")
    static final class Planted {
        private final Object lock = new Object();
        private int n;

        synchronized void method() {
            n++;
        }

        void block() {
            synchronized (lock) {
                n++;
            }
        }
    }
}
