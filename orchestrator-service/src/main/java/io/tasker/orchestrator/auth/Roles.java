package io.tasker.orchestrator.auth;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The roles of the API (see docs/security.md for the endpoint matrix). {@link #ADMIN} implies every
 * other role.
 */
public final class Roles {

    /** Read tasks, steps, transitions, templates, queues and the DLQ. */
    public static final String TASKS_READ = "tasks.read";

    /** Create tasks. */
    public static final String TASKS_WRITE = "tasks.write";

    /** Cancel tasks, act on steps (reset, resolve, complete) and resolve DLQ entries. */
    public static final String TASKS_OPERATE = "tasks.operate";

    /** Register templates (workers at start). */
    public static final String TEMPLATES_WRITE = "templates.write";

    /** Manage API keys; implies every other role. */
    public static final String ADMIN = "admin";

    /** Every role, in the order of the documentation. */
    public static final List<String> ALL =
            List.of(TASKS_READ, TASKS_WRITE, TASKS_OPERATE, TEMPLATES_WRITE, ADMIN);

    private Roles() {}

    /** The roles an identity holding {@code granted} has: admin brings every role. */
    public static Set<String> effective(Iterable<String> granted) {
        Set<String> out = new LinkedHashSet<>();
        granted.forEach(out::add);
        if (out.contains(ADMIN)) {
            out.addAll(ALL);
        }
        return out;
    }
}
