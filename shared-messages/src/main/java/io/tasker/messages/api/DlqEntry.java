package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.TaskState;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A dead-letter entry: the task's state when it was found stale, why (e.g. staleness_timeout), a
 * snapshot of the task with its execution summary and steps, and how the investigation stands.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DlqEntry(
        @JsonProperty("dlq_entry_uuid") UUID dlqEntryUuid,
        @JsonProperty("task_uuid") UUID taskUuid,
        @JsonProperty("original_state") TaskState originalState,
        @JsonProperty("reason") String reason,
        @JsonProperty("snapshot") JsonNode snapshot,
        @JsonProperty("resolution_status") DlqResolutionStatus resolutionStatus,
        @JsonProperty("resolution_notes") String resolutionNotes,
        @JsonProperty("resolved_by") String resolvedBy,
        @JsonProperty("created_at") @WireTimestamp OffsetDateTime createdAt,
        @JsonProperty("resolved_at") @WireTimestamp OffsetDateTime resolvedAt) {}
