package dev.weft.core.internal;

import java.util.AbstractCollection;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The live connections of a server, as a list threaded through the connections themselves: two
 * fields in each instead of a map entry and a boxed key (about 60 bytes less per connection, which
 * counts most for a hibernated one, see {@link ConnectionImpl#awaitIdle}).
 *
 * <p>Changes (one per accept and one per end) take a lock; readers (the watchdog's scan, the
 * shutdown, eviction at the limit) take none. They walk {@code next} links, which a removal leaves
 * in place on the removed connection, so a reader standing on it still finds its way on. Like a
 * {@code ConcurrentHashMap}'s views, iteration is weakly consistent: it may or may not show a
 * connection added or removed while it runs, and shows every other one exactly once.
 */
final class Registry<T extends Registry.Node<T>> extends AbstractCollection<T> {

    /** What the list runs through: the links, written under the registry's lock. */
    abstract static class Node<T extends Node<T>> {
        volatile T registryNext;
        T registryPrev;
        boolean registered;
    }

    private final ReentrantLock lock = new ReentrantLock();
    /** The newest connection; each one's {@code next} is the one registered before it. */
    private volatile T head;
    private volatile int size;

    @Override
    public boolean add(T c) {
        lock.lock();
        try {
            T h = head;
            c.registryNext = h;
            if (h != null) {
                h.registryPrev = c;
            }
            c.registryPrev = null;
            c.registered = true;
            head = c;
            size++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Removes {@code c} if it is registered (once: a second call does nothing). */
    @Override
    public boolean remove(Object o) {
        if (!(o instanceof Node<?> n)) {
            return false;
        }
        @SuppressWarnings("unchecked")
        T c = (T) n;
        lock.lock();
        try {
            if (!c.registered) {
                return false;
            }
            c.registered = false;
            T prev = c.registryPrev;
            T next = c.registryNext;
            if (prev == null) {
                head = next;
            } else {
                prev.registryNext = next;
            }
            if (next != null) {
                next.registryPrev = prev;
            }
            // c.registryNext stays: a reader standing on c goes on from there.
            c.registryPrev = null;
            size--;
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private T next = head;

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public T next() {
                T c = next;
                if (c == null) {
                    throw new NoSuchElementException();
                }
                next = c.registryNext;
                return c;
            }
        };
    }
}
