package io.tasker.messages.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.UUID;

/**
 * The notice the SQL functions send to {@code orchestration_step_results} when an attempt has ended
 * (reported, lost on its last lease, or failed as poison). The orchestrator processes it by {@code
 * step_uuid}; the step's row holds the result or error. {@code format_version} reads as 0 when
 * absent.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResultNotice(
        @JsonProperty("format_version") int formatVersion,
        @JsonProperty("task_uuid") UUID taskUuid,
        @JsonProperty("step_uuid") UUID stepUuid,
        @JsonProperty("attempt") int attempt,
        @JsonProperty("outcome") NoticeOutcome outcome,
        @JsonProperty("namespace") String namespace,
        @JsonProperty("step_name") String stepName,
        @JsonProperty("correlation_id") UUID correlationId)
        implements VersionedMessage {}
