package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.api.CreateTaskRequest;
import io.tasker.testsupport.ServiceProcess;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TASKER_LOG_JSON=true switches both services to JSON lines that carry the task's ids as fields.
 */
class JsonLogsE2ETest {

    private static Cluster cluster;
    private static ServiceProcess orchestrator;
    private static ServiceProcess worker;

    @BeforeAll
    static void start() {
        cluster = new Cluster("json_logs");
        orchestrator = cluster.startOrchestrator(Map.of("TASKER_LOG_JSON", "true"));
        worker = cluster.startWorker("examples", Map.of("TASKER_LOG_JSON", "true"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void log_lines_are_json_with_task_step_and_correlation_ids() throws Exception {
        String correlation = "0191a3f0-1111-7000-8000-00000000abcd";
        CreateTaskRequest request =
                new CreateTaskRequest(
                        "examples",
                        "diamond_workflow",
                        null,
                        JsonSupport.parse("{\"even_number\": 4}"),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        UUID.fromString(correlation));
        String task = cluster.api(orchestrator).createTask(request).taskUuid().toString();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> orchestrator.log().contains("\"task_uuid\":\"" + task + "\""));

        JsonNode line = null;
        for (String l : orchestrator.log().split("\n")) {
            if (l.startsWith("{")) {
                JsonNode parsed = JsonSupport.parse(l);
                assertThat(parsed.has("message")).isTrue();
                if (parsed.path("mdc").path("task_uuid").asText().equals(task)) {
                    line = parsed;
                }
            }
        }
        assertThat(line).as(orchestrator.log()).isNotNull();
        assertThat(line.get("mdc").get("correlation_id").asText()).isEqualTo(correlation);
        assertThat(line.get("message").asText()).contains("created from examples/diamond_workflow");
        assertThat(worker.log().lines().filter(l -> l.startsWith("{")).count()).isPositive();
    }
}
