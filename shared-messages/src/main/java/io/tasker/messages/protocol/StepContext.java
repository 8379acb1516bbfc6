package io.tasker.messages.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a handler is given for one attempt: the task and its input, the step and its template
 * configuration, the attempt, the results of every ancestor step by name, and the deadline (the
 * attempt's start plus the step's timeout; absent when the context was built outside a run).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepContext(
        @JsonProperty("task_uuid") UUID taskUuid,
        @JsonProperty("step_uuid") UUID stepUuid,
        @JsonProperty("correlation_id") UUID correlationId,
        @JsonProperty("namespace") String namespace,
        @JsonProperty("task_name") String taskName,
        @JsonProperty("task_version") String taskVersion,
        @JsonProperty("context") JsonNode context,
        @JsonProperty("step_name") String stepName,
        @JsonProperty("config") JsonNode config,
        @JsonProperty("inputs") JsonNode inputs,
        @JsonProperty("attempt") int attempt,
        @JsonProperty("max_attempts") int maxAttempts,
        @JsonProperty("parents") List<String> parents,
        @JsonProperty("dependency_results") Map<String, JsonNode> dependencyResults,
        @JsonProperty("deadline") @Nullable String deadline) {

    public StepContext {
        parents = parents == null ? List.of() : List.copyOf(parents);
        dependencyResults = dependencyResults == null ? Map.of() : Map.copyOf(dependencyResults);
    }
}
