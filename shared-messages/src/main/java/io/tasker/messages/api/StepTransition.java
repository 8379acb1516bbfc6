package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.StepState;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One state change of a step, named by the step's uuid and name; from_state null for the first. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record StepTransition(
        @JsonProperty("workflow_step_uuid") UUID workflowStepUuid,
        @JsonProperty("step_name") String stepName,
        @JsonProperty("from_state") StepState fromState,
        @JsonProperty("to_state") StepState toState,
        @JsonProperty("reason") String reason,
        @JsonProperty("metadata") JsonNode metadata,
        @JsonProperty("most_recent") boolean mostRecent,
        @JsonProperty("sort_key") int sortKey,
        @JsonProperty("created_at") @WireTimestamp OffsetDateTime createdAt) {}
