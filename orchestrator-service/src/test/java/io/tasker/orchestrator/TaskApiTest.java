package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static io.tasker.orchestrator.ApiCalls.createTask;
import static io.tasker.orchestrator.ApiCalls.postJson;
import static io.tasker.orchestrator.ApiCalls.postYaml;
import static io.tasker.orchestrator.ApiCalls.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP API against a real database: registration, creation, reads, and every rejection. */
@QuarkusTest
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class TaskApiTest {

    private static final String ORDER_TEMPLATE =
            """
            namespace: api_test
            name: order
            version: 1.0.0
            description: two steps
            input_schema:
              type: object
              required: [order_id, email]
              properties:
                order_id: { type: integer, minimum: 1 }
                email: { type: string }
            steps:
              - name: first
                handler: examples.noop
              - name: second
                handler: examples.noop
                depends_on: [first]
                retry: { max_attempts: 5, backoff: linear, backoff_base_ms: 200 }
            """;

    @BeforeAll
    static void clientSettings() {
        ApiCalls.yamlIsText();
    }

    @BeforeEach
    void registerTemplate() {
        postYaml("/v1/templates", ORDER_TEMPLATE).statusCode(anyOf(equalTo(200), equalTo(201)));
    }

    @Test
    void registering_the_same_version_twice_is_a_no_op_and_different_content_is_a_conflict() {
        postYaml("/v1/templates", ORDER_TEMPLATE).statusCode(200).body("created", equalTo(false));
        problem(
                postYaml("/v1/templates", ORDER_TEMPLATE.replace("two steps", "changed")),
                409,
                "template_version_conflict");
        given().get("/v1/templates/api_test/order/1.0.0")
                .then()
                .statusCode(200)
                .body("template.steps[1].retry.max_attempts", equalTo(5))
                .body("template.steps[1].retry.backoff", equalTo("linear"))
                .body("template.steps[0].retry.max_attempts", equalTo(3));
    }

    @Test
    void creating_a_task_returns_201_with_steps_and_enqueues_the_root() {
        String id =
                createOrder("{\"order_id\": 7, \"email\": \"a@b.c\"}")
                        .statusCode(201)
                        .header("Location", containsString("/v1/tasks/"))
                        .body("status", equalTo("steps_in_process"))
                        .body("steps", hasSize(2))
                        .body("version", equalTo("1.0.0"))
                        .body("execution_summary.total_steps", equalTo(2))
                        .extract()
                        .path("task_uuid");
        assertThat(
                        Sql.count(
                                "SELECT count(*) FROM pgmq.q_worker_api_test_queue WHERE message->>'task_uuid' = '"
                                        + id
                                        + "'"))
                .isEqualTo(1);
        given().get("/v1/tasks/" + id + "/workflow_steps")
                .then()
                .statusCode(200)
                .body("workflow_steps", hasSize(2));
        given().get("/v1/tasks/" + id + "/transitions")
                .then()
                .statusCode(200)
                .body("task_transitions.to_state", hasItem("steps_in_process"));
        given().get("/v1/tasks?namespace=api_test&status=steps_in_process")
                .then()
                .statusCode(200)
                .body("tasks.task_uuid", hasItem(id));
        // The same context again is a duplicate under the default strict identity strategy.
        problem(createOrder("{\"email\": \"a@b.c\", \"order_id\": 7}"), 409, "duplicate_task")
                .body("existing_task_uuid", equalTo(id));
    }

    @Test
    void unknown_template_is_404_and_writes_nothing() {
        long before = Sql.count("SELECT count(*) FROM tasker.tasks");
        problem(createTask("api_test", "nope", "{}"), 404, "template_not_found")
                .body("instance", equalTo("/v1/tasks"));
        assertThat(Sql.count("SELECT count(*) FROM tasker.tasks")).isEqualTo(before);
    }

    @Test
    void a_context_failing_the_schema_lists_every_violation_and_writes_nothing() {
        long before = Sql.count("SELECT count(*) FROM tasker.tasks");
        problem(createOrder("{\"order_id\": 0}"), 400, "context_validation_failed")
                .body("errors", hasSize(2))
                .body("errors.toString()", containsString("email"))
                .body("errors.toString()", containsString("minimum"));
        assertThat(Sql.count("SELECT count(*) FROM tasker.tasks")).isEqualTo(before);
    }

    @Test
    void malformed_json_is_a_400_problem() {
        problem(postJson("/v1/tasks", "{\"namespace\": "), 400, "malformed_json")
                .body("detail", startsWith("the request body is not valid JSON"));
    }

    @Test
    void a_bad_namespace_is_refused_with_the_rule() {
        createTask("Bad-NS", "order", "{}")
                .statusCode(400)
                .body("code", equalTo("invalid_request"))
                .body("errors[0]", containsString("must match"));
    }

    @Test
    void a_cyclic_template_lists_every_problem_and_is_not_stored() {
        String cycle =
                """
                namespace: api_test
                name: loop
                version: 1.0.0
                steps:
                  - { name: a, handler: examples.noop, depends_on: [c] }
                  - { name: b, handler: examples.noop, depends_on: [a] }
                  - { name: c, handler: examples.noop, depends_on: [b] }
                """;
        // The cycle with a short version, a second step c with no attempts and one more step
        // that depends on an unknown step.
        String everything =
                cycle.replace("1.0.0", "1.0")
                        + """
                          - { name: c, handler: examples.noop, retry: { max_attempts: 0 } }
                          - { name: d, handler: examples.noop, depends_on: [zzz] }
                        """;
        problem(postYaml("/v1/templates", everything), 400, "invalid_template")
                .body("errors.toString()", containsString("MAJOR.MINOR.PATCH"))
                .body("errors.toString()", containsString("duplicate step name 'c'"))
                .body(
                        "errors.toString()",
                        containsString(
                                "steps[3].retry.max_attempts 0 must be an integer between 1 and"
                                        + " 100"))
                .body("errors.toString()", containsString("unknown step 'zzz'"));
        postYaml("/v1/templates", cycle)
                .statusCode(400)
                .body("errors[0]", containsString("dependency cycle"));
        assertThat(Sql.count("SELECT count(*) FROM tasker.named_tasks WHERE name = 'loop'"))
                .isZero();
    }

    @Test
    void an_invalid_input_schema_is_refused() {
        postJson(
                        "/v1/templates",
                        "{\"namespace\": \"api_test\", \"name\": \"bad_schema\", \"version\": \"1.0.0\","
                                + " \"input_schema\": {\"type\": \"banana\"},"
                                + " \"steps\": [{\"name\": \"a\", \"handler\": \"examples.noop\"}]}")
                .statusCode(400)
                .body("errors[0]", containsString("input_schema is not a valid JSON Schema"));
    }

    @Test
    void an_unknown_task_is_404() {
        problem(
                given().get("/v1/tasks/0191a3f0-0000-7000-8000-000000000000").then(),
                404,
                "task_not_found");
        problem(given().get("/v1/tasks/not-a-uuid").then(), 400, "invalid_uuid");
    }

    @Test
    void cancelling_a_task_cancels_every_step_and_a_second_cancel_is_a_409() {
        String id =
                createOrder("{\"order_id\": 8001, \"email\": \"c@d.e\"}")
                        .statusCode(201)
                        .extract()
                        .path("task_uuid");
        given().queryParam("reason", "customer withdrew")
                .queryParam("actor", "ops-1")
                .delete("/v1/tasks/" + id)
                .then()
                .statusCode(200)
                .contentType("application/json")
                .body("task_uuid", equalTo(id))
                .body("status", equalTo("cancelled"))
                .body("steps", hasSize(2))
                .body("steps.status", everyItem(equalTo("cancelled")))
                .body("execution_summary.cancelled_steps", equalTo(2));
        given().get("/v1/tasks/" + id + "/transitions")
                .then()
                .statusCode(200)
                .body("task_transitions[-1].to_state", equalTo("cancelled"))
                .body("task_transitions[-1].reason", equalTo("cancelled_by_operator"))
                // The caller is the actor; the claimed one is only part of the reason.
                .body("task_transitions[-1].metadata.actor", equalTo("key:bootstrap-admin"))
                .body(
                        "task_transitions[-1].metadata.reason",
                        equalTo("customer withdrew (on behalf of ops-1)"));

        problem(given().delete("/v1/tasks/" + id).then(), 409, "task_not_cancellable")
                .body("instance", equalTo("/v1/tasks/" + id));
        given().get("/v1/tasks/" + id).then().statusCode(200).body("status", equalTo("cancelled"));

        problem(
                given().delete("/v1/tasks/0191a3f0-0000-7000-8000-000000000000").then(),
                404,
                "task_not_found");
    }

    private static ValidatableResponse createOrder(String context) {
        return createTask("api_test", "order", context);
    }
}
