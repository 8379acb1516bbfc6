package io.tasker.messages;

import java.util.regex.Pattern;

/** The queue naming rules: namespaces, their worker queues and the results queue. */
public final class QueueNames {

    /** Namespace names: a lower-case letter, then up to 28 lower-case letters, digits or '_'. */
    public static final Pattern NAMESPACE = Pattern.compile("^[a-z][a-z0-9_]{0,28}$");

    /** Any queue name this system uses or accepts: the pgmq-safe subset of identifiers. */
    public static final Pattern QUEUE = Pattern.compile("^[a-z][a-z0-9_]{0,46}$");

    /** The single queue that carries step result notices to the orchestrators. */
    public static final String RESULTS_QUEUE = "orchestration_step_results";

    private QueueNames() {}

    /** True when the namespace name is acceptable. */
    public static boolean isValidNamespace(String namespace) {
        return namespace != null && NAMESPACE.matcher(namespace).matches();
    }

    /** The worker queue of a namespace: {@code worker_<namespace>_queue}. */
    public static String workerQueue(String namespace) {
        requireNamespace(namespace);
        return "worker_" + namespace + "_queue";
    }

    /** Throws {@link InvalidQueueNameException} unless the namespace is acceptable. */
    public static String requireNamespace(String namespace) {
        if (!isValidNamespace(namespace)) {
            throw new InvalidQueueNameException(
                    "invalid namespace '" + namespace + "': must match " + NAMESPACE.pattern());
        }
        return namespace;
    }

    /** Throws {@link InvalidQueueNameException} unless the queue name is safe to send to SQL. */
    public static String requireQueue(String queue) {
        if (queue == null || !QUEUE.matcher(queue).matches()) {
            throw new InvalidQueueNameException(
                    "invalid queue name '" + queue + "': must match " + QUEUE.pattern());
        }
        return queue;
    }

    /** A queue or namespace name that breaks the naming rules. */
    public static final class InvalidQueueNameException extends IllegalArgumentException {
        public InvalidQueueNameException(String message) {
            super(message);
        }
    }
}
