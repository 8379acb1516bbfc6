package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.tasker.client.TaskerApiException;
import io.tasker.client.TaskerClient;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.StepState;
import io.tasker.messages.TaskState;
import io.tasker.messages.api.Attempt;
import io.tasker.messages.api.AttemptOutcome;
import io.tasker.messages.api.DlqEntry;
import io.tasker.messages.api.DlqList;
import io.tasker.messages.api.DlqResolutionRequest;
import io.tasker.messages.api.DlqResolutionStatus;
import io.tasker.messages.api.Step;
import io.tasker.messages.api.Task;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Retries, timeouts, poison messages, operator actions and the staleness sweep, end to end. */
class FailureSemanticsE2ETest {

    @RegisterExtension
    static final RunningCluster RUN =
            new RunningCluster(
                    "failures", Map.of("TASKER_STALENESS_INTERVAL", "1s"), "examples", Map.of());

    @Test
    void exhausted_retries_fail_the_step_and_task_while_the_independent_branch_completes() {
        register(
                """
                namespace: examples
                name: exhausts
                version: 1.0.0
                steps:
                  - { name: start, handler: examples.noop }
                  - name: shaky
                    handler: examples.flaky
                    config: { failures: 5 }
                    retry: { max_attempts: 2, backoff: fixed, backoff_base_ms: 100 }
                    depends_on: [start]
                  - { name: after_shaky, handler: examples.noop, depends_on: [shaky] }
                  - { name: independent, handler: examples.noop, depends_on: [start] }
                """);
        Task task = awaitStatus(create("exhausts", "{}"), TaskState.ERROR);
        assertThat(step(task, "shaky").status()).isEqualTo(StepState.ERROR);
        assertThat(step(task, "shaky").attempts()).isEqualTo(2);
        assertThat(outcomes(step(task, "shaky")))
                .containsExactly(
                        AttemptOutcome.RETRYABLE_FAILURE, AttemptOutcome.RETRYABLE_FAILURE);
        assertThat(step(task, "after_shaky").status()).isEqualTo(StepState.PENDING);
        assertThat(step(task, "after_shaky").attempts()).isZero();
        assertThat(step(task, "independent").status()).isEqualTo(StepState.COMPLETE);
        assertThat(stepReasons(task, "shaky")).contains("retries_exhausted");
    }

    @Test
    void a_handlers_retry_after_replaces_the_backoff() {
        register(
                """
                namespace: examples
                name: retry_after
                version: 1.0.0
                steps:
                  - name: limited
                    handler: examples.flaky
                    config: { failures: 1, retry_after_seconds: 2 }
                    retry: { max_attempts: 3, backoff: fixed, backoff_base_ms: 100, jitter_percent: 0 }
                """);
        Task task = awaitStatus(create("retry_after", "{}"), TaskState.COMPLETE);
        Step limited = step(task, "limited");
        assertThat(limited.attempts()).isEqualTo(2);
        double gap =
                Double.parseDouble(
                        RUN.strings(
                                        """
                                        SELECT extract(epoch FROM (max(created_at) FILTER (WHERE to_state = 'in_progress')
                                                                 - min(created_at) FILTER (WHERE to_state = 'waiting_for_retry')))::text
                                          FROM tasker.workflow_step_transitions WHERE workflow_step_uuid = ?::uuid
                                        """,
                                        limited.workflowStepUuid().toString())
                                .get(0));
        assertThat(gap).isGreaterThanOrEqualTo(1.99).isLessThan(10.0);
    }

    @Test
    void a_step_over_its_timeout_fails_as_a_retryable_timeout() {
        register(
                """
                namespace: examples
                name: too_slow
                version: 1.0.0
                steps:
                  - name: slow
                    handler: examples.sleep
                    config: { ms: 20000 }
                    timeout_seconds: 1
                    retry: { max_attempts: 2, backoff: fixed, backoff_base_ms: 100 }
                """);
        Task task = awaitStatus(create("too_slow", "{}"), TaskState.ERROR);
        Step slow = step(task, "slow");
        assertThat(slow.attempts()).isEqualTo(2);
        assertThat(slow.lastError().get("type").asText()).isEqualTo("timeout");
        assertThat(outcomes(slow))
                .containsExactly(
                        AttemptOutcome.RETRYABLE_FAILURE, AttemptOutcome.RETRYABLE_FAILURE);
    }

    @Test
    void poison_messages_are_archived_with_a_reason_and_the_consumer_keeps_going() {
        String bogusStep = UUID.randomUUID().toString();
        RUN.strings(
                "SELECT pgmq.send('worker_examples_queue', '{\"garbage\": true}'::jsonb)::text");
        RUN.strings(
                "SELECT pgmq.send('worker_examples_queue', jsonb_build_object('step_uuid', ?::text))::text",
                bogusStep);
        Task task =
                awaitStatus(create("linear_workflow", "{\"even_number\": 14}"), TaskState.COMPLETE);
        assertThat(task.summary().status()).isEqualTo(TaskState.COMPLETE);
        await("poison archived")
                .atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                RUN.count(
                                                "SELECT count(*) FROM tasker.archived_message_reasons"
                                                        + " WHERE queue_name = 'worker_examples_queue'")
                                        >= 2);
        assertThat(
                        RUN.strings(
                                "SELECT reason FROM tasker.archived_message_reasons ORDER BY msg_id"))
                .anyMatch(r -> r.contains("no valid step_uuid"))
                .anyMatch(r -> r.contains("unknown step " + bogusStep));
        assertThat(
                        RUN.count(
                                "SELECT count(*) FROM pgmq.a_worker_examples_queue WHERE message->>'garbage' IS NOT NULL"))
                .isEqualTo(1);
    }

    @Test
    void complete_manually_gives_dependents_the_operators_result() {
        register(
                """
                namespace: examples
                name: needs_operator
                version: 1.0.0
                steps:
                  - { name: doomed, handler: examples.fail, config: { message: upstream down } }
                  - { name: after, handler: examples.square_product, depends_on: [doomed] }
                """);
        UUID id = create("needs_operator", "{}");
        Task failed = awaitStatus(id, TaskState.ERROR);
        api().completeStep(
                        id,
                        step(failed, "doomed").workflowStepUuid(),
                        JsonSupport.parse("7"),
                        "ops@example.com",
                        "entered by hand");
        Task done = awaitStatus(id, TaskState.COMPLETE);
        assertThat(step(done, "doomed").status()).isEqualTo(StepState.COMPLETE);
        assertThat(step(done, "after").results().asInt()).isEqualTo(49);
        assertThat(
                        RUN.strings(
                                "SELECT metadata->>'actor' || '|' || (metadata->>'reason') FROM tasker.workflow_step_transitions"
                                        + " WHERE workflow_step_uuid = ?::uuid AND reason = 'complete_manually'",
                                step(done, "doomed").workflowStepUuid().toString()))
                // The caller is the actor; the name in the request only joins the reason.
                .containsExactly(
                        "key:bootstrap-admin|entered by hand (on behalf of ops@example.com)");
    }

    @Test
    void reset_for_retry_runs_a_failed_step_again_and_the_task_resumes() {
        register(
                """
                namespace: examples
                name: reset_me
                version: 1.0.0
                steps:
                  - name: once_broken
                    handler: examples.flaky
                    config: { failures: 1 }
                    retry: { max_attempts: 1 }
                  - { name: after, handler: examples.noop, depends_on: [once_broken] }
                """);
        UUID id = create("reset_me", "{}");
        Task failed = awaitStatus(id, TaskState.ERROR);
        assertThat(step(failed, "once_broken").attempts()).isEqualTo(1);
        api().resetStep(id, step(failed, "once_broken").workflowStepUuid(), "ops", "fixed");
        Task done = awaitStatus(id, TaskState.COMPLETE);
        assertThat(step(done, "once_broken").results().get("invocations").asInt()).isEqualTo(2);
        // The reset restarts the attempt count; the first generation's attempt stays in the
        // history.
        assertThat(outcomes(step(done, "once_broken")))
                .containsExactly(AttemptOutcome.RETRYABLE_FAILURE, AttemptOutcome.SUCCESS);
        assertThat(step(done, "once_broken").attemptHistory())
                .extracting(Attempt::generation)
                .containsExactly(0, 1);
        assertThat(step(done, "after").status()).isEqualTo(StepState.COMPLETE);
        // The audit trail shows the failure, the reset and the resumption.
        assertThat(taskReasons(id))
                .contains("no_runnable_steps_remain", "operator_reset_for_retry");
    }

    @Test
    void resolve_manually_unblocks_dependents_and_an_illegal_action_is_a_409() {
        register(
                """
                namespace: examples
                name: resolve_me
                version: 1.0.0
                steps:
                  - { name: doomed, handler: examples.fail }
                  - { name: after, handler: examples.noop, depends_on: [doomed] }
                """);
        UUID id = create("resolve_me", "{}");
        Task failed = awaitStatus(id, TaskState.ERROR);
        UUID doomed = step(failed, "doomed").workflowStepUuid();
        api().resolveStep(id, doomed, "ops", "not needed");
        Task done = awaitStatus(id, TaskState.COMPLETE);
        assertThat(step(done, "doomed").status()).isEqualTo(StepState.RESOLVED_MANUALLY);
        assertThat(step(done, "after").status()).isEqualTo(StepState.COMPLETE);
        TaskerApiException again =
                catchThrowableOfType(
                        TaskerApiException.class, () -> api().resetStep(id, doomed, "ops", "oops"));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.code()).isIn("task_not_active", "step_action_not_allowed");
        // An action the records cannot name goes out as raw JSON.
        HttpResponse<String> bad =
                Cluster.raw(
                        "PATCH",
                        RUN.orchestrator().baseUrl()
                                + "/v1/tasks/"
                                + id
                                + "/workflow_steps/"
                                + doomed,
                        "application/json",
                        "{\"action\": \"explode\", \"actor\": \"ops\", \"reason\": \"x\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
    }

    @Test
    void a_task_past_its_lifecycle_goes_to_the_dlq_and_error_and_the_entry_can_be_resolved() {
        register(
                """
                namespace: nobody_serves
                name: forgotten
                version: 1.0.0
                lifecycle: { max_duration_minutes: 5 }
                steps:
                  - { name: never_claimed, handler: examples.noop }
                """);
        UUID id = RUN.createTask(Cluster.request("nobody_serves", "forgotten", "{}"));
        RUN.strings(
                "UPDATE tasker.tasks SET created_at = now() - interval '10 minutes' WHERE task_uuid = ?::uuid RETURNING 'x'",
                id.toString());
        Task task = awaitStatus(id, TaskState.ERROR);
        assertThat(step(task, "never_claimed").status()).isEqualTo(StepState.CANCELLED);
        DlqList dlq = api().dlqEntries(DlqResolutionStatus.PENDING, null);
        DlqEntry entry = null;
        for (DlqEntry e : dlq.dlqEntries()) {
            if (e.taskUuid().equals(id)) {
                entry = e;
            }
        }
        assertThat(entry).as(dlq.toString()).isNotNull();
        assertThat(entry.reason()).isEqualTo("staleness_timeout");
        assertThat(entry.originalState()).isEqualTo(TaskState.STEPS_IN_PROCESS);
        assertThat(entry.snapshot().get("steps").get(0).get("state").asText())
                .isEqualTo("enqueued");
        DlqEntry resolved =
                api().resolveDlqEntry(
                                entry.dlqEntryUuid(),
                                new DlqResolutionRequest(
                                        DlqResolutionStatus.MANUALLY_RESOLVED,
                                        "ops",
                                        "namespace had no workers"));
        assertThat(resolved.resolutionStatus()).isEqualTo(DlqResolutionStatus.MANUALLY_RESOLVED);
        assertThat(resolved.resolvedAt()).isNotNull();
    }

    // --- helpers ------------------------------------------------------------------------------

    private static TaskerClient api() {
        return RUN.api();
    }

    private static void register(String yaml) {
        RUN.register(yaml);
    }

    private static UUID create(String name, String context) {
        return RUN.createTask(Cluster.request("examples", name, context));
    }

    private static Task awaitStatus(UUID id, TaskState status) {
        return RUN.awaitTaskStatus(id, status);
    }

    private static Step step(Task task, String name) {
        return Cluster.step(task, name);
    }

    private static List<AttemptOutcome> outcomes(Step step) {
        return step.attemptHistory().stream().map(Attempt::outcome).toList();
    }

    private static List<String> stepReasons(Task task, String name) {
        return RUN.strings(
                "SELECT reason FROM tasker.workflow_step_transitions WHERE workflow_step_uuid = ?::uuid ORDER BY sort_key",
                step(task, name).workflowStepUuid().toString());
    }

    private static List<String> taskReasons(UUID id) {
        return RUN.strings(
                "SELECT reason FROM tasker.task_transitions WHERE task_uuid = ?::uuid ORDER BY sort_key",
                id.toString());
    }
}
