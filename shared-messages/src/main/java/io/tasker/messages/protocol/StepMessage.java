package io.tasker.messages.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.UUID;

/**
 * The reference-only message a worker reads from {@code worker_<namespace>_queue} (written by SQL
 * {@code tasker.step_message}). A worker needs only {@code step_uuid} to claim the step; the claim
 * answer carries everything else. {@code format_version} reads as 0 when absent.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StepMessage(
        @JsonProperty("format_version") int formatVersion,
        @JsonProperty("task_uuid") UUID taskUuid,
        @JsonProperty("step_uuid") UUID stepUuid,
        @JsonProperty("correlation_id") UUID correlationId,
        @JsonProperty("namespace") String namespace,
        @JsonProperty("step_name") String stepName,
        @JsonProperty("attempt") int attempt,
        @JsonProperty("enqueued_at") String enqueuedAt)
        implements VersionedMessage {}
