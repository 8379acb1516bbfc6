package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static io.tasker.orchestrator.ApiCalls.createTask;
import static io.tasker.orchestrator.ApiCalls.postJson;
import static io.tasker.orchestrator.ApiCalls.postYaml;
import static io.tasker.orchestrator.ApiCalls.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A template step may name the namespace whose workers run it: registration validates the name like
 * a template namespace and creates that namespace's queue, and a task's step goes to that queue.
 */
@QuarkusTest
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class StepNamespaceApiTest {

    private static final String SPLIT_TEMPLATE =
            """
            namespace: api_split_jvm
            name: split
            version: 1.0.0
            steps:
              - name: first
                handler: examples.noop
                namespace: api_split_node
              - name: second
                handler: examples.noop
                depends_on: [first]
            """;

    @BeforeAll
    static void clientSettings() {
        ApiCalls.yamlIsText();
    }

    @Test
    void a_template_with_a_step_namespace_registers_and_its_step_goes_to_that_queue() {
        postYaml("/v1/templates", SPLIT_TEMPLATE).statusCode(anyOf(equalTo(201), equalTo(200)));
        given().get("/v1/templates/api_split_jvm/split/1.0.0")
                .then()
                .statusCode(200)
                .body("template.steps[0].namespace", equalTo("api_split_node"))
                .body("template.steps[1].namespace", nullValue());
        assertThat(
                        Sql.count(
                                "SELECT count(*) FROM pgmq.meta WHERE queue_name IN"
                                        + " ('worker_api_split_jvm_queue', 'worker_api_split_node_queue')"))
                .isEqualTo(2);
        assertThat(
                        Sql.count(
                                "SELECT count(*) FROM tasker.task_namespaces WHERE name ="
                                        + " 'api_split_node'"))
                .isOne();

        String task =
                createTask("api_split_jvm", "split", "{}")
                        .statusCode(201)
                        .extract()
                        .path("task_uuid");
        assertThat(
                        Sql.count(
                                "SELECT count(*) FROM pgmq.q_worker_api_split_node_queue m"
                                        + " JOIN tasker.workflow_steps s"
                                        + " ON s.workflow_step_uuid::text = m.message->>'step_uuid'"
                                        + " WHERE s.task_uuid = '"
                                        + task
                                        + "' AND s.name = 'first' AND s.namespace = 'api_split_node'"
                                        + " AND m.message->>'namespace' = 'api_split_node'"))
                .isOne();
        assertThat(
                        Sql.count(
                                "SELECT count(*) FROM pgmq.q_worker_api_split_jvm_queue m"
                                        + " JOIN tasker.workflow_steps s"
                                        + " ON s.workflow_step_uuid::text = m.message->>'step_uuid'"
                                        + " WHERE s.task_uuid = '"
                                        + task
                                        + "'"))
                .isZero();
        // The step view says which namespace serves each step.
        given().get("/v1/tasks/" + task + "/workflow_steps")
                .then()
                .statusCode(200)
                .body(
                        "workflow_steps.find { it.name == 'first' }.namespace",
                        equalTo("api_split_node"))
                .body(
                        "workflow_steps.find { it.name == 'second' }.namespace",
                        equalTo("api_split_jvm"));
    }

    @Test
    void a_bad_step_namespace_is_a_400_problem_and_registers_nothing() {
        problem(
                        postJson("/v1/templates", template("bad_name", "Not-A-Namespace")),
                        400,
                        "invalid_template")
                .body("errors", hasItem(containsString("steps[0].namespace")));
        problem(
                        postJson("/v1/templates", template("too_long", "n" + "x".repeat(29))),
                        400,
                        "invalid_template")
                .body(
                        "errors",
                        contains(containsString("(tasker.templates.limits.max-namespace-length)")));
        postJson("/v1/templates", template("at_limit", "n" + "x".repeat(28))).statusCode(201);
        assertThat(
                        Sql.count(
                                "SELECT count(*) FROM tasker.named_tasks WHERE namespace = 'api_bad_step'"
                                        + " AND name IN ('bad_name', 'too_long')"))
                .isZero();
        assertThat(
                        Sql.count(
                                "SELECT count(*) FROM pgmq.meta WHERE queue_name = 'worker_n"
                                        + "x".repeat(28)
                                        + "_queue'"))
                .isOne();
    }

    /** A one-step template {@code name} of namespace api_bad_step whose step names {@code ns}. */
    private static String template(String name, String ns) {
        return """
                {"namespace": "api_bad_step", "name": "%s", "version": "1.0.0",
                 "steps": [{"name": "only", "handler": "examples.noop", "namespace": "%s"}]}
                """
                .formatted(name, ns);
    }
}
