package dev.weft.http2.internal;

import dev.weft.http.Headers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Request header (or trailer) fields of a stream: names lower case as HTTP/2 sends them (§8.2). */
final class H2Headers implements Headers {

    static final H2Headers EMPTY = new H2Headers(List.of());

    /** name, value, name, value, … */
    private final List<String> fields;

    H2Headers(List<String> fields) {
        this.fields = fields;
    }

    @Override
    public String get(String name) {
        return first(fields, name);
    }

    /** The first value of {@code name} (any case) in a list of lower-case names and values, or null. */
    static String first(List<String> fields, String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (int i = 0; i < fields.size(); i += 2) {
            if (fields.get(i).equals(n)) {
                return fields.get(i + 1);
            }
        }
        return null;
    }

    @Override
    public List<String> all(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        List<String> r = null;
        for (int i = 0; i < fields.size(); i += 2) {
            if (fields.get(i).equals(n)) {
                if (r == null) {
                    r = new ArrayList<>(2);
                }
                r.add(fields.get(i + 1));
            }
        }
        return r == null ? List.of() : Collections.unmodifiableList(r);
    }

    @Override
    public boolean contains(String name) {
        return get(name) != null;
    }

    @Override
    public Set<String> names() {
        Set<String> s = new LinkedHashSet<>();
        for (int i = 0; i < fields.size(); i += 2) {
            s.add(fields.get(i));
        }
        return Collections.unmodifiableSet(s);
    }

    @Override
    public int size() {
        return fields.size() / 2;
    }

    @Override
    public String name(int i) {
        return fields.get(2 * i);
    }

    @Override
    public String value(int i) {
        return fields.get(2 * i + 1);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fields.size(); i += 2) {
            b.append(fields.get(i)).append(": ").append(fields.get(i + 1)).append('\n');
        }
        return b.toString();
    }
}
