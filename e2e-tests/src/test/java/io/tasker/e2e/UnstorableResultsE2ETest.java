package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.testsupport.ServiceProcess;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Handler outcomes the database cannot store fail their step permanently with the real reason, at
 * once, instead of the attempt's report failing until its lease expires.
 */
class UnstorableResultsE2ETest {

    private static final int RESULT_LIMIT = 4096;

    private static Cluster cluster;
    private static ServiceProcess orchestrator;

    @BeforeAll
    static void start() {
        cluster = new Cluster("unstorable");
        orchestrator = cluster.startOrchestrator(Map.of());
        cluster.startWorker(
                "examples", Map.of("TASKER_WORKER_MAX_RESULT_BYTES", String.valueOf(RESULT_LIMIT)));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void unstorable_results_fail_the_task_promptly_with_the_real_reason() {
        // Every step's lease is 60 s + grace: a report failing until its lease expired could not
        // finish the task within the wait below.
        cluster.register(
                orchestrator,
                """
                namespace: examples
                name: unstorable
                version: 1.0.0
                steps:
                  - { name: fine, handler: examples.noop, timeout_seconds: 60 }
                  - name: nul_in_result
                    handler: examples.unstorable
                    config: { kind: nul_in_result }
                    timeout_seconds: 60
                  - name: nul_in_error
                    handler: examples.unstorable
                    config: { kind: nul_in_error }
                    timeout_seconds: 60
                  - name: retry_after_overflow
                    handler: examples.unstorable
                    config: { kind: retry_after_overflow }
                    timeout_seconds: 60
                  - name: numeric_overflow
                    handler: examples.unstorable
                    config: { kind: numeric_overflow }
                    timeout_seconds: 60
                  - name: at_limit
                    handler: examples.unstorable
                    config: { kind: oversized_result, bytes: 4094 }
                    timeout_seconds: 60
                  - name: over_limit
                    handler: examples.unstorable
                    config: { kind: oversized_result, bytes: 4095 }
                    timeout_seconds: 60
                """);
        UUID id =
                cluster.createTask(
                        orchestrator,
                        "{\"namespace\": \"examples\", \"name\": \"unstorable\", \"context\": {}}");

        JsonNode[] task = new JsonNode[1];
        await("task " + id + " error")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            task[0] =
                                    Cluster.json(
                                            cluster.get(
                                                    orchestrator.baseUrl() + "/v1/tasks/" + id));
                            return "error".equals(task[0].get("status").asText());
                        });

        assertThat(Cluster.step(task[0], "fine").get("status").asText()).isEqualTo("complete");
        assertThat(Cluster.step(task[0], "at_limit").get("status").asText()).isEqualTo("complete");
        assertFailedOnce(
                task[0], "nul_in_result", "invalid_result", "the string at $.text contains a NUL");
        assertFailedOnce(task[0], "nul_in_error", "invalid_result", "error message contains a NUL");
        assertFailedOnce(
                task[0],
                "retry_after_overflow",
                "invalid_retry_after",
                "more than 9223372036854775807 ms");
        assertFailedOnce(task[0], "numeric_overflow", "result_rejected_by_database", "numeric");
        assertFailedOnce(
                task[0],
                "over_limit",
                "result_too_large",
                "4097 bytes of JSON, over the limit of 4096 bytes");
    }

    private static void assertFailedOnce(
            JsonNode task, String stepName, String type, String message) {
        JsonNode step = Cluster.step(task, stepName);
        assertThat(step.get("status").asText()).as(stepName).isEqualTo("error");
        assertThat(step.get("attempts").asInt()).as(stepName).isEqualTo(1);
        assertThat(step.get("last_error").get("type").asText()).as(stepName).isEqualTo(type);
        assertThat(step.get("last_error").get("message").asText()).as(stepName).contains(message);
        assertThat(step.get("attempt_history").findValuesAsText("outcome"))
                .as(stepName)
                .containsExactly("permanent_failure");
    }
}
