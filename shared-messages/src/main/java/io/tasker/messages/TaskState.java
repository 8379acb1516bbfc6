package io.tasker.messages;

import com.fasterxml.jackson.databind.annotation.EnumNaming;
import java.util.EnumSet;
import java.util.Set;

/** Task states; the wire value is what the database and the API carry. */
@EnumNaming(WireValue.Naming.class)
public enum TaskState implements WireValue {
    PENDING,
    INITIALIZING,
    ENQUEUING_STEPS,
    STEPS_IN_PROCESS,
    EVALUATING_RESULTS,
    WAITING_FOR_DEPENDENCIES,
    WAITING_FOR_RETRY,
    BLOCKED_BY_FAILURES,
    COMPLETE,
    ERROR,
    CANCELLED,
    RESOLVED_MANUALLY;

    private static final Set<TaskState> TERMINAL =
            EnumSet.of(COMPLETE, ERROR, CANCELLED, RESOLVED_MANUALLY);

    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }
}
