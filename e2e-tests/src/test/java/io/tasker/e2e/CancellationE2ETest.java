package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tasker.client.TaskerClient;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.StepState;
import io.tasker.messages.TaskState;
import io.tasker.messages.api.CreateTaskRequest;
import io.tasker.messages.api.Step;
import io.tasker.messages.api.Task;
import io.tasker.messages.api.TemplateRegistration;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Cancelling a running task through the API, with a real orchestrator and a real worker. */
class CancellationE2ETest {

    private static final String TEMPLATE =
            """
            namespace: examples
            name: cancel_me
            version: 1.0.0
            steps:
              - name: slow
                handler: examples.sleep
                config: { ms: 4000 }
                timeout_seconds: 30
              - name: after
                handler: examples.noop
                depends_on: [slow]
            """;

    @RegisterExtension
    static final RunningCluster RUN =
            new RunningCluster("cancellation", Map.of(), "examples", Map.of());

    @Test
    void cancelling_a_running_task_cancels_its_steps_and_discards_the_late_result()
            throws Exception {
        TaskerClient api = RUN.api();
        TemplateRegistration registered = RUN.register(TEMPLATE);
        assertThat(registered.template().summary().name()).isEqualTo("cancel_me");
        UUID id =
                api.createTask(CreateTaskRequest.of("examples", "cancel_me", JsonSupport.object()))
                        .summary()
                        .taskUuid();

        await("slow step of " + id + " in_progress")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> slow(api.getTask(id)).status() == StepState.IN_PROGRESS);
        String slowUuid = slow(api.getTask(id)).workflowStepUuid().toString();

        Task cancelled = api.cancelTask(id, "e2e", "e2e-test");
        assertThat(cancelled.summary().status()).isEqualTo(TaskState.CANCELLED);

        // The cancel closed the running attempt itself.
        assertThat(
                        RUN.count(
                                "SELECT count(*) FROM tasker.workflow_step_attempts"
                                        + " WHERE workflow_step_uuid = ?::uuid AND outcome = 'cancelled'"
                                        + " AND finished_at IS NOT NULL",
                                slowUuid))
                .isEqualTo(1L);
        // The handler keeps sleeping after the cancel; give its result time to arrive (about 4 s
        // after the claim) and be discarded.
        long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        await("late result of " + slowUuid + " or 6 s")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> discardLogged(slowUuid) || System.nanoTime() - deadline >= 0);

        Task task = api.getTask(id);
        assertThat(task.summary().status()).isEqualTo(TaskState.CANCELLED);
        Step slow = slow(task);
        assertThat(slow.status()).isEqualTo(StepState.CANCELLED);
        assertThat(slow.attempts()).isEqualTo(1);
        assertThat(slow.results() == null || slow.results().isNull()).as(slow.toString()).isTrue();
        Step after = Cluster.step(task, "after");
        assertThat(after.status()).isEqualTo(StepState.CANCELLED);
        assertThat(after.attempts()).isZero();
        assertThat(
                        RUN.count(
                                "SELECT count(*) FROM pgmq.q_worker_examples_queue WHERE message->>'task_uuid' = ?",
                                id.toString()))
                .isZero();
        // The worker did finish the attempt and its report was discarded, not stored.
        assertThat(discardLogged(slowUuid)).as("worker log " + RUN.worker()).isTrue();
    }

    // --- helpers ------------------------------------------------------------------------------

    private static Step slow(Task task) {
        return Cluster.step(task, "slow");
    }

    private static boolean discardLogged(String stepUuid) throws IOException {
        return Files.readAllLines(RUN.worker().logFile()).stream()
                .anyMatch(
                        line ->
                                line.contains("step_uuid=" + stepUuid)
                                        && line.contains("result discarded"));
    }
}
