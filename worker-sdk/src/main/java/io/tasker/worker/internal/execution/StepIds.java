package io.tasker.worker.internal.execution;

import io.tasker.queue.LogContext;
import java.util.UUID;

/** The ids a log line about one step names, and the namespace its metrics are tagged with. */
public record StepIds(String namespace, String taskUuid, UUID stepUuid, String correlationId) {

    /** Runs a logging call with the ids in the log context (JSON log fields). */
    void log(Runnable logging) {
        LogContext.run(taskUuid, stepUuid, correlationId, logging);
    }

    @Override
    public String toString() {
        return "task_uuid="
                + taskUuid
                + " step_uuid="
                + stepUuid
                + " correlation_id="
                + correlationId;
    }
}
