package io.tasker.orchestrator.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.tasker.orchestrator.lifecycle.ResultConsumer;
import io.tasker.queue.PollingLoop;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: database reachable, schema migrated, result consumer running. Liveness: the consumer
 * loop is not stuck.
 */
public class OrchestratorHealth {

    // The newest function of the schema: present only when every migration has been applied.
    private static final String SCHEMA_CHECK =
            "SELECT to_regprocedure('tasker.process_step_result(uuid,bigint)') IS NOT NULL";

    @Readiness
    @ApplicationScoped
    public static class Ready implements AsyncHealthCheck {
        private final Pool pool;
        private final ResultConsumer consumer;

        public Ready(Pool pool, ResultConsumer consumer) {
            this.pool = pool;
            this.consumer = consumer;
        }

        @Override
        public Uni<HealthCheckResponse> call() {
            PollingLoop loop = consumer.loop();
            return pool.query(SCHEMA_CHECK)
                    .execute()
                    .map(rows -> rows.iterator().next().getBoolean(0))
                    .ifNoItem()
                    .after(Duration.ofSeconds(3))
                    .fail()
                    .map(
                            migrated ->
                                    HealthCheckResponse.named("tasker-orchestrator")
                                            .status(migrated && (loop == null || loop.isRunning()))
                                            .withData("database", "up")
                                            .withData("schema_migrated", migrated)
                                            .withData(
                                                    "result_consumer",
                                                    loop == null
                                                            ? "disabled"
                                                            : (loop.isRunning()
                                                                    ? "running"
                                                                    : "stopped"))
                                            .withData("listening", consumer.listening())
                                            .build())
                    .onFailure()
                    .recoverWithItem(
                            e ->
                                    HealthCheckResponse.named("tasker-orchestrator")
                                            .down()
                                            .withData("database", "down")
                                            .withData("error", String.valueOf(e.getMessage()))
                                            .build());
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements AsyncHealthCheck {
        private final ResultConsumer consumer;

        public Live(ResultConsumer consumer) {
            this.consumer = consumer;
        }

        @Override
        public Uni<HealthCheckResponse> call() {
            PollingLoop loop = consumer.loop();
            boolean alive = loop == null || loop.isAlive(Duration.ofMinutes(5));
            return Uni.createFrom()
                    .item(HealthCheckResponse.named("result-consumer").status(alive).build());
        }
    }
}
