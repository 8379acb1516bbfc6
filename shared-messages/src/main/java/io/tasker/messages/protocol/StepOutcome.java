package io.tasker.messages.protocol;

import com.fasterxml.jackson.databind.annotation.EnumNaming;
import io.tasker.messages.WireValue;

/** The outcome of one attempt, as a worker reports it to {@code tasker.report_step_result}. */
@EnumNaming(WireValue.Naming.class)
public enum StepOutcome implements WireValue {
    SUCCESS,
    RETRYABLE_FAILURE,
    PERMANENT_FAILURE;
}
