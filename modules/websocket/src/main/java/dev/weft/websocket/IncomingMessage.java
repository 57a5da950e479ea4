package dev.weft.websocket;

import java.io.InputStream;
import java.io.Reader;

/**
 * A received data message read as it arrives, for messages too large to hold whole: frame by
 * frame, inflated (permessage-deflate) and UTF-8-checked as it is read. Read it on the thread
 * that received it. It ends at the message's last frame; a protocol violation or a lost
 * connection while reading fails the read with an {@link java.io.IOException} (the session is
 * then closed; see {@link WebSocketSession#closeStatus()}). A message left unread is skipped by
 * the next receive.
 */
public interface IncomingMessage {

    /** True for a text message, false for binary. */
    boolean isText();

    /** The message's bytes (for text, its UTF-8); always the same stream. */
    InputStream inputStream();

    /** The message's text, decoded from {@link #inputStream()}: take one of the two, not both. */
    Reader reader();
}
