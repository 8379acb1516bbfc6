package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.TaskState;
import java.time.OffsetDateTime;

/** One state change of a task; from_state is null for the first. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TaskTransition(
        @JsonProperty("from_state") TaskState fromState,
        @JsonProperty("to_state") TaskState toState,
        @JsonProperty("reason") String reason,
        @JsonProperty("metadata") JsonNode metadata,
        @JsonProperty("most_recent") boolean mostRecent,
        @JsonProperty("sort_key") int sortKey,
        @JsonProperty("created_at") @WireTimestamp OffsetDateTime createdAt) {}
