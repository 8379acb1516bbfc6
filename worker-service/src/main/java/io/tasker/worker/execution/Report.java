package io.tasker.worker.execution;

/**
 * What the worker stores for one attempt: the outcome ({@code success}, {@code retryable_failure}
 * or {@code permanent_failure}) and its JSON, already checked to be storable; {@code refusal} says
 * why the handler's own outcome was replaced by a permanent failure, when it was.
 */
public record Report(String outcome, String resultJson, String errorJson, String refusal) {

    /** A report of what the handler returned, unchanged. */
    public Report(String outcome, String resultJson, String errorJson) {
        this(outcome, resultJson, errorJson, null);
    }

    /** True when the handler's own outcome could not be stored and this failure replaces it. */
    public boolean replacesHandlerOutcome() {
        return refusal != null;
    }

    public boolean success() {
        return "success".equals(outcome);
    }
}
