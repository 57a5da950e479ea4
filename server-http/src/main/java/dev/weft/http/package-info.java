/** Strict HTTP/1.1 servers with blocking handlers. */
package dev.weft.http;
