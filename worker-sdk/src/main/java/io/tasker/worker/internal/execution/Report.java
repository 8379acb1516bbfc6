package io.tasker.worker.internal.execution;

import io.tasker.messages.protocol.StepOutcome;
import io.tasker.messages.protocol.StepResult;

/**
 * What the worker stores for one attempt: the protocol's {@link StepResult} and its JSON, already
 * checked to be storable; {@code refusal} says why the handler's own outcome was replaced by a
 * permanent failure, when it was.
 */
public record Report(StepResult result, String resultJson, String errorJson, String refusal) {

    /** A report of what the handler returned, unchanged. */
    public Report(StepResult result, String resultJson, String errorJson) {
        this(result, resultJson, errorJson, null);
    }

    /**
     * The outcome's wire value: {@code success}, {@code retryable_failure} or {@code
     * permanent_failure}.
     */
    public String outcome() {
        return result.outcome().wire();
    }

    /** True when the handler's own outcome could not be stored and this failure replaces it. */
    public boolean replacesHandlerOutcome() {
        return refusal != null;
    }

    public boolean success() {
        return result.outcome() == StepOutcome.SUCCESS;
    }
}
