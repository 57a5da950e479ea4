package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The list of live connections the server keeps through the connections themselves. */
class RegistryTest {

    static final class Item extends Registry.Node<Item> {
        final int n;

        Item(int n) {
            this.n = n;
        }
    }

    private static Set<Integer> seen(Registry<Item> r) {
        Set<Integer> s = new HashSet<>();
        for (Item i : r) {
            assertTrue(s.add(i.n), "each once: " + i.n);
        }
        return s;
    }

    @Test
    void addsRemovesOnceAndIteratesWhatIsRegistered() {
        Registry<Item> r = new Registry<>();
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            items.add(new Item(i));
            r.add(items.get(i));
        }
        assertEquals(100, r.size());
        Set<Integer> odd = new HashSet<>();
        for (Item i : items) {
            if (i.n % 2 == 0) {
                assertTrue(r.remove(i));
            } else {
                odd.add(i.n);
            }
        }
        assertFalse(r.remove(items.get(0)), "a second removal does nothing");
        assertFalse(r.remove("not a connection"));
        assertEquals(50, r.size());
        assertEquals(odd, seen(r));
        // The newest and the oldest: the ends of the list.
        assertTrue(r.remove(items.get(99)));
        assertTrue(r.remove(items.get(1)));
        odd.remove(99);
        odd.remove(1);
        assertEquals(odd, seen(r));
        for (Item i : items) {
            r.remove(i);
        }
        assertEquals(0, r.size());
        assertFalse(r.iterator().hasNext());
        assertTrue(r.add(items.get(5)), "a removed item can be registered again");
        assertEquals(Set.of(5), seen(r));
    }

    @Test
    void aReaderStandingOnARemovedItemGoesOnToTheRest() {
        Registry<Item> r = new Registry<>();
        Item[] items = new Item[5];
        for (int i = 0; i < 5; i++) {
            items[i] = new Item(i);
            r.add(items[i]);
        }
        var it = r.iterator();
        Item first = it.next(); // the newest: 4
        assertEquals(4, first.n);
        Item second = it.next();
        assertEquals(3, second.n);
        r.remove(second); // the item the reader stands on goes, and the one after it too
        r.remove(items[2]);
        List<Integer> rest = new ArrayList<>();
        it.forEachRemaining(i -> rest.add(i.n));
        assertTrue(rest.containsAll(List.of(1, 0)), "the items still registered are reached: " + rest);
    }

    @Test
    void concurrentChangesKeepTheCountAndTheListExact() throws Exception {
        Registry<Item> r = new Registry<>();
        int threads = 4;
        int each = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Item>>> kept = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * each;
                kept.add(pool.submit(() -> {
                    go.await();
                    List<Item> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        Item item = new Item(base + i);
                        r.add(item);
                        if (i % 3 == 0) {
                            mine.add(item);
                        } else {
                            r.remove(item);
                        }
                    }
                    return mine;
                }));
            }
            // A reader walks the list all the while: it never fails and never sees an item twice.
            Future<?> reader = pool.submit(() -> {
                go.await();
                for (int k = 0; k < 200; k++) {
                    seen(r);
                }
                return null;
            });
            go.countDown();
            Set<Integer> expected = new HashSet<>();
            for (Future<List<Item>> f : kept) {
                for (Item i : f.get(10, TimeUnit.SECONDS)) {
                    expected.add(i.n);
                }
            }
            reader.get(10, TimeUnit.SECONDS);
            assertEquals(expected.size(), r.size());
            assertEquals(expected, seen(r));
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
        }
    }
}
