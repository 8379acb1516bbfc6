package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.testsupport.ServiceProcess;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Retries, timeouts, poison messages, operator actions and the staleness sweep, end to end. */
class FailureSemanticsE2ETest {

    private static Cluster cluster;
    private static ServiceProcess orchestrator;

    @BeforeAll
    static void start() {
        cluster = new Cluster("failures");
        orchestrator = cluster.startOrchestrator(Map.of("TASKER_STALENESS_INTERVAL", "1s"));
        cluster.startWorker("examples", Map.of());
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

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
        JsonNode task = awaitStatus(create("exhausts", "{}"), "error");
        assertThat(step(task, "shaky").get("status").asText()).isEqualTo("error");
        assertThat(step(task, "shaky").get("attempts").asInt()).isEqualTo(2);
        assertThat(step(task, "shaky").get("attempt_history").findValuesAsText("outcome"))
                .containsExactly("retryable_failure", "retryable_failure");
        assertThat(step(task, "after_shaky").get("status").asText()).isEqualTo("pending");
        assertThat(step(task, "after_shaky").get("attempts").asInt()).isZero();
        assertThat(step(task, "independent").get("status").asText()).isEqualTo("complete");
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
        JsonNode task = awaitStatus(create("retry_after", "{}"), "complete");
        JsonNode limited = step(task, "limited");
        assertThat(limited.get("attempts").asInt()).isEqualTo(2);
        double gap =
                Double.parseDouble(
                        cluster.strings(
                                        """
                                        SELECT extract(epoch FROM (max(created_at) FILTER (WHERE to_state = 'in_progress')
                                                                 - min(created_at) FILTER (WHERE to_state = 'waiting_for_retry')))::text
                                          FROM tasker.workflow_step_transitions WHERE workflow_step_uuid = ?::uuid
                                        """,
                                        limited.get("workflow_step_uuid").asText())
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
        JsonNode task = awaitStatus(create("too_slow", "{}"), "error");
        JsonNode slow = step(task, "slow");
        assertThat(slow.get("attempts").asInt()).isEqualTo(2);
        assertThat(slow.get("last_error").get("type").asText()).isEqualTo("timeout");
        assertThat(slow.get("attempt_history").findValuesAsText("outcome"))
                .containsExactly("retryable_failure", "retryable_failure");
    }

    @Test
    void poison_messages_are_archived_with_a_reason_and_the_consumer_keeps_going() {
        String bogusStep = UUID.randomUUID().toString();
        cluster.strings(
                "SELECT pgmq.send('worker_examples_queue', '{\"garbage\": true}'::jsonb)::text");
        cluster.strings(
                "SELECT pgmq.send('worker_examples_queue', jsonb_build_object('step_uuid', ?::text))::text",
                bogusStep);
        JsonNode task = awaitStatus(create("linear_workflow", "{\"even_number\": 14}"), "complete");
        assertThat(task.get("status").asText()).isEqualTo("complete");
        await("poison archived")
                .atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                cluster.count(
                                                "SELECT count(*) FROM tasker.archived_message_reasons"
                                                        + " WHERE queue_name = 'worker_examples_queue'")
                                        >= 2);
        assertThat(
                        cluster.strings(
                                "SELECT reason FROM tasker.archived_message_reasons ORDER BY msg_id"))
                .anyMatch(r -> r.contains("no valid step_uuid"))
                .anyMatch(r -> r.contains("unknown step " + bogusStep));
        assertThat(
                        cluster.count(
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
        JsonNode failed = awaitStatus(id, "error");
        HttpResponse<String> r =
                patch(
                        id,
                        step(failed, "doomed"),
                        "{\"action\": \"complete_manually\", \"result\": 7, \"actor\": \"ops@example.com\","
                                + " \"reason\": \"entered by hand\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode done = awaitStatus(id, "complete");
        assertThat(step(done, "doomed").get("status").asText()).isEqualTo("complete");
        assertThat(step(done, "after").get("results").asInt()).isEqualTo(49);
        assertThat(
                        cluster.strings(
                                "SELECT metadata->>'actor' || '|' || (metadata->>'reason') FROM tasker.workflow_step_transitions"
                                        + " WHERE workflow_step_uuid = ?::uuid AND reason = 'complete_manually'",
                                step(done, "doomed").get("workflow_step_uuid").asText()))
                .containsExactly("ops@example.com|entered by hand");
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
        JsonNode failed = awaitStatus(id, "error");
        assertThat(step(failed, "once_broken").get("attempts").asInt()).isEqualTo(1);
        HttpResponse<String> r =
                patch(
                        id,
                        step(failed, "once_broken"),
                        "{\"action\": \"reset_for_retry\", \"actor\": \"ops\", \"reason\": \"fixed\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode done = awaitStatus(id, "complete");
        assertThat(step(done, "once_broken").get("results").get("invocations").asInt())
                .isEqualTo(2);
        // The reset restarts the attempt count; the first generation's attempt stays in the
        // history.
        assertThat(step(done, "once_broken").get("attempt_history").findValuesAsText("outcome"))
                .containsExactly("retryable_failure", "success");
        assertThat(step(done, "once_broken").get("attempt_history").findValuesAsText("generation"))
                .containsExactly("0", "1");
        assertThat(step(done, "after").get("status").asText()).isEqualTo("complete");
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
        JsonNode failed = awaitStatus(id, "error");
        HttpResponse<String> r =
                patch(
                        id,
                        step(failed, "doomed"),
                        "{\"action\": \"resolve_manually\", \"actor\": \"ops\", \"reason\": \"not needed\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode done = awaitStatus(id, "complete");
        assertThat(step(done, "doomed").get("status").asText()).isEqualTo("resolved_manually");
        assertThat(step(done, "after").get("status").asText()).isEqualTo("complete");
        HttpResponse<String> again =
                patch(
                        id,
                        step(done, "doomed"),
                        "{\"action\": \"reset_for_retry\", \"actor\": \"ops\", \"reason\": \"oops\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(Cluster.json(again).get("code").asText())
                .isIn("task_not_active", "step_action_not_allowed");
        HttpResponse<String> bad =
                patch(
                        id,
                        step(done, "doomed"),
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
        HttpResponse<String> created =
                cluster.post(
                        orchestrator.baseUrl() + "/v1/tasks",
                        "application/json",
                        "{\"namespace\": \"nobody_serves\", \"name\": \"forgotten\", \"context\": {}}");
        UUID id = UUID.fromString(Cluster.json(created).get("task_uuid").asText());
        cluster.strings(
                "UPDATE tasker.tasks SET created_at = now() - interval '10 minutes' WHERE task_uuid = ?::uuid RETURNING 'x'",
                id.toString());
        JsonNode task = awaitStatus(id, "error");
        assertThat(step(task, "never_claimed").get("status").asText()).isEqualTo("cancelled");
        JsonNode dlq =
                Cluster.json(
                        cluster.get(orchestrator.baseUrl() + "/v1/dlq?resolution_status=pending"));
        JsonNode entry = null;
        for (JsonNode e : dlq.get("dlq_entries")) {
            if (e.get("task_uuid").asText().equals(id.toString())) {
                entry = e;
            }
        }
        assertThat(entry).as(dlq.toString()).isNotNull();
        assertThat(entry.get("reason").asText()).isEqualTo("staleness_timeout");
        assertThat(entry.get("original_state").asText()).isEqualTo("steps_in_process");
        assertThat(entry.get("snapshot").get("steps").get(0).get("state").asText())
                .isEqualTo("enqueued");
        HttpResponse<String> resolved =
                cluster.patch(
                        orchestrator.baseUrl() + "/v1/dlq/" + entry.get("dlq_entry_uuid").asText(),
                        "{\"resolution_status\": \"manually_resolved\", \"resolved_by\": \"ops\","
                                + " \"resolution_notes\": \"namespace had no workers\"}");
        assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);
        assertThat(Cluster.json(resolved).get("resolution_status").asText())
                .isEqualTo("manually_resolved");
        assertThat(Cluster.json(resolved).get("resolved_at").isNull()).isFalse();
    }

    // --- helpers ------------------------------------------------------------------------------

    private static void register(String yaml) {
        cluster.register(orchestrator, yaml);
    }

    private static UUID create(String name, String context) {
        return cluster.createTask(
                orchestrator,
                "{\"namespace\": \"examples\", \"name\": \""
                        + name
                        + "\", \"context\": "
                        + context
                        + "}");
    }

    private static HttpResponse<String> patch(UUID task, JsonNode step, String body) {
        return cluster.patch(
                orchestrator.baseUrl()
                        + "/v1/tasks/"
                        + task
                        + "/workflow_steps/"
                        + step.get("workflow_step_uuid").asText(),
                body);
    }

    private static JsonNode awaitStatus(UUID id, String status) {
        return cluster.awaitTaskStatus(orchestrator, id, status);
    }

    private static JsonNode step(JsonNode task, String name) {
        return Cluster.step(task, name);
    }

    private static List<String> stepReasons(JsonNode task, String name) {
        return cluster.strings(
                "SELECT reason FROM tasker.workflow_step_transitions WHERE workflow_step_uuid = ?::uuid ORDER BY sort_key",
                step(task, name).get("workflow_step_uuid").asText());
    }

    private static List<String> taskReasons(UUID id) {
        return cluster.strings(
                "SELECT reason FROM tasker.task_transitions WHERE task_uuid = ?::uuid ORDER BY sort_key",
                id.toString());
    }
}
