package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.StepState;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * A workflow step of a task with the names of the steps it depends on and every attempt, oldest
 * first. {@code namespace} is the namespace whose queue and workers serve the step: the template
 * step's own, else the task's. {@code results} is null until the step completes; {@code last_error}
 * holds at least {@code type}, {@code message} and {@code retryable}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Step(
        @JsonProperty("workflow_step_uuid") UUID workflowStepUuid,
        @JsonProperty("task_uuid") UUID taskUuid,
        @JsonProperty("name") String name,
        @JsonProperty("position") int position,
        @JsonProperty("handler") String handler,
        @JsonProperty("namespace") String namespace,
        @JsonProperty("status") StepState status,
        @JsonProperty("attempts") int attempts,
        @JsonProperty("max_attempts") int maxAttempts,
        @JsonProperty("retryable") boolean retryable,
        @JsonProperty("timeout_seconds") int timeoutSeconds,
        @JsonProperty("config") JsonNode config,
        @JsonProperty("results") JsonNode results,
        @JsonProperty("last_error") JsonNode lastError,
        @JsonProperty("next_retry_at") @WireTimestamp OffsetDateTime nextRetryAt,
        @JsonProperty("claimed_by") String claimedBy,
        @JsonProperty("lease_expires_at") @WireTimestamp OffsetDateTime leaseExpiresAt,
        @JsonProperty("created_at") @WireTimestamp OffsetDateTime createdAt,
        @JsonProperty("updated_at") @WireTimestamp OffsetDateTime updatedAt,
        @JsonProperty("completed_at") @WireTimestamp OffsetDateTime completedAt,
        @JsonProperty("depends_on") List<String> dependsOn,
        @JsonProperty("attempt_history") List<Attempt> attemptHistory) {}
