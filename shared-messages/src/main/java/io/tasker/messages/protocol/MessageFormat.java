package io.tasker.messages.protocol;

/**
 * The format version every queue message carries in {@code format_version}. A reader handles every
 * version up to {@link #CURRENT}; a message without the field is format {@link #UNVERSIONED} (the
 * release before versioning) and reads the same as format 1. A message of a newer format is left in
 * its queue for a newer peer.
 */
public final class MessageFormat {

    /** The version this code writes and the newest it reads. */
    public static final int CURRENT = 1;

    /** The version of a message that carries no {@code format_version}. */
    public static final int UNVERSIONED = 0;

    /** The JSON field that carries the version. */
    public static final String FIELD = "format_version";

    private MessageFormat() {}

    /** True when this code can process a message of {@code version}. */
    public static boolean supported(int version) {
        return version >= UNVERSIONED && version <= CURRENT;
    }
}
