package io.tasker.orchestrator.health;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.tasker.orchestrator.lifecycle.ResultConsumer;
import io.tasker.queue.PollingLoop;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfoService;

/**
 * Readiness: database reachable, schema migrated, result consumer running. Liveness: the consumer
 * loop is not stuck.
 */
public class OrchestratorHealth {

    // Every migration this build carries is applied, and none failed.
    private static final String SCHEMA_CHECK =
            """
            SELECT count(*) FILTER (WHERE success) >= $1::integer AND count(*) FILTER (WHERE NOT success) = 0
              FROM flyway_schema_history
            """;

    /** How many migrations this build carries, read once from Flyway after it migrated at start. */
    @ApplicationScoped
    public static class ExpectedMigrations {
        private final Flyway flyway;
        private volatile int count = -1;

        public ExpectedMigrations(Flyway flyway) {
            this.flyway = flyway;
        }

        void onStart(@Observes StartupEvent event) {
            MigrationInfoService info = flyway.info();
            count = info.applied().length + info.pending().length;
        }

        int count() {
            return count;
        }
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements AsyncHealthCheck {
        private final Pool pool;
        private final ResultConsumer consumer;
        private final ExpectedMigrations migrations;

        public Ready(Pool pool, ResultConsumer consumer, ExpectedMigrations migrations) {
            this.pool = pool;
            this.consumer = consumer;
            this.migrations = migrations;
        }

        @Override
        public Uni<HealthCheckResponse> call() {
            PollingLoop loop = consumer.loop();
            return pool.preparedQuery(SCHEMA_CHECK)
                    .execute(io.vertx.mutiny.sqlclient.Tuple.of(Math.max(0, migrations.count())))
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
