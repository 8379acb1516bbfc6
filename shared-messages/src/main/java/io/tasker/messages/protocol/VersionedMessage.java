package io.tasker.messages.protocol;

/** A message that travels through a queue and so carries a {@link MessageFormat} version. */
public interface VersionedMessage {

    /** The message's {@code format_version}; 0 when the message carried none. */
    int formatVersion();
}
