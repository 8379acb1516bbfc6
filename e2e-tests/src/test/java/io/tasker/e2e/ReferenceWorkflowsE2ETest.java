package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.StepState;
import io.tasker.messages.TaskState;
import io.tasker.messages.api.Step;
import io.tasker.messages.api.StepTransition;
import io.tasker.messages.api.Task;
import io.tasker.messages.api.Transitions;
import io.tasker.testsupport.ServiceProcess;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The reference workflows of the spec, run by a real orchestrator and a real worker. */
class ReferenceWorkflowsE2ETest {

    private static final BigInteger N = BigInteger.valueOf(6);

    @RegisterExtension
    static final RunningCluster RUN =
            new RunningCluster(
                    "reference",
                    Map.of("TASKER_METRICS_QUEUE_REFRESH_INTERVAL", "1s"),
                    "examples,fulfillment",
                    Map.of());

    /**
     * The square-product workflows: each step squares what its parents give (a join multiplies them
     * first), so each result is a power of the even number 6.
     */
    static Stream<Arguments> squareProductWorkflows() {
        return Stream.of(
                arguments("linear_workflow", Map.of("s1", 2, "s2", 4, "s3", 8, "s4", 16), 4),
                arguments(
                        "diamond_workflow",
                        Map.of("start", 2, "left", 4, "right", 4, "end", 16),
                        4),
                arguments(
                        "tree_workflow",
                        Map.of(
                                "root",
                                2,
                                "branch_left",
                                4,
                                "branch_right",
                                4,
                                "leaf_d",
                                8,
                                "leaf_g",
                                8,
                                "final",
                                64),
                        8),
                arguments(
                        "mixed_dag_workflow",
                        Map.of(
                                "init",
                                2,
                                "left",
                                4,
                                "right",
                                4,
                                "validate",
                                16,
                                "transform",
                                8,
                                "analyze",
                                8,
                                "finalize",
                                64),
                        7));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("squareProductWorkflows")
    void square_product_workflow_reaches_its_powers_of_six(
            String template, Map<String, Integer> powers, int steps) {
        Task task = runToCompletion(template);
        Map<String, BigInteger> expected = new HashMap<>();
        powers.forEach((step, power) -> expected.put(step, N.pow(power)));
        assertThat(results(task)).containsAllEntriesOf(expected);
        assertAuditTrail(task, steps);
    }

    @Test
    void order_fulfillment_charges_the_item_total_and_ships() {
        String context =
                """
                {"order_id": 42,
                 "customer": {"id": "c-1", "email": "ada@example.com"},
                 "items": [{"sku": "BOOK-1", "quantity": 2, "price": 12.50},
                           {"sku": "PEN-9", "quantity": 1, "price": 3.10}],
                 "payment": {"method": "card", "token": "tok_visa"},
                 "shipping": {"method": "express", "address": {"city": "Lyon"}}}
                """;
        Task task = awaitComplete(create("fulfillment", "process_order", "1.0.0", context));
        JsonNode ship = step(task, "ship_order").results();
        JsonNode validate = step(task, "validate_order").results();
        assertThat(validate.get("subtotal").decimalValue()).isEqualByComparingTo("28.10");
        assertThat(validate.get("total").decimalValue()).isEqualByComparingTo("30.35");
        assertThat(ship.get("amount_charged").decimalValue()).isEqualByComparingTo("30.35");
        assertThat(ship.get("tracking_number").asText()).isEqualTo("TRK0000000042");
        assertThat(ship.get("status").asText()).isEqualTo("shipped");
        assertAuditTrail(task, 4);
    }

    @Test
    void a_flaky_step_completes_on_its_third_attempt_after_the_backoff() {
        register(
                """
                namespace: examples
                name: flaky_once_more
                version: 1.0.0
                steps:
                  - name: wobble
                    handler: examples.flaky
                    config: { failures: 2 }
                    retry: { retryable: true, max_attempts: 3, backoff: fixed, backoff_base_ms: 1000, jitter_percent: 0 }
                  - name: after
                    handler: examples.noop
                    config: { done: true }
                    depends_on: [wobble]
                """);
        Task task = awaitComplete(create("examples", "flaky_once_more", null, "{}"));
        Step wobble = step(task, "wobble");
        assertThat(wobble.attempts()).isEqualTo(3);
        assertThat(wobble.results().get("attempts").asInt()).isEqualTo(3);
        assertThat(wobble.attemptHistory()).hasSize(3);
        // Each retry waited at least the fixed 1 s backoff (pgmq delays are whole seconds).
        List<String> gaps =
                RUN.strings(
                        """
                        SELECT extract(epoch FROM (next.created_at - fail.created_at))::text
                          FROM tasker.workflow_step_transitions fail
                          JOIN tasker.workflow_step_transitions next
                            ON next.workflow_step_uuid = fail.workflow_step_uuid
                           AND next.to_state = 'in_progress' AND next.sort_key > fail.sort_key
                         WHERE fail.workflow_step_uuid = ?::uuid AND fail.to_state = 'waiting_for_retry'
                           AND NOT EXISTS (SELECT 1 FROM tasker.workflow_step_transitions mid
                                            WHERE mid.workflow_step_uuid = fail.workflow_step_uuid
                                              AND mid.to_state = 'in_progress'
                                              AND mid.sort_key > fail.sort_key AND mid.sort_key < next.sort_key)
                        """,
                        wobble.workflowStepUuid().toString());
        assertThat(gaps).hasSize(2);
        gaps.forEach(
                g ->
                        assertThat(Double.parseDouble(g))
                                .isGreaterThanOrEqualTo(0.99)
                                .isLessThan(15.0));
    }

    @Test
    void
            a_permanent_failure_fails_the_task_and_its_descendants_never_run_while_the_other_branch_finishes() {
        register(
                """
                namespace: examples
                name: half_broken
                version: 1.0.0
                steps:
                  - name: start
                    handler: examples.noop
                  - name: doomed
                    handler: examples.fail
                    config: { message: card expired }
                    depends_on: [start]
                  - name: after_doomed
                    handler: examples.noop
                    depends_on: [doomed]
                  - name: independent
                    handler: examples.sleep
                    config: { ms: 300 }
                    depends_on: [start]
                """);
        UUID id = create("examples", "half_broken", null, "{}");
        Task task = awaitStatus(id, TaskState.ERROR);
        assertThat(step(task, "doomed").status()).isEqualTo(StepState.ERROR);
        assertThat(step(task, "doomed").attempts()).isEqualTo(1);
        assertThat(step(task, "doomed").lastError().get("message").asText())
                .isEqualTo("card expired");
        assertThat(step(task, "after_doomed").status()).isEqualTo(StepState.PENDING);
        assertThat(step(task, "after_doomed").attempts()).isZero();
        assertThat(step(task, "independent").status()).isEqualTo(StepState.COMPLETE);
        assertThat(task.executionSummary().executionStatus()).isEqualTo("blocked_by_failures");
    }

    @Test
    void a_step_naming_an_unknown_handler_fails_permanently_with_a_clear_error() {
        register(
                """
                namespace: examples
                name: typo_handler
                version: 1.0.0
                steps:
                  - name: only
                    handler: examples.does_not_exist
                """);
        Task task = awaitStatus(create("examples", "typo_handler", null, "{}"), TaskState.ERROR);
        Step only = step(task, "only");
        assertThat(only.attempts()).isEqualTo(1);
        assertThat(only.lastError().get("type").asText()).isEqualTo("unknown_handler");
        assertThat(only.lastError().get("message").asText()).contains("examples.does_not_exist");
    }

    @Test
    void both_services_expose_tasker_metrics_for_the_work_done() {
        // A different input: the same context again would be a duplicate under the strict identity.
        awaitComplete(create("examples", "linear_workflow", null, "{\"even_number\": 10}"));
        assertThat(RUN.orchestrator().metrics())
                .containsPattern(
                        "tasker_step_results_processed_total\\{[^}]*action=\"completed\"[^}]*namespace=\"examples\"[^}]*\\} [1-9]")
                .contains("tasker_result_processing_seconds_count{namespace=\"examples\"")
                .containsPattern(
                        "tasker_tasks_created_total\\{namespace=\"examples\",template=\"linear_workflow\"\\} [1-9]")
                .containsPattern(
                        "tasker_tasks_completed_total\\{namespace=\"examples\",template=\"linear_workflow\"\\} [1-9]")
                .containsPattern(
                        "tasker_task_duration_seconds_bucket\\{namespace=\"examples\",outcome=\"complete\",template=\"linear_workflow\",le=")
                .containsPattern("tasker_steps_completed_total\\{namespace=\"examples\"\\} [1-9]")
                .containsPattern("tasker_queue_depth\\{queue=\"worker_examples_queue\"\\} ")
                .containsPattern(
                        "tasker_queue_oldest_message_age_seconds\\{queue=\"orchestration_step_results\"\\} ");
        assertThat(RUN.worker().metrics())
                .containsPattern(
                        "tasker_handler_invocations_total\\{handler=\"examples.square_product\"[^}]*\\} [1-9]")
                .containsPattern(
                        "tasker_steps_claimed_total\\{handler=\"examples.square_product\",namespace=\"examples\"\\} [1-9]")
                .contains("tasker_worker_steps_in_flight")
                .contains(
                        "tasker_step_execution_seconds_bucket{handler=\"examples.square_product\",namespace=\"examples\",le=");
    }

    @Test
    void the_worker_serves_health_and_metrics_but_no_api_description() {
        assertThat(Cluster.status(RUN.worker().managementUrl() + "/q/health/ready")).isEqualTo(200);
        assertThat(Cluster.status(RUN.worker().managementUrl() + "/q/health/live")).isEqualTo(200);
        assertThat(RUN.worker().metrics()).contains("jvm_memory_used_bytes");
        assertThat(Cluster.status(RUN.worker().baseUrl() + "/q/openapi")).isEqualTo(404);
        assertThat(Cluster.status(RUN.worker().managementUrl() + "/q/openapi")).isEqualTo(404);
        assertThat(Cluster.status(RUN.orchestrator().baseUrl() + "/q/openapi")).isEqualTo(200);
    }

    @Test
    void health_and_metrics_are_served_on_the_management_port_only_and_without_credentials() {
        for (ServiceProcess service : List.of(RUN.orchestrator(), RUN.worker())) {
            assertThat(service.managementPort()).isNotEqualTo(service.port());
            for (String path : List.of("/q/health", "/q/health/ready", "/q/health/live")) {
                assertThat(Cluster.status(service.managementUrl() + path))
                        .as("%s %s on the management port", service.name(), path)
                        .isEqualTo(200);
                assertThat(Cluster.status(service.baseUrl() + path))
                        .as("%s %s on the API port", service.name(), path)
                        .isEqualTo(404);
            }
            assertThat(Cluster.status(service.managementUrl() + "/q/metrics"))
                    .as("%s metrics on the management port", service.name())
                    .isEqualTo(200);
            assertThat(Cluster.status(service.baseUrl() + "/q/metrics"))
                    .as("%s metrics on the API port", service.name())
                    .isEqualTo(404);
        }
        // The API's own description stays with the API.
        assertThat(Cluster.status(RUN.orchestrator().managementUrl() + "/q/openapi"))
                .isEqualTo(404);
    }

    // --- helpers ------------------------------------------------------------------------------

    private Task runToCompletion(String name) {
        return awaitComplete(create("examples", name, "1.0.0", "{\"even_number\": 6}"));
    }

    private static void register(String yaml) {
        RUN.register(yaml);
    }

    static UUID create(String namespace, String name, String version, String context) {
        return RUN.createTask(RunningCluster.request(namespace, name, version, context, null));
    }

    private static Task awaitComplete(UUID id) {
        return awaitStatus(id, TaskState.COMPLETE);
    }

    private static Task awaitStatus(UUID id, TaskState status) {
        return RUN.awaitTaskStatus(id, status);
    }

    private static Map<String, BigInteger> results(Task task) {
        Map<String, BigInteger> out = new HashMap<>();
        for (Step s : task.steps()) {
            assertThat(s.status()).as(s.name()).isEqualTo(StepState.COMPLETE);
            assertThat(s.attempts()).isEqualTo(1);
            out.put(s.name(), s.results().bigIntegerValue());
        }
        return out;
    }

    private static Step step(Task task, String name) {
        return Cluster.step(task, name);
    }

    private static void assertAuditTrail(Task task, int steps) {
        Transitions trail = RUN.api().transitions(task.summary().taskUuid());
        assertThat(trail.taskTransitions())
                .extracting(t -> t.toState().wire())
                .containsExactly(
                        "pending",
                        "initializing",
                        "enqueuing_steps",
                        "steps_in_process",
                        "evaluating_results",
                        "complete");
        Map<String, List<String>> perStep = new HashMap<>();
        for (StepTransition t : trail.stepTransitions()) {
            perStep.computeIfAbsent(t.stepName(), k -> new ArrayList<>()).add(t.toState().wire());
        }
        assertThat(perStep).hasSize(steps);
        perStep.forEach(
                (name, states) ->
                        assertThat(states)
                                .as(name)
                                .containsExactly(
                                        "pending",
                                        "enqueued",
                                        "in_progress",
                                        "enqueued_for_orchestration",
                                        "complete"));
    }
}
