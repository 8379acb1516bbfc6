package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.JsonSupport;
import io.tasker.testsupport.ServiceProcess;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
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
        HttpResponse<String> created =
                cluster.post(
                        orchestrator.baseUrl() + "/v1/tasks",
                        "application/json",
                        "{\"namespace\": \"examples\", \"name\": \"diamond_workflow\", \"correlation_id\": \""
                                + correlation
                                + "\", \"context\": {\"even_number\": 4}}");
        assertThat(created.statusCode()).isEqualTo(201);
        String task = Cluster.json(created).get("task_uuid").asText();
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
