package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tasker.messages.TaskState;
import io.tasker.messages.api.Attempt;
import io.tasker.messages.api.AttemptOutcome;
import io.tasker.messages.api.Step;
import io.tasker.messages.api.Task;
import io.tasker.testsupport.ServiceProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Real processes break for real: kill -9, SIGSTOP past the lease, SIGTERM with work in flight. */
class ProcessFailuresE2ETest {

    // Leases are the step timeout plus this grace; small so a lost worker is noticed quickly.
    private static final Map<String, String> FAST_LEASES =
            Map.of("TASKER_WORKER_LEASE_GRACE_SECONDS", "1");

    private static final String LONG_STEP =
            """
            namespace: examples
            name: long_step
            version: 1.0.0
            steps:
              - name: blocking
                handler: examples.sleep
                config: { ms: 2500, heartbeat_ms: 500 }
                timeout_seconds: 4
                retry: { max_attempts: 3, backoff: fixed, backoff_base_ms: 100 }
              - { name: after, handler: examples.noop, depends_on: [blocking] }
            """;

    /** The cluster of the running test, closed after it. */
    @AutoClose private Cluster cluster;

    @Test
    void a_worker_killed_mid_step_loses_its_lease_and_another_worker_finishes_the_task()
            throws Exception {
        LongStep run = startLongStep("kill_worker");
        ServiceProcess first = run.worker();

        first.kill();
        ServiceProcess second = cluster.startWorker("examples", FAST_LEASES);
        Task task = awaitStatus(run.orchestrator(), run.task(), TaskState.COMPLETE);

        Step blocking = step(task, "blocking");
        assertThat(blocking.attempts()).isEqualTo(2);
        assertThat(blocking.results().get("attempt").asInt()).isEqualTo(2);
        List<Attempt> history = blocking.attemptHistory();
        assertThat(history.get(0).workerId()).isEqualTo(first.name());
        assertThat(history.get(0).outcome()).isEqualTo(AttemptOutcome.LEASE_EXPIRED);
        assertThat(history.get(1).workerId()).isEqualTo(second.name());
        assertThat(history.get(1).outcome()).isEqualTo(AttemptOutcome.SUCCESS);
        // The survivor ran the blocking step once and the dependent once: nothing else was
        // repeated.
        assertThat(Cluster.handlerInvocations(second, "examples.sleep")).isEqualTo(1);
        assertThat(Cluster.handlerInvocations(second, "examples.noop")).isEqualTo(1);
        assertThat(step(task, "after").attempts()).isEqualTo(1);
        assertThat(stepStates(blocking))
                .containsExactly(
                        "pending",
                        "enqueued",
                        "in_progress",
                        "in_progress",
                        "enqueued_for_orchestration",
                        "complete");
    }

    @Test
    void a_paused_worker_resumed_after_its_lease_has_its_late_result_rejected() throws Exception {
        LongStep run = startLongStep("pause_worker");
        ServiceProcess paused = run.worker();

        paused.pause();
        ServiceProcess winner = cluster.startWorker("examples", FAST_LEASES);
        Task task = awaitStatus(run.orchestrator(), run.task(), TaskState.COMPLETE);
        paused.resume();

        String stepUuid = step(task, "blocking").workflowStepUuid().toString();
        await("late result rejected")
                .atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                cluster.strings(
                                                "SELECT outcome FROM tasker.workflow_step_attempts"
                                                        + " WHERE workflow_step_uuid = ?::uuid AND attempt = 1",
                                                stepUuid)
                                        .equals(List.of("rejected_late")));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> paused.log().contains("late_result_rejected"));
        Task after = cluster.api(run.orchestrator()).getTask(run.task());
        Step blocking = step(after, "blocking");
        assertThat(after.summary().status()).isEqualTo(TaskState.COMPLETE);
        assertThat(blocking.results().get("attempt").asInt()).isEqualTo(2);
        assertThat(blocking.attemptHistory().get(1).workerId()).isEqualTo(winner.name());
        assertThat(stepStates(blocking)).endsWith("enqueued_for_orchestration", "complete");
        assertThat(stepStates(blocking).stream().filter("complete"::equals)).hasSize(1);
    }

    @Test
    void sigterm_lets_a_worker_finish_its_step_before_it_exits() throws Exception {
        cluster = new Cluster("drain_worker");
        ServiceProcess orchestrator = cluster.startOrchestrator(Map.of());
        ServiceProcess worker = cluster.startWorker("examples", Map.of());
        register(
                orchestrator,
                """
                namespace: examples
                name: drain_me
                version: 1.0.0
                steps:
                  - { name: busy, handler: examples.sleep, config: { ms: 2000 }, timeout_seconds: 20 }
                """);
        UUID id = create(orchestrator, "drain_me");
        awaitStepClaimedBy(id, "busy", worker);

        int exit = worker.terminate(Duration.ofSeconds(40));
        // 143 = 128 + SIGTERM: the JVM's exit status after a signal-initiated, orderly shutdown.
        assertThat(exit).isIn(0, 143);
        Task task = awaitStatus(orchestrator, id, TaskState.COMPLETE);
        Step busy = step(task, "busy");
        assertThat(busy.attempts()).isEqualTo(1);
        assertThat(busy.attemptHistory().get(0).workerId()).isEqualTo(worker.name());
        assertThat(worker.log()).contains("shutdown: all in-flight steps finished");
    }

    @Test
    void an_orchestrator_killed_during_a_burst_leaves_the_rest_to_the_other_one() throws Exception {
        cluster = new Cluster("kill_orchestrator");
        Map<String, String> quickRedelivery =
                Map.of("TASKER_RESULTS_VISIBILITY_TIMEOUT_SECONDS", "3");
        ServiceProcess doomed = cluster.startOrchestrator(quickRedelivery);
        ServiceProcess survivor = cluster.startOrchestrator(quickRedelivery);
        cluster.startWorker("examples", Map.of());
        for (int i = 0; i < 100; i++) {
            cluster.createTask(
                    doomed,
                    Cluster.request(
                            "examples",
                            "linear_workflow",
                            "{\"even_number\": " + (2 * i + 2) + "}"));
        }
        doomed.kill();

        cluster.awaitCompleteTasks(100, Duration.ofMinutes(3));
        cluster.assertNoTransitionRecordedTwice();
        assertThat(cluster.count("SELECT count(*) FROM tasker.workflow_steps WHERE attempts <> 1"))
                .isZero();
        assertThat(survivor.alive()).isTrue();
    }

    // --- helpers ------------------------------------------------------------------------------

    /**
     * An orchestrator and a worker with short leases, and a task whose long step it has claimed.
     */
    private record LongStep(ServiceProcess orchestrator, ServiceProcess worker, UUID task) {}

    private LongStep startLongStep(String purpose) {
        cluster = new Cluster(purpose);
        ServiceProcess orchestrator = cluster.startOrchestrator(Map.of());
        ServiceProcess worker = cluster.startWorker("examples", FAST_LEASES);
        register(orchestrator, LONG_STEP);
        UUID id = create(orchestrator, "long_step");
        awaitStepClaimedBy(id, "blocking", worker);
        return new LongStep(orchestrator, worker, id);
    }

    private void register(ServiceProcess orchestrator, String yaml) {
        cluster.register(orchestrator, yaml);
    }

    private UUID create(ServiceProcess orchestrator, String name) {
        return cluster.createTask(orchestrator, Cluster.request("examples", name, "{}"));
    }

    private void awaitStepClaimedBy(UUID task, String step, ServiceProcess worker) {
        await(step + " claimed by " + worker.name())
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () ->
                                cluster.count(
                                                "SELECT count(*) FROM tasker.workflow_steps WHERE task_uuid = ?::uuid"
                                                        + " AND name = ? AND current_state = 'in_progress' AND claimed_by = ?",
                                                task.toString(),
                                                step,
                                                worker.name())
                                        == 1);
    }

    private Task awaitStatus(ServiceProcess orchestrator, UUID id, TaskState status) {
        return cluster.awaitTaskStatus(orchestrator, id, status);
    }

    private static Step step(Task task, String name) {
        return Cluster.step(task, name);
    }

    private List<String> stepStates(Step step) {
        return cluster.strings(
                "SELECT to_state FROM tasker.workflow_step_transitions WHERE workflow_step_uuid = ?::uuid ORDER BY sort_key",
                step.workflowStepUuid().toString());
    }
}
