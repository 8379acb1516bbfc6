package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.TaskState;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * A task with its context, identity, execution summary and every step: the answer of {@code GET
 * /v1/tasks/{task_uuid}}, of task creation and of cancellation.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Task(
        @JsonProperty("task_uuid") UUID taskUuid,
        @JsonProperty("namespace") String namespace,
        @JsonProperty("name") String name,
        @JsonProperty("version") String version,
        @JsonProperty("status") TaskState status,
        @JsonProperty("priority") int priority,
        @JsonProperty("correlation_id") UUID correlationId,
        @JsonProperty("initiator") String initiator,
        @JsonProperty("source_system") String sourceSystem,
        @JsonProperty("reason") String reason,
        @JsonProperty("tags") List<String> tags,
        @JsonProperty("created_at") @WireTimestamp OffsetDateTime createdAt,
        @JsonProperty("updated_at") @WireTimestamp OffsetDateTime updatedAt,
        @JsonProperty("completed_at") @WireTimestamp OffsetDateTime completedAt,
        @JsonProperty("context") JsonNode context,
        @JsonProperty("identity_hash") String identityHash,
        @JsonProperty("execution_summary") ExecutionSummary executionSummary,
        @JsonProperty("steps") List<Step> steps) {

    /** The step of this task with the given name, if there is one. */
    public java.util.Optional<Step> step(String stepName) {
        return steps.stream().filter(s -> s.name().equals(stepName)).findFirst();
    }
}
