package io.tasker.orchestrator.dlq;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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

    private final Vertx vertx;
    private final Pool pool;
    private final OrchestratorConfig.Staleness config;
    private final MeterRegistry metrics;
    private volatile long timer = -1;

    public StalenessSweeper(
            Vertx vertx, Pool pool, OrchestratorConfig config, MeterRegistry metrics) {
        this.vertx = vertx;
        this.pool = pool;
        this.config = config.staleness();
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.enabled()) {
            timer = vertx.setPeriodic(config.interval().toMillis(), id -> sweep());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    void sweep() {
        pool.preparedQuery(SWEEP)
                .execute(Tuple.of(config.batchSize()))
                .map(rows -> rows.iterator().next().getInteger(0))
                .subscribe()
                .with(
                        moved -> {
                            if (moved > 0) {
                                metrics.counter("tasker_tasks_stale_total").increment(moved);
                                LOG.warnf(
                                        "staleness sweep moved %d task(s) to the DLQ and to error",
                                        moved);
                            }
                        },
                        e -> LOG.warnf("staleness sweep failed: %s", e.getMessage()));
    }
}
