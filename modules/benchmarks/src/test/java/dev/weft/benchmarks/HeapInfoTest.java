package dev.weft.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class HeapInfoTest {

    @Test
    void serialSumsBothGenerations() throws IOException {
        String info = """
                5857:
                DefNew     total 116160K, used 14461K [0x0000000687400000, 0x000000068f200000, 0x0000000704d50000)
                 eden space 103296K,  14% used [0x0000000687400000, 0x000000068821f6f0, 0x000000068d8e0000)
                 from space 12864K,   0% used [0x000000068d8e0000, 0x000000068d8e0000, 0x000000068e570000)
                 to   space 12864K,   0% used [0x000000068e570000, 0x000000068e570000, 0x000000068f200000)
                Tenured    total 258048K, used 1166K [0x0000000704d50000, 0x0000000714950000, 0x0000000800000000)
                 the  space 258048K,   0% used [0x0000000704d50000, 0x0000000704e73ab8, 0x0000000714950000)
                 Metaspace       used 160K, committed 384K, reserved 1114112K
                  class space    used 6K, committed 128K, reserved 1048576K
                """;
        assertEquals(14461 + 1166, Runner.parseHeapUsedKb(info));
    }

    @Test
    void g1ReadsTheHeapLine() throws IOException {
        String info = """
                5947:
                garbage-first heap   total reserved 6172672K, committed 393216K, used 5013K [0x0000000687400000, 0x0000000800000000)
                 region size 4096K, 1 young (4096K), 0 survivors (0K)
                 Metaspace       used 1600K, committed 1792K, reserved 1114112K
                """;
        assertEquals(5013, Runner.parseHeapUsedKb(info));
    }

    @Test
    void unknownFormatIsAnErrorNotZero() {
        IOException e = assertThrows(IOException.class, () -> Runner.parseHeapUsedKb("12345:\nSomething else entirely\n"));
        assertEquals(true, e.getMessage().contains("Something else entirely"));
    }
}
