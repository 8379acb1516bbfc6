package io.tasker.client;

import io.tasker.messages.api.Task;
import java.time.Duration;
import java.util.UUID;

/** {@link TaskerClient#awaitTask} gave up: the task was still active when the timeout passed. */
public class TaskAwaitTimeoutException extends TaskerClientException {

    private final UUID taskUuid;
    private final Duration timeout;
    private final Task lastSeen;

    public TaskAwaitTimeoutException(UUID taskUuid, Duration timeout, Task lastSeen) {
        super(
                "task "
                        + taskUuid
                        + " did not finish within "
                        + timeout
                        + "; last seen "
                        + (lastSeen.summary().status() == null
                                ? "in an unknown state"
                                : lastSeen.summary().status().wire())
                        + " ("
                        + describe(lastSeen)
                        + ")");
        this.taskUuid = taskUuid;
        this.timeout = timeout;
        this.lastSeen = lastSeen;
    }

    public UUID taskUuid() {
        return taskUuid;
    }

    public Duration timeout() {
        return timeout;
    }

    /** The task as the last poll read it. */
    public Task lastSeen() {
        return lastSeen;
    }

    private static String describe(Task t) {
        if (t.executionSummary() == null) {
            return "no execution summary";
        }
        return t.executionSummary().completedSteps()
                + " of "
                + t.executionSummary().totalSteps()
                + " steps complete, "
                + t.executionSummary().executionStatus();
    }
}
