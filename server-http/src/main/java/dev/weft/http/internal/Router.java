package dev.weft.http.internal;

import dev.weft.http.Handler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Method + path-template routing. A template is {@code /}-separated segments, each a literal,
 * a {@code {name}} parameter, or (last only) {@code *} for the rest of the path. Literal beats
 * parameter beats wildcard; templates without parameters are found with one hash lookup.
 * Matching is per raw segment, decoded after splitting, so an escape never splits a segment
 * (the parser rejects {@code %2F} in a path anyway).
 */
public final class Router {

    /** One path template and its handlers by method. */
    public static final class Route {
        final String template;
        final String[] literals;
        final String[] params;
        final boolean wildcard;
        final Map<String, Handler> handlers = new LinkedHashMap<>();
        String allow;

        Route(String template) {
            this.template = template;
            if (!template.startsWith("/")) {
                throw new IllegalArgumentException("route " + template + ": a path template starts with '/'");
            }
            String[] parts = template.equals("/") ? new String[] {""} : template.substring(1).split("/", -1);
            boolean wild = parts.length > 0 && parts[parts.length - 1].equals("*");
            int n = wild ? parts.length - 1 : parts.length;
            literals = new String[n];
            params = new String[n];
            Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                String p = parts[i];
                if (p.startsWith("{") && p.endsWith("}") && p.length() > 2) {
                    params[i] = p.substring(1, p.length() - 1);
                    if (!seen.add(params[i])) {
                        throw new IllegalArgumentException("route " + template + ": parameter {" + params[i] + "} appears twice");
                    }
                } else if (p.indexOf('{') >= 0 || p.indexOf('}') >= 0 || p.equals("*")) {
                    throw new IllegalArgumentException("route " + template + ": segment '" + p
                            + "' must be a literal, a whole {name}, or a final *");
                } else {
                    literals[i] = p;
                }
            }
            wildcard = wild;
        }

        boolean hasParams() {
            if (wildcard) {
                return true;
            }
            for (String p : params) {
                if (p != null) {
                    return true;
                }
            }
            return false;
        }

        void seal() {
            Set<String> methods = new TreeSet<>(handlers.keySet());
            if (methods.contains("GET")) {
                methods.add("HEAD");
            }
            methods.add("OPTIONS");
            allow = String.join(", ", methods);
        }

        /** Fills {@code values} (parameters, then the wildcard rest) and returns true when {@code path} matches. */
        boolean match(String path, String[] values) throws BadMessageException {
            int pos = 1; // after the leading '/'
            int len = path.length();
            for (int i = 0; i < literals.length; i++) {
                if (pos > len) {
                    return false;
                }
                int slash = path.indexOf('/', pos);
                int end = slash < 0 ? len : slash;
                String segment = path.substring(pos, end);
                if (literals[i] != null) {
                    if (!literals[i].equals(segment.indexOf('%') < 0 ? segment : Uri.decode(segment, false))) {
                        return false;
                    }
                } else {
                    if (segment.isEmpty()) {
                        return false;
                    }
                    values[i] = Uri.decode(segment, false);
                }
                pos = end + 1;
            }
            if (wildcard) {
                values[literals.length] = pos > len ? "" : Uri.decode(path.substring(pos), false);
                return true;
            }
            return pos == len + 1;
        }

        String[] paramNames() {
            String[] names = new String[literals.length + (wildcard ? 1 : 0)];
            System.arraycopy(params, 0, names, 0, params.length);
            if (wildcard) {
                names[literals.length] = "*";
            }
            return names;
        }
    }

    /** The outcome of routing one request. */
    public static final class Match {
        public final Handler handler;
        public final String[] names;
        public final String[] values;
        /** For 405 and OPTIONS: the methods the path allows; null when no route matched the path. */
        public final String allow;
        /** The path template matched (as registered), or null when no handler matched (405 / OPTIONS). */
        public final String template;

        Match(Handler handler, String[] names, String[] values, String allow, String template) {
            this.handler = handler;
            this.names = names;
            this.values = values;
            this.allow = allow;
            this.template = template;
        }
    }

    private static final String[] NONE = new String[0];
    private static final Set<String> STANDARD = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    private final Map<String, Route> exact = new HashMap<>();
    private final List<Route> all = new ArrayList<>();
    private final Set<String> methods = new TreeSet<>();
    private String allowAll;

    /** One registration: method, template, handler. */
    public record Definition(String method, String template, Handler handler) {
    }

    public Router(List<Definition> routes) {
        Map<String, Route> byTemplate = new LinkedHashMap<>();
        for (Definition r : routes) {
            String method = r.method();
            String template = r.template();
            Handler handler = r.handler();
            Route route = byTemplate.get(template);
            if (route == null) {
                route = new Route(template);
                byTemplate.put(template, route);
            }
            if (route.handlers.putIfAbsent(method, handler) != null) {
                throw new IllegalArgumentException("route " + method + " " + template + " is defined twice");
            }
            methods.add(method);
        }
        for (Route route : byTemplate.values()) {
            route.seal();
            all.add(route);
            if (!route.hasParams()) {
                exact.put(route.template, route);
            }
        }
        all.sort(new Specificity());
        Set<String> everything = new TreeSet<>(methods);
        if (everything.contains("GET")) {
            everything.add("HEAD");
        }
        everything.add("OPTIONS");
        allowAll = String.join(", ", everything);
    }

    /**
     * Routes without a wildcard first, then by {@link #specificity}. A class, not a lambda or
     * {@code Comparator.comparing}: every lambda shape is a class spun at start-up, and the
     * server's start-up time is a measured target (docs/benchmarks.md).
     */
    private static final class Specificity implements Comparator<Route> {
        @Override
        public int compare(Route a, Route b) {
            int c = Boolean.compare(a.wildcard, b.wildcard);
            return c != 0 ? c : specificity(a).compareTo(specificity(b));
        }
    }

    /** Literal segments before parameters, position by position; then longer templates first. */
    private static String specificity(Route r) {
        StringBuilder sb = new StringBuilder();
        for (String literal : r.literals) {
            sb.append(literal != null ? '0' : '1');
        }
        return sb.append('2').toString();
    }

    /** The Allow value for {@code OPTIONS *}: every method any route serves. */
    public String allowAll() {
        return allowAll;
    }

    /** True for a method no route serves and RFC 9110 does not define: answered 501. */
    public boolean unknownMethod(String method) {
        return !methods.contains(method) && !STANDARD.contains(method);
    }

    /**
     * Finds the handler for {@code method} on {@code rawPath}. HEAD falls back to GET.
     *
     * @return a match with a handler; or with {@code handler == null} and {@code allow} set
     *         (405 / OPTIONS); or {@code null} when no template matches the path (404)
     */
    public Match route(String method, String rawPath) throws BadMessageException {
        if (rawPath.indexOf('%') < 0) {
            Route r = exact.get(rawPath);
            if (r != null) {
                Handler h = handler(r, method);
                if (h != null) {
                    return new Match(h, NONE, NONE, r.allow, r.template);
                }
            }
        }
        Set<String> allow = null;
        String firstAllow = null;
        for (Route r : all) {
            String[] values = r.literals.length == 0 && !r.wildcard ? NONE : new String[r.literals.length + (r.wildcard ? 1 : 0)];
            if (r.match(rawPath, values)) {
                Handler h = handler(r, method);
                if (h != null) {
                    return new Match(h, r.paramNames(), values, r.allow, r.template);
                }
                if (firstAllow == null) {
                    firstAllow = r.allow;
                } else {
                    if (allow == null) {
                        allow = new TreeSet<>(java.util.Arrays.asList(firstAllow.split(", ")));
                    }
                    allow.addAll(java.util.Arrays.asList(r.allow.split(", ")));
                }
            }
        }
        if (firstAllow == null) {
            return null;
        }
        return new Match(null, NONE, NONE, allow == null ? firstAllow : String.join(", ", allow), null);
    }

    private static Handler handler(Route r, String method) {
        Handler h = r.handlers.get(method);
        if (h == null && method == "HEAD") {
            h = r.handlers.get("GET");
        }
        return h;
    }
}
