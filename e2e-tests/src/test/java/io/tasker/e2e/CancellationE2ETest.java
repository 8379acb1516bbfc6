package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.testsupport.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    private static final HttpClient HTTP =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();

    private static Cluster cluster;
    private static ServiceProcess orchestrator;
    private static ServiceProcess worker;

    @BeforeAll
    static void start() {
        cluster = new Cluster("cancellation");
        orchestrator = cluster.startOrchestrator(Map.of());
        worker = cluster.startWorker("examples", Map.of());
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void cancelling_a_running_task_cancels_its_steps_and_discards_the_late_result()
            throws Exception {
        HttpResponse<String> registered =
                cluster.post(
                        orchestrator.baseUrl() + "/v1/templates", "application/yaml", TEMPLATE);
        assertThat(registered.statusCode()).as(registered.body()).isIn(200, 201);
        HttpResponse<String> created =
                cluster.post(
                        orchestrator.baseUrl() + "/v1/tasks",
                        "application/json",
                        "{\"namespace\": \"examples\", \"name\": \"cancel_me\", \"version\": \"1.0.0\","
                                + " \"context\": {}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        UUID id = UUID.fromString(Cluster.json(created).get("task_uuid").asText());

        await("slow step of " + id + " in_progress")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> "in_progress".equals(stepOf(task(id), "slow").get("status").asText()));
        String slowUuid = stepOf(task(id), "slow").get("workflow_step_uuid").asText();

        HttpResponse<String> cancelled =
                delete(orchestrator.baseUrl() + "/v1/tasks/" + id + "?reason=e2e&actor=e2e-test");
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(Cluster.json(cancelled).get("status").asText()).isEqualTo("cancelled");

        // The cancel closed the running attempt itself.
        assertThat(
                        cluster.count(
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

        JsonNode task = task(id);
        assertThat(task.get("status").asText()).isEqualTo("cancelled");
        JsonNode slow = stepOf(task, "slow");
        assertThat(slow.get("status").asText()).isEqualTo("cancelled");
        assertThat(slow.get("attempts").asInt()).isEqualTo(1);
        assertThat(slow.get("results").isNull()).as(slow.toString()).isTrue();
        JsonNode after = stepOf(task, "after");
        assertThat(after.get("status").asText()).isEqualTo("cancelled");
        assertThat(after.get("attempts").asInt()).isZero();
        assertThat(
                        cluster.count(
                                "SELECT count(*) FROM pgmq.q_worker_examples_queue WHERE message->>'task_uuid' = ?",
                                id.toString()))
                .isZero();
        // The worker did finish the attempt and its report was discarded, not stored.
        assertThat(discardLogged(slowUuid)).as("worker log " + worker).isTrue();
    }

    // --- helpers ------------------------------------------------------------------------------

    private static JsonNode task(UUID id) {
        HttpResponse<String> r = cluster.get(orchestrator.baseUrl() + "/v1/tasks/" + id);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Cluster.json(r);
    }

    private static JsonNode stepOf(JsonNode task, String name) {
        for (JsonNode s : task.get("steps")) {
            if (s.get("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no step " + name + " in " + task);
    }

    private static boolean discardLogged(String stepUuid) throws IOException {
        return Files.readAllLines(worker.logFile()).stream()
                .anyMatch(
                        line ->
                                line.contains("step_uuid=" + stepUuid)
                                        && line.contains("result discarded"));
    }

    private static HttpResponse<String> delete(String url)
            throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
