package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The audit trail of a task: its transitions by sort key, its steps' transitions by time. */
public record Transitions(
        @JsonProperty("task_transitions") List<TaskTransition> taskTransitions,
        @JsonProperty("step_transitions") List<StepTransition> stepTransitions) {}
