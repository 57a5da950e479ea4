package dev.weft.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The idle-heap rows' reading of {@code jcmd PID GC.class_histogram}. */
class LiveHeapTest {

    @Test
    void sumsEveryClassButTheFillersOfTheSerialCollector() throws IOException {
        String histogram = """
                32094:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:         23740       11529600  [Ljdk.internal.vm.FillerElement; (java.base@25.0.3)
                   2:         18000        2448000  dev.weft.core.internal.ConnectionImpl
                   3:         18000        2016000  sun.nio.ch.SocketChannelImpl (java.base@25.0.3)
                   4:             2             48  jdk.internal.vm.FillerObject (java.base@25.0.3)
                   5:         90494        1447904  java.lang.Object (java.base@25.0.3)
                 613:             1             16  sun.nio.fs.UnixFileAttributes$UnixAsBasicFileAttributes (java.base@25.0.3)
                Total        150237       17441568
                """;
        assertEquals(2448000 + 2016000 + 1447904 + 16, Runner.parseLiveHeapBytes(histogram));
    }

    @Test
    void aG1HistogramWithoutFillersIsItsWholeSum() throws IOException {
        String histogram = """
                5947:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:          4506         452112  [B (java.base@25.0.3)
                   2:          4380         105120  java.lang.String (java.base@25.0.3)
                Total          8886         557232
                """;
        assertEquals(557232, Runner.parseLiveHeapBytes(histogram));
    }

    @Test
    void unknownFormatIsAnErrorNotZero() {
        IOException e = assertThrows(IOException.class, () -> Runner.parseLiveHeapBytes("12345:\nSomething else entirely\n"));
        assertTrue(e.getMessage().contains("Something else entirely"), e.getMessage());
    }
}
