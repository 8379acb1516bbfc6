package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static io.tasker.orchestrator.ApiCalls.createTask;
import static io.tasker.orchestrator.ApiCalls.postJson;
import static io.tasker.orchestrator.template.Templates.oneStep;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

/** {@code /v1/queues} reports the pgmq queues with their depth. */
@QuarkusTest
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class QueueApiTest {

    @TestHTTPResource(value = "health/ready", management = true)
    URL ready;

    @TestHTTPResource(value = "health/live", management = true)
    URL live;

    @Test
    void queues_report_depth_after_a_task_enqueues_its_root_step() {
        postJson("/v1/templates", oneStep("queue_test", "one")).statusCode(201);
        createTask("queue_test", "one", "{}").statusCode(201);
        given().get("/v1/queues")
                .then()
                .statusCode(200)
                .body(
                        "queues.queue_name",
                        hasItems("orchestration_step_results", "worker_queue_test_queue"))
                .body(
                        "queues.find { it.queue_name == 'worker_queue_test_queue' }.queue_length",
                        equalTo(1))
                .body("totals.queue_length", greaterThanOrEqualTo(1));
    }

    @Test
    void readiness_reports_the_database_the_migrations_and_the_result_consumer() {
        given().get(ready)
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body(
                        "checks.find { it.name == 'tasker-orchestrator' }.data.schema_migrated",
                        equalTo(true))
                .body(
                        "checks.find { it.name == 'tasker-orchestrator' }.data.database",
                        equalTo("up"))
                .body(
                        "checks.find { it.name == 'tasker-orchestrator' }.data.result_consumer",
                        equalTo("running"));
        given().get(live).then().statusCode(200).body("status", equalTo("UP"));
    }
}
