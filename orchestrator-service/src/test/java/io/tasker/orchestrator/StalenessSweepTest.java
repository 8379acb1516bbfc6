package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static io.tasker.orchestrator.ApiCalls.createTask;
import static io.tasker.orchestrator.ApiCalls.getOk;
import static io.tasker.orchestrator.ApiCalls.postJson;
import static io.tasker.orchestrator.ApiCalls.taskStatus;
import static io.tasker.orchestrator.template.Templates.oneStep;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URL;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The staleness sweep runs on the Quarkus scheduler every tasker.staleness.interval. */
@QuarkusTest
@TestProfile(StalenessSweepTest.EverySecond.class)
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class StalenessSweepTest {

    /** The overrides of {@code profiles/EverySecond.properties}. */
    public static class EverySecond extends ConfigProfile {}

    @Inject Scheduler scheduler;

    @TestHTTPResource(value = "metrics", management = true)
    URL metrics;

    @Test
    void the_sweep_is_a_scheduled_job_of_this_instance() {
        assertThat(scheduler.getScheduledJob("tasker-staleness-sweep")).isNotNull();
    }

    @Test
    void a_task_older_than_its_lifecycle_limit_is_swept_to_the_dlq_and_to_error()
            throws SQLException {
        ObjectNode template = oneStep("stale_test", "forgotten");
        template.putObject("lifecycle").put("max_duration_minutes", 5);
        postJson("/v1/templates", template).statusCode(201);
        String id =
                createTask("stale_test", "forgotten", "{}")
                        .statusCode(201)
                        .extract()
                        .path("task_uuid");
        try (Connection c = DatabaseResource.database.connect();
                PreparedStatement s =
                        c.prepareStatement(
                                "UPDATE tasker.tasks SET created_at = now() - interval '10 minutes'"
                                        + " WHERE task_uuid = ?::uuid")) {
            s.setString(1, id);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }

        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(taskStatus(id)).isEqualTo("error"));
        JsonPath dlq = JsonPath.from(getOk("/v1/dlq?resolution_status=pending"));
        List<String> reasons =
                dlq.getList("dlq_entries.findAll { it.task_uuid == '" + id + "' }.reason");
        assertThat(reasons).containsExactly("staleness_timeout");
        assertThat(given().get(metrics).then().extract().asString())
                .containsPattern("tasker_tasks_stale_total(\\{[^}]*\\})? [1-9]");
    }
}
