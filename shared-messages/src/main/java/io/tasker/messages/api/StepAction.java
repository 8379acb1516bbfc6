package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** An operator's action on a step. */
public enum StepAction {
    /** Runs the step again from a new attempt generation. */
    RESET_FOR_RETRY("reset_for_retry"),
    /** Settles the step without a result; dependents may run. */
    RESOLVE_MANUALLY("resolve_manually"),
    /** Completes the step with a result given to its dependents. */
    COMPLETE_MANUALLY("complete_manually");

    private final String wire;

    StepAction(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static StepAction fromWire(String value) {
        for (StepAction a : values()) {
            if (a.wire.equals(value)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown step action: " + value);
    }
}
