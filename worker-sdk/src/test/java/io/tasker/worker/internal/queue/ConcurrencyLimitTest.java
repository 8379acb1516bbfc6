package io.tasker.worker.internal.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tasker.worker.StepResult;
import io.tasker.worker.TestHandlers;
import io.tasker.worker.WorkerTestBed;
import io.tasker.worker.internal.execution.StepPipeline;
import io.tasker.worker.internal.handler.RegisteredHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The consumer's polls, across every namespace served, never hold more steps than slots. */
class ConcurrencyLimitTest {

    private static final int LIMIT = 4;
    private static final int TASKS_PER_NAMESPACE = 12;
    private static final String IN_PROGRESS =
            "SELECT count(*) FROM tasker.workflow_steps WHERE current_state = 'in_progress'";

    private static WorkerTestBed bed;

    @BeforeAll
    static void start() {
        bed = new WorkerTestBed("concurrency limit");
    }

    @AfterAll
    static void stop() {
        bed.close();
    }

    @Test
    void in_flight_steps_never_exceed_max_concurrent_steps_across_two_namespaces()
            throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostRunning = new AtomicInteger();
        RegisteredHandler gated =
                TestHandlers.named(
                        "test.gated",
                        ctx -> {
                            mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                            try {
                                gate.await(30, TimeUnit.SECONDS);
                            } finally {
                                running.decrementAndGet();
                            }
                            return StepResult.success(TextNode.valueOf("done"));
                        });
        for (String ns : new String[] {"limit_a", "limit_b"}) {
            UUID template =
                    bed.registerTemplate(
                            ns, "gated", "[{\"name\": \"step\", \"handler\": \"test.gated\"}]");
            for (int i = 0; i < TASKS_PER_NAMESPACE; i++) {
                bed.createTask(template, "{\"n\": " + i + "}");
            }
        }
        WorkerTestBed.Config config =
                WorkerTestBed.Config.of("limit_a", "limit_b").withMaxConcurrentSteps(LIMIT);
        StepPipeline executor = bed.executor(config, LIMIT, gated);
        StepConsumer consumer =
                new StepConsumer(
                        bed.vertx(), bed.pool(), executor, config, null, Clock.systemUTC());
        AtomicLong mostClaimed = new AtomicLong();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleWithFixedDelay(
                () -> mostClaimed.accumulateAndGet(bed.count(IN_PROGRESS), Math::max),
                0,
                20,
                TimeUnit.MILLISECONDS);
        try {
            consumer.onStart(new StartupEvent());

            await("every slot busy")
                    .atMost(WorkerTestBed.TIMEOUT)
                    .until(() -> running.get() == LIMIT);
            // Both loops keep polling meanwhile; neither may claim a step beyond the free slots.
            await("no step claimed beyond the slots")
                    .during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> bed.count(IN_PROGRESS) == LIMIT);
            gate.countDown();
            await("every step reported")
                    .atMost(WorkerTestBed.TIMEOUT)
                    .until(
                            () ->
                                    bed.count(
                                                    "SELECT count(*) FROM tasker.workflow_steps"
                                                            + " WHERE current_state = 'enqueued_for_orchestration'")
                                            == 2L * TASKS_PER_NAMESPACE);
        } finally {
            sampler.shutdownNow();
            consumer.onStop(new ShutdownEvent());
        }
        assertThat(mostRunning.get()).isEqualTo(LIMIT);
        assertThat(mostClaimed.get()).isLessThanOrEqualTo(LIMIT);
        assertThat(executor.inFlight()).isZero();
    }
}
