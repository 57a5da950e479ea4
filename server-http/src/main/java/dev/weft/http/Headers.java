package dev.weft.http;

import java.util.List;
import java.util.Set;

/** Header (or trailer) fields of a request, names compared case-insensitively, in arrival order. */
public interface Headers {

    /** The first value of the field, or {@code null}. */
    String get(String name);

    /** Every value of the field in order (one per field line), empty when absent. */
    List<String> all(String name);

    boolean contains(String name);

    /** The field names present, lower case, in first-arrival order. */
    Set<String> names();

    /** The number of field lines. */
    int size();

    /** The name of field line {@code i}, lower case. */
    String name(int i);

    /** The value of field line {@code i}. */
    String value(int i);
}
