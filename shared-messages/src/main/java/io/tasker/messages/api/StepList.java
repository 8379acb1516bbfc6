package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Every workflow step of a task, by position. */
public record StepList(@JsonProperty("workflow_steps") List<Step> workflowSteps) {}
