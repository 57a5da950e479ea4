package dev.weft.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ProcTest {

    @Test
    void cpuTicksAreUtimePlusStimeCountedFromTheLastParenthesis() throws IOException {
        // A command name with a space and a ')' in it, as proc(5) allows; utime 1234, stime 567.
        String stat = "4242 (java) x) S 1 4242 4242 0 -1 4194560 35000 0 12 0 1234 567 0 0 20 0 30 0 9000 4000000000 50000";
        assertEquals(1234 + 567, Proc.parseCpuTicks(stat));
    }

    @Test
    void garbageIsAnError() {
        assertThrows(IOException.class, () -> Proc.parseCpuTicks("no parenthesis here"));
        assertThrows(IOException.class, () -> Proc.parseCpuTicks("1 (x) S 1 2"));
    }

    @Test
    void readsThisJvmsCpuAndRss() throws IOException {
        long before = Proc.cpuTicks(ProcessHandle.current());
        long spin = System.nanoTime() + 200_000_000L; // burns CPU on purpose: the figure must grow
        long x = 0;
        while (System.nanoTime() < spin) {
            x += x * 31 + 7;
        }
        assertTrue(x != 1, "keeps the loop");
        assertTrue(Proc.cpuTicks(ProcessHandle.current()) > before);
        assertTrue(Proc.rssKb(ProcessHandle.current()) > 1024);
        assertTrue(Proc.CLOCK_TICKS > 0);
    }
}
