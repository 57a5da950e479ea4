package dev.weft.http2.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A map from stream id to value for a connection's stream registries: open addressing with
 * linear probing over primitive int keys, so a lookup neither boxes the id nor chases a node.
 * Not thread-safe: its owner guards it with a lock. Keys are stream ids, never 0 (0 marks an
 * empty slot; RFC 9113 §5.1.1 gives streams ids from 1).
 */
final class IntMap<V> {

    private int[] keys;
    private Object[] values;
    private int size;
    /** 32 minus log2 of the capacity: Fibonacci hashing keeps the top bits (sequential odd ids spread well). */
    private int shift;

    IntMap() {
        this(16);
    }

    /** @param capacity a power of two, at least 2 */
    IntMap(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity = " + capacity + ": a power of two, at least 2");
        }
        keys = new int[capacity];
        values = new Object[capacity];
        shift = 32 - Integer.numberOfTrailingZeros(capacity);
    }

    private int slot(int key) {
        return (key * 0x9E3779B9) >>> shift;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    @SuppressWarnings("unchecked")
    V get(int key) {
        if (key == 0) {
            return null;
        }
        int mask = keys.length - 1;
        for (int i = slot(key); ; i = (i + 1) & mask) {
            int k = keys[i];
            if (k == key) {
                return (V) values[i];
            }
            if (k == 0) {
                return null;
            }
        }
    }

    /** @return the value {@code key} had, or null */
    @SuppressWarnings("unchecked")
    V put(int key, V value) {
        if (key == 0) {
            throw new IllegalArgumentException("key 0");
        }
        java.util.Objects.requireNonNull(value, "value");
        int mask = keys.length - 1;
        for (int i = slot(key); ; i = (i + 1) & mask) {
            int k = keys[i];
            if (k == key) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
            if (k == 0) {
                keys[i] = key;
                values[i] = value;
                if (++size > keys.length >>> 1) {
                    resize(keys.length << 1);
                }
                return null;
            }
        }
    }

    /** @return the value removed, or null if {@code key} had none */
    @SuppressWarnings("unchecked")
    V remove(int key) {
        if (key == 0) {
            return null;
        }
        int mask = keys.length - 1;
        int i = slot(key);
        while (true) {
            int k = keys[i];
            if (k == 0) {
                return null;
            }
            if (k == key) {
                break;
            }
            i = (i + 1) & mask;
        }
        V old = (V) values[i];
        // Backward-shift deletion: later entries of the probe run move up, so no tombstones pile up.
        int hole = i;
        for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = 0;
        values[hole] = null;
        size--;
        return old;
    }

    /** A copy of the values, for the rare walks over all streams (settings, shutdown). */
    @SuppressWarnings("unchecked")
    List<V> values() {
        List<V> r = new ArrayList<>(size);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                r.add((V) values[i]);
            }
        }
        return r;
    }

    private void resize(int capacity) {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new int[capacity];
        values = new Object[capacity];
        shift = 32 - Integer.numberOfTrailingZeros(capacity);
        int mask = capacity - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            int k = oldKeys[i];
            if (k != 0) {
                int j = slot(k);
                while (keys[j] != 0) {
                    j = (j + 1) & mask;
                }
                keys[j] = k;
                values[j] = oldValues[i];
            }
        }
    }
}
