package io.tasker.orchestrator.worker;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.tasker.orchestrator.lifecycle.ScheduledJobs;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Every {@code tasker.workers.prune-interval}, deletes the workers gone for longer than {@code
 * tasker.workers.retention}: one DELETE on a table of a few rows per worker process, safe on every
 * orchestrator at once.
 */
@ApplicationScoped
public class WorkerPrune {

    private static final Logger LOG = Logger.getLogger(WorkerPrune.class);

    private final Pool pool;
    private final WorkerQueries queries;

    public WorkerPrune(Pool pool, WorkerQueries queries) {
        this.pool = pool;
        this.queries = queries;
    }

    /** A failure is logged and never fails the job: the next interval retries. */
    @Scheduled(
            identity = "tasker-worker-prune",
            every = "${tasker.workers.prune-interval:60s}",
            delayed = "${tasker.workers.prune-interval:60s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledPrune() {
        return ScheduledJobs.loggingFailure(prune(), LOG, "worker prune");
    }

    /** One prune; the number of workers deleted. */
    Uni<Integer> prune() {
        return queries.callPruneWorkers(pool)
                .invoke(
                        deleted -> {
                            if (deleted > 0) {
                                LOG.debugf("worker prune deleted %d gone worker(s)", deleted);
                            }
                        });
    }
}
