package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A task with its context, identity, execution summary and every step: the answer of {@code GET
 * /v1/tasks/{task_uuid}}, of task creation and of cancellation. On the wire the summary's members
 * stand beside {@code context}, {@code identity_hash}, {@code execution_summary} and {@code steps},
 * in one object.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Task(
        @JsonUnwrapped TaskSummary summary,
        @JsonProperty("context") JsonNode context,
        @JsonProperty("identity_hash") String identityHash,
        @JsonProperty("execution_summary") ExecutionSummary executionSummary,
        @JsonProperty("steps") List<Step> steps) {

    /** The step of this task with the given name, if there is one. */
    public java.util.Optional<Step> step(String stepName) {
        return steps.stream().filter(s -> s.name().equals(stepName)).findFirst();
    }
}
