package io.tasker.worker.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.tasker.queue.PollingLoop;
import io.tasker.worker.execution.StepPipeline;
import io.tasker.worker.queue.StepConsumer;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: database reachable and every queue loop running. Liveness: no loop is stuck or dead.
 */
public class WorkerHealth {

    @Readiness
    @ApplicationScoped
    public static class Ready implements AsyncHealthCheck {
        private final Pool pool;
        private final StepConsumer consumer;
        private final StepPipeline pipeline;

        public Ready(Pool pool, StepConsumer consumer, StepPipeline pipeline) {
            this.pool = pool;
            this.consumer = consumer;
            this.pipeline = pipeline;
        }

        @Override
        public Uni<HealthCheckResponse> call() {
            boolean running =
                    !consumer.loops().isEmpty()
                            && consumer.loops().values().stream().allMatch(PollingLoop::isRunning);
            return pool.query("SELECT 1")
                    .execute()
                    .ifNoItem()
                    .after(Duration.ofSeconds(3))
                    .fail()
                    .map(
                            rows ->
                                    HealthCheckResponse.named("tasker-worker")
                                            .status(running)
                                            .withData("database", "up")
                                            .withData(
                                                    "queues",
                                                    String.join(",", consumer.loops().keySet()))
                                            .withData("consumers", running ? "running" : "stopped")
                                            .withData("listening", consumer.listening())
                                            .withData("steps_in_flight", pipeline.inFlight())
                                            .build())
                    .onFailure()
                    .recoverWithItem(
                            e ->
                                    HealthCheckResponse.named("tasker-worker")
                                            .down()
                                            .withData("database", "down")
                                            .withData("error", String.valueOf(e.getMessage()))
                                            .build());
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements AsyncHealthCheck {
        private final StepConsumer consumer;

        public Live(StepConsumer consumer) {
            this.consumer = consumer;
        }

        @Override
        public Uni<HealthCheckResponse> call() {
            boolean alive =
                    consumer.loops().values().stream()
                            .allMatch(l -> l.isAlive(Duration.ofMinutes(5)));
            return Uni.createFrom()
                    .item(HealthCheckResponse.named("queue-consumers").status(alive).build());
        }
    }
}
