package io.tasker.messages.api;

import com.fasterxml.jackson.databind.annotation.EnumNaming;
import io.tasker.messages.WireValue;

/** An operator's action on a step. */
@EnumNaming(WireValue.Naming.class)
public enum StepAction implements WireValue {
    /** Runs the step again from a new attempt generation. */
    RESET_FOR_RETRY,
    /** Settles the step without a result; dependents may run. */
    RESOLVE_MANUALLY,
    /** Completes the step with a result given to its dependents. */
    COMPLETE_MANUALLY;
}
