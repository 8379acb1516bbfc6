package io.tasker.messages.api;

import com.fasterxml.jackson.databind.annotation.EnumNaming;
import io.tasker.messages.WireValue;

/** How one attempt of a step ended; the wire value is what the attempts table holds. */
@EnumNaming(WireValue.Naming.class)
public enum AttemptOutcome implements WireValue {
    SUCCESS,
    RETRYABLE_FAILURE,
    PERMANENT_FAILURE,
    LEASE_EXPIRED,
    REJECTED_LATE,
    /** The task was cancelled while the attempt ran. */
    CANCELLED,
    /** The staleness sweep failed the task while the attempt ran. */
    TASK_STALE,
    /** An operator resolved the step while the attempt ran. */
    RESOLVED_MANUALLY,
    /** An operator completed the step while the attempt ran. */
    COMPLETED_MANUALLY;
}
