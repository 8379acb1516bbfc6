package io.tasker.orchestrator.dlq;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import io.smallrye.mutiny.Uni;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.lifecycle.ScheduledJobs;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Every {@code tasker.staleness.interval}, moves tasks that outlived their template's lifecycle
 * limit to the DLQ and to {@code error} (one SQL call, SKIP LOCKED, so every orchestrator may
 * sweep).
 */
@ApplicationScoped
public class StalenessSweeper {

    private static final Logger LOG = Logger.getLogger(StalenessSweeper.class);
    private static final String SWEEP = "SELECT tasker.sweep_stale_tasks($1::integer)";

    private final Pool pool;
    private final OrchestratorConfig.Staleness config;
    private final MeterRegistry metrics;

    public StalenessSweeper(Pool pool, OrchestratorConfig config, MeterRegistry metrics) {
        this.pool = pool;
        this.config = config.staleness();
        this.metrics = metrics;
    }

    /**
     * The first sweep waits one interval, as the instance has just started. A sweep still running
     * when the next is due (a slow database) makes the scheduler skip that one rather than pile up
     * concurrent sweeps. A failure is logged and never fails the job: the next interval retries.
     */
    @Scheduled(
            identity = "tasker-staleness-sweep",
            every = "${tasker.staleness.interval:60s}",
            delayed = "${tasker.staleness.interval:60s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = StalenessSweeper.Disabled.class)
    Uni<Void> scheduledSweep() {
        return ScheduledJobs.loggingFailure(sweep(), LOG, "staleness sweep");
    }

    /** One sweep; the number of tasks it moved to the DLQ. */
    Uni<Integer> sweep() {
        return pool.preparedQuery(SWEEP)
                .execute(Tuple.of(config.batchSize()))
                .map(rows -> rows.iterator().next().getInteger(0))
                .invoke(
                        moved -> {
                            if (moved > 0) {
                                metrics.counter("tasker_tasks_stale_total").increment(moved);
                                LOG.warnf(
                                        "staleness sweep moved %d task(s) to the DLQ and to error",
                                        moved);
                            }
                        });
    }

    /** Skips every sweep of an instance started with {@code tasker.staleness.enabled=false}. */
    @Singleton
    public static class Disabled implements Scheduled.SkipPredicate {

        private final boolean enabled;

        public Disabled(OrchestratorConfig config) {
            this.enabled = config.staleness().enabled();
        }

        @Override
        public boolean test(ScheduledExecution execution) {
            return !enabled;
        }
    }
}
