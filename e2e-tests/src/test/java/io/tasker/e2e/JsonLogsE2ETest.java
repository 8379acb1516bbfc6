package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.api.CreateTaskRequest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TASKER_LOG_JSON=true switches both services to JSON lines that carry the task's ids as fields.
 */
class JsonLogsE2ETest {

    @RegisterExtension
    static final RunningCluster RUN =
            new RunningCluster(
                    "json_logs",
                    Map.of("TASKER_LOG_JSON", "true"),
                    "examples",
                    Map.of("TASKER_LOG_JSON", "true"));

    @Test
    void log_lines_are_json_with_task_step_and_correlation_ids() throws Exception {
        String correlation = "0191a3f0-1111-7000-8000-00000000abcd";
        CreateTaskRequest request =
                RunningCluster.request(
                        "examples",
                        "diamond_workflow",
                        null,
                        "{\"even_number\": 4}",
                        UUID.fromString(correlation));
        String task = RUN.api().createTask(request).summary().taskUuid().toString();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> RUN.orchestrator().log().contains("\"task_uuid\":\"" + task + "\""));

        JsonNode line = null;
        for (String l : RUN.orchestrator().log().split("\n")) {
            if (l.startsWith("{")) {
                JsonNode parsed = JsonSupport.parse(l);
                assertThat(parsed.has("message")).isTrue();
                if (parsed.path("mdc").path("task_uuid").asText().equals(task)) {
                    line = parsed;
                }
            }
        }
        assertThat(line).as(RUN.orchestrator().log()).isNotNull();
        assertThat(line.get("mdc").get("correlation_id").asText()).isEqualTo(correlation);
        assertThat(line.get("message").asText()).contains("created from examples/diamond_workflow");
        assertThat(RUN.worker().log().lines().filter(l -> l.startsWith("{")).count()).isPositive();
    }
}
