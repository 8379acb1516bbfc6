package io.tasker.worker.internal.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.tasker.queue.PollingLoop;
import io.tasker.worker.internal.execution.StepPipeline;
import io.tasker.worker.internal.queue.StepConsumer;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: database reachable, every queue loop running and its last poll successful; when it is
 * down, {@code reason} says why. Liveness: no loop is stuck or dead (an unreachable database does
 * not make the worker dead: its loops retry with backoff).
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
            String pollFailure =
                    consumer.loops().values().stream()
                            .map(PollingLoop::lastFailure)
                            .filter(Objects::nonNull)
                            .map(e -> String.valueOf(e.getMessage()))
                            .findFirst()
                            .orElse(null);
            return pool.query("SELECT 1")
                    .execute()
                    .ifNoItem()
                    .after(Duration.ofSeconds(3))
                    .fail()
                    .map(
                            rows -> {
                                HealthCheckResponseBuilder up =
                                        HealthCheckResponse.named("tasker-worker")
                                                .status(running && pollFailure == null)
                                                .withData("database", "up")
                                                .withData(
                                                        "queues",
                                                        String.join(",", consumer.loops().keySet()))
                                                .withData(
                                                        "handlers",
                                                        String.join(
                                                                ",", pipeline.handlers().names()))
                                                .withData(
                                                        "consumers",
                                                        running ? "running" : "stopped")
                                                .withData("listening", consumer.listening())
                                                .withData("steps_in_flight", pipeline.inFlight());
                                if (!running) {
                                    up.withData("reason", "queue consumers are not running");
                                } else if (pollFailure != null) {
                                    up.withData("reason", "polls failing: " + pollFailure);
                                }
                                return up.build();
                            })
                    .onFailure()
                    .recoverWithItem(
                            e ->
                                    HealthCheckResponse.named("tasker-worker")
                                            .down()
                                            .withData("database", "down")
                                            .withData(
                                                    "reason",
                                                    "database unreachable: "
                                                            + (e instanceof TimeoutException
                                                                    ? "no answer within 3 s"
                                                                    : String.valueOf(
                                                                            e.getMessage())))
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
