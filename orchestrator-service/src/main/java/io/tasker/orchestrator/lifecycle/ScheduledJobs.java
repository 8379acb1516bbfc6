package io.tasker.orchestrator.lifecycle;

import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;

/** What every scheduled database job of the orchestrator does with its run. */
public final class ScheduledJobs {

    private ScheduledJobs() {}

    /**
     * The run as a scheduled job's result: a failure is logged as "{@code job} failed" and never
     * fails the job, so the next interval retries.
     */
    public static Uni<Void> loggingFailure(Uni<?> run, Logger log, String job) {
        return run.onFailure()
                .invoke(e -> log.warnf("%s failed: %s", job, e.getMessage()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }
}
