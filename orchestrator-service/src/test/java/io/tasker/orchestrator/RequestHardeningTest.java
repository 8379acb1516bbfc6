package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static io.tasker.orchestrator.ApiCalls.patchJson;
import static io.tasker.orchestrator.ApiCalls.postJson;
import static io.tasker.orchestrator.ApiCalls.postYaml;
import static io.tasker.orchestrator.ApiCalls.problem;
import static io.tasker.orchestrator.ApiCalls.registerTemplate;
import static io.tasker.orchestrator.ApiCalls.yamlAsText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile input with the default limits: NUL characters anywhere, numbers too large to write out,
 * oversized bodies. Every one is a 4xx problem+json and nothing is written.
 */
@QuarkusTest
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class RequestHardeningTest {

    private static final String TEMPLATE =
            """
            {"namespace": "hard", "name": "order", "version": "1.0.0",
             "input_schema": {"type": "object"},
             "steps": [{"name": "a", "handler": "examples.noop"},
                       {"name": "b", "handler": "examples.noop", "depends_on": ["a"]}]}
            """;

    @BeforeAll
    static void clientSettings() {
        // A request that makes the service exhaust its heap would otherwise hang the test.
        RestAssured.config =
                yamlAsText()
                        .httpClient(
                                HttpClientConfig.httpClientConfig()
                                        .setParam("http.socket.timeout", 30_000)
                                        .setParam("http.connection.timeout", 10_000));
    }

    @BeforeEach
    void registerTheTemplate() {
        registerTemplate(TEMPLATE);
    }

    @Test
    void a_nul_character_in_the_context_is_a_400_naming_its_path() {
        Map<String, String> before = Sql.fingerprint();
        problem(
                        createTask(
                                "{\"customer\": {\"name\": \"Ann\\u0000e\", \"tags\": [\"ok\"]}}"),
                        400,
                        "nul_character")
                .body("json_path", equalTo("$.context.customer.name"))
                .body("detail", containsString("$.context.customer.name"));
        assertThat(Sql.fingerprint()).isEqualTo(before);
    }

    @Test
    void a_nul_character_in_a_key_or_an_array_element_is_named_by_its_path() {
        problem(
                        createTask("{\"items\": [{\"sku\": \"a\"}, {\"s\\u0000ku\": \"b\"}]}"),
                        400,
                        "nul_character")
                .body("json_path", equalTo("$.context.items[1][\"s\\u0000ku\"]"));
        problem(createTask("{\"items\": [\"a\", \"\\u0000\"]}"), 400, "nul_character")
                .body("json_path", equalTo("$.context.items[1]"));
        problem(
                        postJson(
                                "/v1/tasks",
                                "{\"namespace\": \"hard\", \"name\": \"order\","
                                        + " \"reason\": \"why\\u0000\"}"),
                        400,
                        "nul_character")
                .body("json_path", equalTo("$.reason"));
    }

    @Test
    void a_nul_character_in_a_query_or_path_parameter_is_a_400_naming_the_parameter() {
        String task = createTask("{\"n\": 1}").statusCode(201).extract().path("task_uuid");
        problem(
                        given().queryParam("reason", "stop\u0000now")
                                .delete("/v1/tasks/" + task)
                                .then(),
                        400,
                        "nul_character")
                .body("parameter", equalTo("reason"));
        problem(
                        given().queryParam("actor", "\u0000").delete("/v1/tasks/" + task).then(),
                        400,
                        "nul_character")
                .body("parameter", equalTo("actor"));
        given().get("/v1/tasks/" + task)
                .then()
                .statusCode(200)
                .body("status", equalTo("steps_in_process"));
        problem(
                        given().queryParam("namespace", "ha\u0000rd").get("/v1/tasks").then(),
                        400,
                        "nul_character")
                .body("parameter", equalTo("namespace"));
        problem(
                given().queryParam("namespace", "ha\u0000rd").get("/v1/templates").then(),
                400,
                "nul_character");
        problem(
                        given().urlEncodingEnabled(false)
                                .get("/v1/templates/ha%00rd/order/1.0.0")
                                .then(),
                        400,
                        "nul_character")
                .body("parameter", equalTo("namespace"));
    }

    @Test
    void a_nul_character_in_a_dlq_note_or_a_step_result_is_a_400() {
        problem(
                        patchJson(
                                "/v1/dlq/" + UUID.randomUUID(),
                                "{\"resolution_status\": \"manually_resolved\","
                                        + " \"resolved_by\": \"ops\","
                                        + " \"resolution_notes\": \"fixed\\u0000\"}"),
                        400,
                        "nul_character")
                .body("json_path", equalTo("$.resolution_notes"));
        String task = createTask("{\"n\": 2}").statusCode(201).extract().path("task_uuid");
        String step =
                given().get("/v1/tasks/" + task)
                        .then()
                        .extract()
                        .path("steps[0].workflow_step_uuid");
        Map<String, String> before = Sql.fingerprint();
        problem(
                        patchJson(
                                "/v1/tasks/" + task + "/workflow_steps/" + step,
                                "{\"action\": \"complete_manually\", \"actor\": \"ops\","
                                        + " \"reason\": \"r\", \"result\": {\"v\": [\"\\u0000\"]}}"),
                        400,
                        "nul_character")
                .body("json_path", equalTo("$.result.v[0]"));
        assertThat(Sql.fingerprint()).isEqualTo(before);
    }

    @Test
    void a_nul_character_in_a_template_json_or_yaml_is_a_400_and_nothing_is_registered() {
        Map<String, String> before = Sql.fingerprint();
        problem(
                        postJson(
                                "/v1/templates",
                                TEMPLATE.replace("\"1.0.0\"", "\"1.0.1\"")
                                        .replace("\"order\"", "\"ord\\u0000er\"")),
                        400,
                        "nul_character")
                .body("json_path", equalTo("$.name"));
        problem(
                        postYaml(
                                "/v1/templates",
                                """
                                namespace: hard
                                name: yaml_order
                                version: 1.0.0
                                description: "bad\\0text"
                                steps:
                                  - { name: a, handler: examples.noop }
                                """),
                        400,
                        "nul_character")
                .body("json_path", equalTo("$.description"));
        assertThat(Sql.fingerprint()).isEqualTo(before);
    }

    @Test
    void a_huge_exponent_is_refused_without_exhausting_memory() {
        Map<String, String> before = Sql.fingerprint();
        problem(createTask("{\"x\": 1e999999999}"), 400, "number_out_of_range")
                .body("json_path", equalTo("$.context.x"))
                .body("detail", containsString("tasker.api.max-number-digits"));
        problem(createTask("{\"x\": [1E+999999999]}"), 400, "number_out_of_range")
                .body("json_path", equalTo("$.context.x[0]"));
        problem(createTask("{\"x\": {\"y\": 1e-999999999}}"), 400, "number_out_of_range")
                .body("json_path", equalTo("$.context.x.y"));
        problem(createTask("{\"x\": -12.5e2147483647}"), 400, "number_out_of_range");
        // An exponent beyond what BigDecimal holds at all.
        createTask("{\"x\": 0.5e-2147483648}")
                .statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("number_out_of_range"));
        problem(
                postJson("/v1/templates", withStepConfig("{\"x\": 1e9999999991}")),
                400,
                "number_out_of_range");
        problem(
                        postJson("/v1/templates", withStepConfig("{\"x\": 1e999999999}")),
                        400,
                        "number_out_of_range")
                .body("json_path", equalTo("$.steps[0].config.x"));
        assertThat(Sql.fingerprint()).isEqualTo(before);
    }

    @Test
    void a_hundred_thousand_digit_integer_is_refused_by_the_parser() {
        Map<String, String> before = Sql.fingerprint();
        problem(createTask("{\"x\": 1" + "0".repeat(100_000) + "}"), 400, "json_limit_exceeded")
                .body("detail", containsString("exceeds"));
        assertThat(Sql.fingerprint()).isEqualTo(before);
    }

    @Test
    void the_largest_accepted_number_is_stored_exactly() {
        String big = "9".repeat(1000) + "." + "9".repeat(1000);
        String task =
                createTask("{\"x\": " + big + "}").statusCode(201).extract().path("task_uuid");
        assertThat(
                        Sql.count(
                                "SELECT count(*) FROM tasker.tasks WHERE task_uuid = '"
                                        + task
                                        + "' AND (context->>'x')::numeric = "
                                        + big))
                .isEqualTo(1);
        problem(createTask("{\"x\": 1" + "0".repeat(1000) + "}"), 400, "number_out_of_range");
    }

    @Test
    void a_body_over_the_default_limit_is_a_413_problem() {
        Map<String, String> before = Sql.fingerprint();
        String padding = " ".repeat(1_048_576);
        problem(
                        postJson(
                                "/v1/tasks",
                                "{\"namespace\": \"hard\", \"name\": \"order\"}" + padding),
                        413,
                        "body_too_large")
                .body("max_body_bytes", equalTo(1_048_576));
        assertThat(Sql.fingerprint()).isEqualTo(before);
    }

    private static ValidatableResponse createTask(String context) {
        return ApiCalls.createTask("hard", "order", context);
    }

    /** The template as version 1.0.2, each step with this {@code config}. */
    private static String withStepConfig(String config) {
        return TEMPLATE.replace("\"1.0.0\"", "\"1.0.2\"")
                .replace("\"examples.noop\"}", "\"examples.noop\", \"config\": " + config + "}");
    }
}
