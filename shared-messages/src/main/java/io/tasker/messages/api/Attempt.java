package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;

/**
 * One attempt of a step. Generation 0 lasts until an operator's reset_for_retry, which starts a new
 * generation whose attempts count from 1 again; outcome and finished_at are null while it runs.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Attempt(
        @JsonProperty("generation") int generation,
        @JsonProperty("attempt") int attempt,
        @JsonProperty("worker_id") String workerId,
        @JsonProperty("started_at") @WireTimestamp OffsetDateTime startedAt,
        @JsonProperty("finished_at") @WireTimestamp OffsetDateTime finishedAt,
        @JsonProperty("outcome") AttemptOutcome outcome,
        @JsonProperty("error") JsonNode error) {}
