package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Step counts of a task and what they mean for it, as {@code tasker.task_execution_summary}
 * computes them. {@code completed_steps} counts complete and manually resolved steps; {@code
 * waiting_for_workers} comes from the worker registry ({@code tasker.task_waiting_for_workers}).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ExecutionSummary(
        @JsonProperty("total_steps") int totalSteps,
        @JsonProperty("pending_steps") int pendingSteps,
        @JsonProperty("enqueued_steps") int enqueuedSteps,
        @JsonProperty("in_progress_steps") int inProgressSteps,
        @JsonProperty("completed_steps") int completedSteps,
        @JsonProperty("failed_steps") int failedSteps,
        @JsonProperty("waiting_for_retry_steps") int waitingForRetrySteps,
        @JsonProperty("cancelled_steps") int cancelledSteps,
        @JsonProperty("ready_steps") int readySteps,
        @JsonProperty("blocked_steps") int blockedSteps,
        @JsonProperty("execution_status")
                @Schema(
                        enumeration = {
                            "all_complete",
                            "blocked_by_failures",
                            "has_ready_steps",
                            "processing",
                            "waiting_for_retry",
                            "waiting_for_dependencies"
                        })
                String executionStatus,
        @JsonProperty("health_status") @Schema(enumeration = {"healthy", "degraded", "blocked"})
                String healthStatus,
        @JsonProperty("waiting_for_workers")
                @Schema(
                        description =
                                "True while steps wait to be run and no live worker has served the"
                                        + " task's namespace for tasker.workers.waiting-after.")
                boolean waitingForWorkers) {}
