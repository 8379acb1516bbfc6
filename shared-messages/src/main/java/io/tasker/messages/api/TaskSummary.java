package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tasker.messages.TaskState;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** The fields of a task shown in lists ({@code GET /v1/tasks}). */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TaskSummary(
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
        @JsonProperty("completed_at") @WireTimestamp OffsetDateTime completedAt) {}
