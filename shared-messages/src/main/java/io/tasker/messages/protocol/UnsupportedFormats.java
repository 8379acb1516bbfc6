package io.tasker.messages.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the messages of an unsupported format already seen, so a reader warns once per message
 * although the message comes back after every visibility timeout. Holds the most recent {@code
 * capacity} messages.
 */
public final class UnsupportedFormats {

    private final Map<String, Boolean> seen;

    public UnsupportedFormats(int capacity) {
        this.seen =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                        return size() > capacity;
                    }
                };
    }

    /** True the first time message {@code msgId} of {@code queue} is seen. */
    public synchronized boolean firstSight(String queue, long msgId) {
        return seen.put(queue + '\n' + msgId, Boolean.TRUE) == null;
    }

    /** The warning a reader logs, once per message. */
    public static String warning(String queue, long msgId, int version) {
        return "unsupported_message_format: queue="
                + queue
                + " msg_id="
                + msgId
                + " format_version="
                + version
                + " (this release reads up to "
                + MessageFormat.CURRENT
                + "); left in the queue for a newer peer";
    }
}
