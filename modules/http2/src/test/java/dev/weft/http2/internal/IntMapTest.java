package dev.weft.http2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The stream registry's map, against java.util.HashMap doing the same operations. */
class IntMapTest {

    @Test
    void putGetRemove() {
        IntMap<String> m = new IntMap<>();
        assertNull(m.get(1));
        assertNull(m.put(1, "a"));
        assertEquals("a", m.put(1, "b"));
        assertEquals("b", m.get(1));
        assertEquals(1, m.size());
        assertNull(m.remove(3));
        assertEquals("b", m.remove(1));
        assertNull(m.get(1));
        assertTrue(m.isEmpty());
        assertNull(m.get(0));
        assertNull(m.remove(0));
        assertThrows(IllegalArgumentException.class, () -> m.put(0, "zero"));
        assertThrows(NullPointerException.class, () -> m.put(5, null));
    }

    /** Streams as a connection sees them: odd ids in order, each open for a while, many in flight. */
    @Test
    void slidingWindowOfOddIds() {
        IntMap<Integer> m = new IntMap<>(2);
        Map<Integer, Integer> ref = new HashMap<>();
        for (int id = 1; id < 200_000; id += 2) {
            m.put(id, id);
            ref.put(id, id);
            int old = id - 2 * 100; // 100 streams in flight
            if (old > 0) {
                assertEquals(ref.remove(old), m.remove(old));
            }
            if (id % 1001 == 0) {
                check(m, ref, id + 10);
            }
        }
        check(m, ref, 200_010);
    }

    /** Random keys and operations, collisions and growth included. */
    @Test
    void randomOperationsAgreeWithHashMap() {
        Random rnd = new Random(42);
        for (int round = 0; round < 20; round++) {
            IntMap<Integer> m = new IntMap<>();
            Map<Integer, Integer> ref = new HashMap<>();
            int range = 1 + rnd.nextInt(round % 2 == 0 ? 64 : 1 << 20);
            for (int op = 0; op < 20_000; op++) {
                int k = 1 + rnd.nextInt(range);
                switch (rnd.nextInt(3)) {
                    case 0 -> assertEquals(ref.put(k, op), m.put(k, op));
                    case 1 -> assertEquals(ref.remove(k), m.remove(k));
                    default -> assertEquals(ref.get(k), m.get(k));
                }
                assertEquals(ref.size(), m.size());
            }
            check(m, ref, range + 1);
        }
    }

    @Test
    void valuesIsACopyOfWhatIsThere() {
        IntMap<String> m = new IntMap<>();
        for (int i = 1; i <= 50; i++) {
            m.put(i, "v" + i);
        }
        for (int i = 1; i <= 50; i += 2) {
            m.remove(i);
        }
        List<String> v = new ArrayList<>(m.values());
        v.sort(null);
        List<String> want = new ArrayList<>();
        for (int i = 2; i <= 50; i += 2) {
            want.add("v" + i);
        }
        want.sort(null);
        assertEquals(want, v);
    }

    private static void check(IntMap<Integer> m, Map<Integer, Integer> ref, int upTo) {
        assertEquals(ref.size(), m.size());
        for (int k = 1; k <= upTo; k++) {
            assertEquals(ref.get(k), m.get(k), "key " + k);
        }
        assertEquals(ref.size(), m.values().size());
    }
}
