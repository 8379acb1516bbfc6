package io.tasker.messages.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The outcome of one attempt as a worker reports it with {@code tasker.report_step_result(step,
 * claim_token, outcome, result, error)}: {@code result} on success, {@code error} on a failure.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepResult(
        @JsonProperty("outcome") StepOutcome outcome,
        @JsonProperty("result") @Nullable JsonNode result,
        @JsonProperty("error") @Nullable StepError error) {

    public static StepResult success(JsonNode result) {
        return new StepResult(StepOutcome.SUCCESS, result, null);
    }

    public static StepResult failure(StepOutcome outcome, StepError error) {
        if (outcome == StepOutcome.SUCCESS) {
            throw new IllegalArgumentException("a failure needs a failure outcome");
        }
        return new StepResult(outcome, null, error);
    }
}
