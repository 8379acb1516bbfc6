package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How one attempt of a step ended; the wire value is what the attempts table holds. */
public enum AttemptOutcome {
    SUCCESS("success"),
    RETRYABLE_FAILURE("retryable_failure"),
    PERMANENT_FAILURE("permanent_failure"),
    LEASE_EXPIRED("lease_expired"),
    REJECTED_LATE("rejected_late"),
    /** The task was cancelled while the attempt ran. */
    CANCELLED("cancelled"),
    /** The staleness sweep failed the task while the attempt ran. */
    TASK_STALE("task_stale"),
    /** An operator resolved the step while the attempt ran. */
    RESOLVED_MANUALLY("resolved_manually"),
    /** An operator completed the step while the attempt ran. */
    COMPLETED_MANUALLY("completed_manually");

    private final String wire;

    AttemptOutcome(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static AttemptOutcome fromWire(String value) {
        for (AttemptOutcome o : values()) {
            if (o.wire.equals(value)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown attempt outcome: " + value);
    }
}
