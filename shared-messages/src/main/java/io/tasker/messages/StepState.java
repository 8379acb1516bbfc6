package io.tasker.messages;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.EnumSet;
import java.util.Set;

/** Workflow step states; the wire value is what the database and the API carry. */
public enum StepState {
    PENDING("pending"),
    ENQUEUED("enqueued"),
    IN_PROGRESS("in_progress"),
    ENQUEUED_FOR_ORCHESTRATION("enqueued_for_orchestration"),
    ENQUEUED_AS_ERROR_FOR_ORCHESTRATION("enqueued_as_error_for_orchestration"),
    WAITING_FOR_RETRY("waiting_for_retry"),
    COMPLETE("complete"),
    ERROR("error"),
    CANCELLED("cancelled"),
    RESOLVED_MANUALLY("resolved_manually");

    private static final Set<StepState> SATISFIES_DEPENDENCY =
            EnumSet.of(COMPLETE, RESOLVED_MANUALLY);

    private final String wire;

    StepState(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** Only a completed or manually resolved step lets its dependents run. */
    public boolean satisfiesDependency() {
        return SATISFIES_DEPENDENCY.contains(this);
    }

    @JsonCreator
    public static StepState fromWire(String value) {
        for (StepState s : values()) {
            if (s.wire.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown step state: " + value);
    }
}
