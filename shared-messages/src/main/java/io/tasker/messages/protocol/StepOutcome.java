package io.tasker.messages.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The outcome of one attempt, as a worker reports it to {@code tasker.report_step_result}. */
public enum StepOutcome implements WireEnum {
    SUCCESS("success"),
    RETRYABLE_FAILURE("retryable_failure"),
    PERMANENT_FAILURE("permanent_failure");

    private final String wire;

    StepOutcome(String wire) {
        this.wire = wire;
    }

    @JsonValue
    @Override
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static StepOutcome fromWire(String value) {
        return WireEnum.fromWire(StepOutcome.class, value);
    }
}
