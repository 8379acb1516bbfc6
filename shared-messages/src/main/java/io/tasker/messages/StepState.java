package io.tasker.messages;

import com.fasterxml.jackson.databind.annotation.EnumNaming;
import java.util.EnumSet;
import java.util.Set;

/** Workflow step states; the wire value is what the database and the API carry. */
@EnumNaming(WireValue.Naming.class)
public enum StepState implements WireValue {
    PENDING,
    ENQUEUED,
    IN_PROGRESS,
    ENQUEUED_FOR_ORCHESTRATION,
    ENQUEUED_AS_ERROR_FOR_ORCHESTRATION,
    WAITING_FOR_RETRY,
    COMPLETE,
    ERROR,
    CANCELLED,
    RESOLVED_MANUALLY;

    private static final Set<StepState> SATISFIES_DEPENDENCY =
            EnumSet.of(COMPLETE, RESOLVED_MANUALLY);

    /** Only a completed or manually resolved step lets its dependents run. */
    public boolean satisfiesDependency() {
        return SATISFIES_DEPENDENCY.contains(this);
    }
}
