/** Not API: the handshake, the frame codec and the session behind {@code dev.weft.websocket}. */
package dev.weft.websocket.internal;
