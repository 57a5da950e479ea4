package dev.weft.http;

/** Placeholder so the package exists until the HTTP API lands; delete it then. */
final class Placeholder {
    private Placeholder() {
    }
}
