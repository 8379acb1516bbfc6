package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One page of the task list, newest first. */
public record TaskPage(
        @JsonProperty("tasks") List<TaskSummary> tasks,
        @JsonProperty("pagination") Pagination pagination) {}
