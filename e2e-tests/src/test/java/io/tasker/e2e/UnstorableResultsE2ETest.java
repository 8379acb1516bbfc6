package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tasker.messages.StepState;
import io.tasker.messages.TaskState;
import io.tasker.messages.api.Attempt;
import io.tasker.messages.api.AttemptOutcome;
import io.tasker.messages.api.Step;
import io.tasker.messages.api.Task;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Handler outcomes the database cannot store fail their step permanently with the real reason, at
 * once, instead of the attempt's report failing until its lease expires.
 */
class UnstorableResultsE2ETest {

    private static final int RESULT_LIMIT = 4096;

    @RegisterExtension
    static final RunningCluster RUN =
            new RunningCluster(
                    "unstorable",
                    Map.of(),
                    "examples",
                    Map.of("TASKER_WORKER_MAX_RESULT_BYTES", String.valueOf(RESULT_LIMIT)));

    @Test
    void unstorable_results_fail_the_task_promptly_with_the_real_reason() {
        // Every step's lease is 60 s + grace: a report failing until its lease expired could not
        // finish the task within the wait below.
        RUN.register(
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
        UUID id = RUN.createTask(Cluster.request("examples", "unstorable", "{}"));

        Task task = RUN.api().awaitTask(id, Duration.ofSeconds(30), Duration.ofMillis(200));
        assertThat(task.summary().status()).isEqualTo(TaskState.ERROR);

        assertThat(Cluster.step(task, "fine").status()).isEqualTo(StepState.COMPLETE);
        assertThat(Cluster.step(task, "at_limit").status()).isEqualTo(StepState.COMPLETE);
        assertFailedOnce(
                task, "nul_in_result", "invalid_result", "the string at $.text contains a NUL");
        assertFailedOnce(task, "nul_in_error", "invalid_result", "error message contains a NUL");
        assertFailedOnce(
                task,
                "retry_after_overflow",
                "invalid_retry_after",
                "more than 9223372036854775807 ms");
        assertFailedOnce(task, "numeric_overflow", "result_rejected_by_database", "numeric");
        assertFailedOnce(
                task,
                "over_limit",
                "result_too_large",
                "4097 bytes of JSON, over the limit of 4096 bytes");
    }

    private static void assertFailedOnce(Task task, String stepName, String type, String message) {
        Step step = Cluster.step(task, stepName);
        assertThat(step.status()).as(stepName).isEqualTo(StepState.ERROR);
        assertThat(step.attempts()).as(stepName).isEqualTo(1);
        assertThat(step.lastError().get("type").asText()).as(stepName).isEqualTo(type);
        assertThat(step.lastError().get("message").asText()).as(stepName).contains(message);
        assertThat(step.attemptHistory())
                .as(stepName)
                .extracting(Attempt::outcome)
                .containsExactly(AttemptOutcome.PERMANENT_FAILURE);
    }
}
