package dev.weft.http.internal;

import dev.weft.http.Headers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Field lines in arrival order; names stored lower case, so lookups lower-case the key once. */
public final class HeaderList implements Headers {

    static final HeaderList EMPTY = new HeaderList(0);

    private String[] names;
    private String[] values;
    private int size;

    public HeaderList(int capacity) {
        names = new String[capacity];
        values = new String[capacity];
    }

    /** Adds a line; {@code lowerName} must already be lower case. */
    public void add(String lowerName, String value) {
        if (size == names.length) {
            int n = Math.max(8, size * 2);
            names = java.util.Arrays.copyOf(names, n);
            values = java.util.Arrays.copyOf(values, n);
        }
        names[size] = lowerName;
        values[size++] = value;
    }

    @Override
    public String get(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                return values[i];
            }
        }
        return null;
    }

    @Override
    public List<String> all(String name) {
        List<String> out = null;
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(values[i]);
            }
        }
        return out == null ? List.of() : Collections.unmodifiableList(out);
    }

    @Override
    public boolean contains(String name) {
        return get(name) != null;
    }

    @Override
    public Set<String> names() {
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            out.add(names[i]);
        }
        return Collections.unmodifiableSet(out);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String name(int i) {
        return names[java.util.Objects.checkIndex(i, size)];
    }

    @Override
    public String value(int i) {
        return values[java.util.Objects.checkIndex(i, size)];
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < size; i++) {
            sb.append(i == 0 ? "" : ", ").append(names[i]).append(": ").append(values[i]);
        }
        return sb.append('}').toString();
    }
}
