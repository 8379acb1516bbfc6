package io.tasker.worker.internal.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tasker.messages.JsonSupport;
import io.tasker.queue.QueueMessage;
import io.tasker.worker.StepContext;
import io.tasker.worker.StepHandler;
import io.tasker.worker.StepResult;
import io.tasker.worker.TestHandlers;
import io.tasker.worker.WorkerTestBed;
import io.tasker.worker.internal.handler.HandlerRegistry;
import io.tasker.worker.internal.handler.RegisteredHandler;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One worker driving real steps through claim, handler and report against a real database: the
 * deadline, the concurrency slot, and outcomes the database could not store.
 */
class StepExecutionTest {

    private static final String NS = "exec_ns";
    private static final String QUEUE = WorkerTestBed.queue(NS);

    private static WorkerTestBed bed;

    @BeforeAll
    static void start() {
        bed = new WorkerTestBed("step execution");
    }

    @AfterAll
    static void stop() {
        bed.close();
    }

    @Test
    void the_timeout_counts_from_handler_start() throws Exception {
        CountDownLatch blockerStarted = new CountDownLatch(1);
        CountDownLatch releaseBlocker = new CountDownLatch(1);
        AtomicInteger quickRuns = new AtomicInteger();
        RegisteredHandler blocker =
                TestHandlers.named(
                        "test.blocker",
                        ctx -> {
                            blockerStarted.countDown();
                            awaitIgnoringInterrupts(releaseBlocker);
                            return StepResult.success(TextNode.valueOf("late"));
                        });
        RegisteredHandler quick =
                TestHandlers.named(
                        "test.quick",
                        ctx -> {
                            quickRuns.incrementAndGet();
                            return StepResult.success(JsonSupport.parse("{\"ran\": true}"));
                        });
        UUID template =
                bed.registerTemplate(
                        NS,
                        "timeout_from_start",
                        """
                        [{"name": "blocker", "handler": "test.blocker", "timeout_seconds": 2},
                         {"name": "quick", "handler": "test.quick", "timeout_seconds": 1}]
                        """);
        UUID task = bed.createTask(template, "{}");
        // Two slots but one handler thread: "quick" waits for the thread while "blocker" holds it
        // past quick's whole timeout.
        StepPipeline executor =
                bed.executor(
                        WorkerTestBed.Config.of(NS).withMaxConcurrentSteps(2), 1, blocker, quick);
        List<QueueMessage> messages = bed.read(QUEUE, 2);
        assertThat(messages).hasSize(2);
        assertThat(executor.slots().tryReserve(2)).isEqualTo(2);
        QueueMessage blockerMessage = messageOf(messages, task, "blocker");
        QueueMessage quickMessage = messageOf(messages, task, "quick");

        var blockerDone = executor.execute(QUEUE, NS, blockerMessage).subscribeAsCompletionStage();
        assertThat(blockerStarted.await(30, TimeUnit.SECONDS)).isTrue();
        var quickDone = executor.execute(QUEUE, NS, quickMessage).subscribeAsCompletionStage();

        awaitState(task, "blocker", "enqueued_as_error_for_orchestration");
        assertThat(bed.stepField(task, "blocker", "last_error->>'type'")).isEqualTo("timeout");
        releaseBlocker.countDown();
        blockerDone.get(30, TimeUnit.SECONDS);
        quickDone.get(30, TimeUnit.SECONDS);

        assertThat(quickRuns).hasValue(1);
        assertThat(bed.stepField(task, "quick", "current_state"))
                .isEqualTo("enqueued_for_orchestration");
        assertThat(bed.stepField(task, "quick", "results")).isEqualTo("{\"ran\": true}");
        assertThat(attemptOutcomes(task, "quick")).containsExactly("success");
        await("both slots back")
                .atMost(WorkerTestBed.TIMEOUT)
                .until(() -> executor.inFlight() == 0);
    }

    @Test
    void a_timed_out_handler_that_ignores_interrupts_keeps_its_slot_until_it_returns()
            throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RegisteredHandler stubborn =
                TestHandlers.named(
                        "test.stubborn",
                        ctx -> {
                            awaitIgnoringInterrupts(release);
                            return StepResult.success(TextNode.valueOf("too late"));
                        });
        UUID task = oneStepTask("stubborn", "test.stubborn", 1);
        StepPipeline executor =
                runNext(
                        bed.executor(
                                WorkerTestBed.Config.of(NS).withMaxConcurrentSteps(1),
                                1,
                                stubborn));

        assertThat(bed.stepField(task, "step", "current_state"))
                .isEqualTo("enqueued_as_error_for_orchestration");
        assertThat(bed.stepField(task, "step", "last_error->>'type'")).isEqualTo("timeout");
        assertThat(executor.inFlight()).isEqualTo(1);
        assertThat(executor.slots().tryReserve(1)).isZero();

        release.countDown();
        await("slot freed once the handler returned")
                .atMost(WorkerTestBed.TIMEOUT)
                .until(() -> executor.inFlight() == 0);
        assertThat(executor.slots().tryReserve(1)).isEqualTo(1);
        executor.slots().release(1);
    }

    @Test
    void a_timed_out_handler_is_interrupted_and_then_frees_its_slot() {
        AtomicInteger interrupted = new AtomicInteger();
        RegisteredHandler sleeper =
                TestHandlers.named(
                        "test.sleeper",
                        ctx -> {
                            try {
                                new CountDownLatch(1).await();
                            } catch (InterruptedException e) {
                                interrupted.incrementAndGet();
                            }
                            return StepResult.success(TextNode.valueOf("interrupted"));
                        });
        UUID task = oneStepTask("sleeper", "test.sleeper", 1);
        StepPipeline executor =
                runNext(
                        bed.executor(
                                WorkerTestBed.Config.of(NS).withMaxConcurrentSteps(1), 1, sleeper));

        assertThat(bed.stepField(task, "step", "last_error->>'type'")).isEqualTo("timeout");
        await("slot freed after the interrupt")
                .atMost(WorkerTestBed.TIMEOUT)
                .until(() -> executor.inFlight() == 0);
        assertThat(interrupted).hasValue(1);
    }

    @Test
    void a_nul_character_in_a_result_fails_the_step_permanently_naming_its_path() {
        ObjectNode result =
                (ObjectNode) JsonSupport.parse("{\"order\": {\"lines\": [{\"sku\": \"a\"}, {}]}}");
        ((ObjectNode) result.get("order").get("lines").get(1)).put("sku", "b\u0000c");
        UUID task = runOne("nul_result", StepResult.success(result));

        assertThat(permanentFailureMessage(task, "invalid_result"))
                .contains("the string at $.order.lines[1].sku contains a NUL character");
    }

    @Test
    void a_nul_character_in_an_object_key_of_a_result_fails_the_step_permanently() {
        ObjectNode result = JsonSupport.object();
        result.putObject("outer").put("bad\u0000key", 1);
        UUID task = runOne("nul_key", StepResult.success(result));

        assertThat(permanentFailureMessage(task, "invalid_result"))
                .contains("a key of the object at $.outer contains a NUL character");
    }

    @Test
    void a_nul_character_in_an_error_message_fails_the_step_permanently() {
        UUID task =
                runOne(
                        "nul_error",
                        StepResult.retryableFailure("upstream said \u0000", "upstream_error"));

        assertThat(permanentFailureMessage(task, "invalid_result"))
                .contains("error message contains a NUL character (\\u0000) at index 14");
    }

    @Test
    void a_retry_after_beyond_millisecond_arithmetic_fails_the_step_permanently() {
        UUID task =
                runOne(
                        "huge_retry_after",
                        StepResult.retryableFailure(
                                "rate limited",
                                "rate_limited",
                                Duration.ofSeconds(Long.MAX_VALUE)));

        assertThat(permanentFailureMessage(task, "invalid_retry_after"))
                .contains("more than 9223372036854775807 ms");
    }

    @Test
    void a_negative_retry_after_fails_the_step_permanently() {
        UUID task =
                runOne(
                        "negative_retry_after",
                        StepResult.retryableFailure(
                                "rate limited", "rate_limited", Duration.ofSeconds(-5)));

        assertThat(permanentFailureMessage(task, "invalid_retry_after")).contains("negative");
    }

    @Test
    void a_result_the_database_refuses_fails_the_step_with_the_databases_message() {
        JsonNode overflow = DecimalNode.valueOf(new BigDecimal("1E+1000000"));
        UUID task = runOne("db_refuses", StepResult.success(overflow));

        assertThat(permanentFailureMessage(task, "result_rejected_by_database"))
                .startsWith("the database refused the handler's outcome: ")
                .contains("numeric");
    }

    @Test
    void a_result_of_exactly_the_size_limit_is_stored_and_one_byte_more_fails_the_step() {
        WorkerTestBed.Config config = WorkerTestBed.Config.of(NS).withMaxResultBytes(1000);
        // A JSON string of n characters is n + 2 bytes with its quotes.
        UUID atLimit =
                runOne("at_limit", StepResult.success(TextNode.valueOf("x".repeat(998))), config);
        UUID overLimit =
                runOne("over_limit", StepResult.success(TextNode.valueOf("x".repeat(999))), config);

        assertThat(bed.stepField(atLimit, "step", "current_state"))
                .isEqualTo("enqueued_for_orchestration");
        assertThat(bed.stepField(atLimit, "step", "length(results #>> '{}')")).isEqualTo("998");
        assertThat(permanentFailureMessage(overLimit, "result_too_large"))
                .isEqualTo(
                        "the handler's result is 1001 bytes of JSON, over the limit of 1000 bytes"
                                + " (tasker.worker.max-result-bytes)");
    }

    @Test
    void the_step_execution_time_is_read_from_the_injected_clock() {
        // Every reading is 90 s after the previous one: the handler "ran" for exactly 90 s.
        Clock stepping =
                new Clock() {
                    private final AtomicLong readings = new AtomicLong();

                    @Override
                    public Instant instant() {
                        return Instant.EPOCH.plusSeconds(90 * readings.getAndIncrement());
                    }

                    @Override
                    public ZoneId getZone() {
                        return ZoneOffset.UTC;
                    }

                    @Override
                    public Clock withZone(ZoneId zone) {
                        // Only instant() is read; the zone plays no part in the durations.
                        return this;
                    }
                };
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        UUID task = oneStepTask("clocked", "test.clocked", 30);
        runNext(
                bed.executor(
                        WorkerTestBed.Config.of(NS),
                        1,
                        metrics,
                        stepping,
                        TestHandlers.named(
                                "test.clocked",
                                ctx -> StepResult.success(TextNode.valueOf("done")))));

        assertThat(bed.stepField(task, "step", "current_state"))
                .isEqualTo("enqueued_for_orchestration");
        Timer execution =
                metrics.get("tasker_step_execution_seconds")
                        .tag("namespace", NS)
                        .tag("handler", "test.clocked")
                        .timer();
        assertThat(execution.count()).isEqualTo(1);
        assertThat(execution.totalTime(TimeUnit.SECONDS)).isEqualTo(90.0);
    }

    /** Method handlers of one bean, run through the whole pipeline. */
    public static class Annotated {
        record Input(String who) {}

        @StepHandler("test.greet")
        public Map<String, String> greet(Input input, StepContext ctx) {
            return Map.of("greeting", "hello " + input.who(), "step", ctx.stepName());
        }

        @StepHandler("test.overflow")
        public String overflow() {
            throw new StackOverflowError("too deep");
        }
    }

    @Test
    void
            an_annotated_method_handler_binds_its_input_and_its_value_is_stored_with_handler_metrics() {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        StepPipeline executor =
                bed.executor(
                        WorkerTestBed.Config.of(NS),
                        1,
                        metrics,
                        HandlerRegistry.ofBeans(new Annotated()));
        UUID task = oneStepTask("greet", "test.greet", 30, "{\"who\": \"ada\"}");
        runNext(executor);

        assertThat(bed.stepField(task, "step", "current_state"))
                .isEqualTo("enqueued_for_orchestration");
        assertThat(bed.stepField(task, "step", "results"))
                .isEqualTo("{\"step\": \"step\", \"greeting\": \"hello ada\"}");
        assertThat(
                        metrics.get("tasker_steps_succeeded_total")
                                .tag("namespace", NS)
                                .tag("handler", "test.greet")
                                .counter()
                                .count())
                .isEqualTo(1.0);
        assertThat(
                        metrics.get("tasker_step_execution_seconds")
                                .tag("handler", "test.greet")
                                .timer()
                                .count())
                .isEqualTo(1);
    }

    @Test
    void a_handler_throwing_an_error_fails_its_attempt_and_the_same_thread_serves_the_next_step() {
        StepPipeline executor =
                bed.executor(
                        WorkerTestBed.Config.of(NS),
                        1,
                        new SimpleMeterRegistry(),
                        HandlerRegistry.ofBeans(new Annotated()));
        UUID broken = oneStepTask("overflow", "test.overflow", 30);
        runNext(executor);

        assertThat(bed.stepField(broken, "step", "current_state"))
                .isEqualTo("enqueued_as_error_for_orchestration");
        assertThat(bed.stepField(broken, "step", "last_error->>'type'"))
                .isEqualTo("StackOverflowError");
        assertThat(bed.stepField(broken, "step", "last_error->>'message'")).isEqualTo("too deep");
        assertThat(bed.stepField(broken, "step", "last_error->>'retryable'")).isEqualTo("true");
        assertThat(attemptOutcomes(broken, "step")).containsExactly("retryable_failure");

        UUID next = oneStepTask("greet_after", "test.greet", 30, "{\"who\": \"bob\"}");
        runNext(executor);
        assertThat(bed.stepField(next, "step", "results")).contains("hello bob");
        assertThat(executor.inFlight()).isZero();
    }

    @Test
    void the_cancellation_flips_with_reason_timeout_when_the_deadline_passes() {
        AtomicReference<String> seen = new AtomicReference<>();
        RegisteredHandler patient =
                TestHandlers.named(
                        "test.patient",
                        ctx -> {
                            // Waits for the signal, not for the interrupt.
                            while (!ctx.cancelled()) {
                                LockSupport.parkNanos(1_000_000);
                            }
                            seen.set(ctx.cancellation().reason());
                            return StepResult.success(TextNode.valueOf("stopped"));
                        });
        UUID task = oneStepTask("patient", "test.patient", 1);
        StepPipeline executor = runNext(bed.executor(WorkerTestBed.Config.of(NS), 1, patient));

        assertThat(bed.stepField(task, "step", "last_error->>'type'")).isEqualTo("timeout");
        await("the handler saw the cancellation")
                .atMost(WorkerTestBed.TIMEOUT)
                .until(() -> seen.get() != null);
        assertThat(seen.get()).isEqualTo("timeout");
        await("slot freed").atMost(WorkerTestBed.TIMEOUT).until(() -> executor.inFlight() == 0);
    }

    @Test
    void draining_flips_the_cancellation_of_running_handlers_and_their_outcome_is_still_stored() {
        CountDownLatch started = new CountDownLatch(1);
        RegisteredHandler polite =
                TestHandlers.named(
                        "test.polite",
                        ctx -> {
                            started.countDown();
                            while (!ctx.cancelled()) {
                                LockSupport.parkNanos(1_000_000);
                            }
                            return StepResult.success(
                                    TextNode.valueOf(ctx.cancellation().reason()));
                        });
        UUID task = oneStepTask("polite", "test.polite", 30);
        StepPipeline executor = bed.executor(WorkerTestBed.Config.of(NS), 1, polite);
        assertThat(executor.slots().tryReserve(1)).isEqualTo(1);
        var done =
                executor.execute(QUEUE, NS, bed.read(QUEUE, 1).get(0)).subscribeAsCompletionStage();
        await("the handler runs")
                .atMost(WorkerTestBed.TIMEOUT)
                .until(() -> started.getCount() == 0);

        executor.cancelRunning("worker_draining");

        done.toCompletableFuture().join();
        assertThat(bed.stepField(task, "step", "results")).isEqualTo("\"worker_draining\"");
    }

    private static UUID runOne(String name, StepResult result) {
        return runOne(name, result, WorkerTestBed.Config.of(NS));
    }

    /** Runs one single-step task whose handler returns {@code result}; returns the task. */
    private static UUID runOne(String name, StepResult result, WorkerTestBed.Config config) {
        String handler = "test." + name;
        UUID task = oneStepTask(name, handler, 30);
        runNext(bed.executor(config, 1, TestHandlers.named(handler, ctx -> result)));
        return task;
    }

    /** Reserves a slot and runs the queue's next message through {@code pipeline} to its report. */
    private static StepPipeline runNext(StepPipeline pipeline) {
        assertThat(pipeline.slots().tryReserve(1)).isEqualTo(1);
        pipeline.execute(QUEUE, NS, bed.read(QUEUE, 1).get(0))
                .await()
                .atMost(WorkerTestBed.TIMEOUT);
        return pipeline;
    }

    private static UUID oneStepTask(String name, String handler, int timeoutSeconds) {
        return oneStepTask(name, handler, timeoutSeconds, "{}");
    }

    private static UUID oneStepTask(
            String name, String handler, int timeoutSeconds, String contextJson) {
        UUID template =
                bed.registerTemplate(
                        NS,
                        name,
                        "[{\"name\": \"step\", \"handler\": \""
                                + handler
                                + "\", \"timeout_seconds\": "
                                + timeoutSeconds
                                + ", \"retry\": {\"max_attempts\": 3}}]");
        return bed.createTask(template, contextJson);
    }

    /**
     * The step failed permanently with this error type, its attempt too, and the orchestrator was
     * told; returns the step's error message.
     */
    private static String permanentFailureMessage(UUID task, String type) {
        assertThat(bed.stepField(task, "step", "current_state"))
                .isEqualTo("enqueued_as_error_for_orchestration");
        assertThat(bed.stepField(task, "step", "last_error->>'type'")).isEqualTo(type);
        assertThat(bed.stepField(task, "step", "last_error->>'retryable'")).isEqualTo("false");
        assertThat(attemptOutcomes(task, "step")).containsExactly("permanent_failure");
        assertThat(
                        bed.count(
                                "SELECT count(*) FROM pgmq.q_orchestration_step_results"
                                        + " WHERE message->>'task_uuid' = ? AND message->>'outcome' = 'failure'",
                                task.toString()))
                .isEqualTo(1);
        assertThat(
                        bed.count(
                                "SELECT count(*) FROM pgmq.q_"
                                        + QUEUE
                                        + " WHERE message->>'task_uuid' = ?",
                                task.toString()))
                .as("the step message is deleted")
                .isZero();
        return bed.stepField(task, "step", "last_error->>'message'");
    }

    private static List<String> attemptOutcomes(UUID task, String stepName) {
        return bed.strings(
                "SELECT a.outcome FROM tasker.workflow_step_attempts a"
                        + " JOIN tasker.workflow_steps s USING (workflow_step_uuid)"
                        + " WHERE s.task_uuid = ?::uuid AND s.name = ? ORDER BY a.attempt",
                task.toString(),
                stepName);
    }

    private static void awaitState(UUID task, String stepName, String state) {
        await(stepName + " " + state)
                .atMost(WorkerTestBed.TIMEOUT)
                .until(() -> state.equals(bed.stepField(task, stepName, "current_state")));
    }

    private static QueueMessage messageOf(List<QueueMessage> messages, UUID task, String stepName) {
        String step =
                bed.string(
                        "SELECT workflow_step_uuid::text FROM tasker.workflow_steps WHERE task_uuid = ?::uuid AND name = ?",
                        task.toString(),
                        stepName);
        return messages.stream()
                .filter(m -> step.equals(m.message().getString("step_uuid")))
                .findFirst()
                .orElseThrow();
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        while (true) {
            try {
                if (latch.await(30, TimeUnit.SECONDS)) {
                    return;
                }
                throw new IllegalStateException("never released");
            } catch (InterruptedException ignored) {
                // this handler deliberately ignores cancellation
            }
        }
    }
}
