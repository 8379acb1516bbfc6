package io.tasker.orchestrator;

import static io.tasker.orchestrator.ApiCalls.postJson;
import static io.tasker.orchestrator.ApiCalls.postYaml;
import static io.tasker.orchestrator.ApiCalls.problem;
import static io.tasker.orchestrator.ApiCalls.registerTemplate;
import static io.tasker.orchestrator.template.Templates.oneStep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every body limit at its edge, with small limits: the limit itself passes, one more fails. */
@QuarkusTest
@TestProfile(RequestLimitsTest.SmallLimits.class)
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class RequestLimitsTest {

    static final int BODY = 4000;
    static final int CONTEXT = 1000;
    static final int DEPTH = 8;
    static final int NODES = 200;
    static final int STRING = 400;
    static final int DIGITS = 50;

    /** Small limits so that edges are cheap to reach. */
    public static class SmallLimits extends ConfigProfile {
        public SmallLimits() {
            super(
                    Map.of(
                            "tasker.api.max-body-bytes", String.valueOf(BODY),
                            "tasker.api.max-context-bytes", String.valueOf(CONTEXT),
                            "tasker.api.max-json-depth", String.valueOf(DEPTH),
                            "tasker.api.max-json-nodes", String.valueOf(NODES),
                            "tasker.api.max-string-length", String.valueOf(STRING),
                            "tasker.api.max-number-digits", String.valueOf(DIGITS)));
        }
    }

    @TestHTTPResource("/v1/tasks")
    URI tasksUri;

    @BeforeAll
    static void clientSettings() {
        ApiCalls.yamlIsText();
    }

    @BeforeEach
    void registerTheTemplate() {
        registerTemplate(oneStep("edge", "one").put("identity_strategy", "always_unique"));
    }

    @Test
    void a_body_of_exactly_the_limit_passes_and_one_byte_more_is_a_413() {
        String task = "{\"namespace\": \"edge\", \"name\": \"one\"}";
        String exact = task + " ".repeat(BODY - task.length());
        post(exact).statusCode(201);
        long before = Sql.count("SELECT count(*) FROM tasker.tasks");
        problem(post(exact + " "), 413, "body_too_large")
                .body("detail", containsString("tasker.api.max-body-bytes"));
        assertThat(Sql.count("SELECT count(*) FROM tasker.tasks")).isEqualTo(before);
    }

    @Test
    void a_body_without_content_length_over_the_limit_is_a_413_problem() throws Exception {
        String task = "{\"namespace\": \"edge\", \"name\": \"one\"}";
        byte[] body = (task + " ".repeat(BODY)).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(tasksUri)
                                        .timeout(Duration.ofSeconds(30))
                                        .header("Content-Type", "application/json")
                                        .header(
                                                "Authorization",
                                                "Bearer " + AdminCredential.adminKey())
                                        // A stream of unknown length goes out chunked.
                                        .POST(
                                                HttpRequest.BodyPublishers.ofInputStream(
                                                        () -> new ByteArrayInputStream(body)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(response.body()).contains("\"code\":\"body_too_large\"");
    }

    @Test
    void a_context_of_exactly_the_limit_passes_and_one_byte_more_is_a_400() {
        createTask(contextOfBytes(CONTEXT)).statusCode(201);
        problem(createTask(contextOfBytes(CONTEXT + 1)), 400, "context_too_large")
                .body("json_path", equalTo("$.context"))
                .body("detail", containsString("tasker.api.max-context-bytes"));
    }

    @Test
    void nesting_of_exactly_the_limit_passes_and_one_level_more_is_a_400_naming_the_path() {
        // The body is level 1 and the context level 2.
        createTask(nested(DEPTH - 1)).statusCode(201);
        problem(createTask(nested(DEPTH)), 400, "json_limit_exceeded")
                .body("json_path", equalTo("$.context" + ".a".repeat(DEPTH - 1)))
                .body("detail", containsString("tasker.api.max-json-depth"));
        problem(createTask(nested(DEPTH + 5)), 400, "json_limit_exceeded")
                .body("detail", containsString("nesting depth"));
    }

    @Test
    void a_body_of_exactly_the_value_limit_passes_and_one_value_more_is_a_400() {
        // root, namespace, name, context, the array: five values besides the elements.
        createTask("{\"a\": [" + "0,".repeat(NODES - 6) + "0]}").statusCode(201);
        problem(
                        createTask("{\"a\": [" + "0,".repeat(NODES - 5) + "0]}"),
                        400,
                        "json_limit_exceeded")
                .body("detail", containsString("tasker.api.max-json-nodes"));
    }

    @Test
    void a_string_or_key_of_exactly_the_limit_passes_and_one_character_more_is_a_400() {
        createTask("{\"s\": \"" + "é".repeat(STRING) + "\"}").statusCode(201);
        problem(
                        createTask("{\"s\": \"" + "x".repeat(STRING + 1) + "\"}"),
                        400,
                        "json_limit_exceeded")
                .body("json_path", equalTo("$.context.s"))
                .body("detail", containsString("tasker.api.max-string-length"));
        createTask("{\"" + "k".repeat(STRING) + "\": 1}").statusCode(201);
        problem(createTask("{\"" + "k".repeat(STRING + 1) + "\": 1}"), 400, "json_limit_exceeded");
    }

    @Test
    void numbers_of_exactly_the_digit_limit_pass_and_one_digit_more_is_a_400() {
        createTask("{\"n\": " + "9".repeat(DIGITS) + "}").statusCode(201);
        createTask("{\"n\": 0." + "0".repeat(DIGITS - 1) + "1}").statusCode(201);
        createTask("{\"n\": 1e" + (DIGITS - 1) + "}").statusCode(201);
        createTask("{\"n\": -1e-" + DIGITS + "}").statusCode(201);
        problem(createTask("{\"n\": " + "9".repeat(DIGITS + 1) + "}"), 400, "number_out_of_range")
                .body("json_path", equalTo("$.context.n"));
        problem(createTask("{\"n\": 0." + "0".repeat(DIGITS) + "1}"), 400, "number_out_of_range");
        problem(createTask("{\"n\": 1e" + DIGITS + "}"), 400, "number_out_of_range");
        problem(createTask("{\"n\": -1e-" + (DIGITS + 1) + "}"), 400, "number_out_of_range");
    }

    @Test
    void template_bodies_are_held_to_the_same_limits() {
        long before = Sql.count("SELECT count(*) FROM tasker.named_tasks");
        problem(
                postJson(
                        "/v1/templates",
                        "{\"namespace\": \"edge\", \"name\": \"deep\", \"version\": \"1.0.0\","
                                + " \"steps\": [{\"name\": \"a\", \"handler\": \"examples.noop\","
                                + " \"config\": "
                                + nested(DEPTH)
                                + "}]}"),
                400,
                "json_limit_exceeded");
        problem(
                        postYaml(
                                "/v1/templates",
                                "namespace: edge\nname: long\nversion: 1.0.0\ndescription: "
                                        + "x".repeat(STRING + 1)
                                        + "\nsteps:\n  - { name: a, handler: examples.noop }\n"),
                        400,
                        "json_limit_exceeded")
                .body("json_path", equalTo("$.description"));
        assertThat(Sql.count("SELECT count(*) FROM tasker.named_tasks")).isEqualTo(before);
    }

    /** {"a": {"a": ... {}}} with {@code levels} objects. */
    private static String nested(int levels) {
        return "{\"a\": ".repeat(levels - 1) + "{}" + "}".repeat(levels - 1);
    }

    /** A context whose serialized JSON has exactly {@code bytes} bytes. */
    private static String contextOfBytes(int bytes) {
        // {"a":"…","b":"…","c":"…"} is 22 bytes besides the three strings.
        int room = bytes - 22;
        int third = room / 3;
        String context =
                "{\"a\":\""
                        + "x".repeat(room - 2 * third)
                        + "\",\"b\":\""
                        + "x".repeat(third)
                        + "\",\"c\":\""
                        + "x".repeat(third)
                        + "\"}";
        assertThat(context.getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
        return context;
    }

    private static ValidatableResponse post(String body) {
        return postJson("/v1/tasks", body);
    }

    private static ValidatableResponse createTask(String context) {
        return ApiCalls.createTask("edge", "one", context);
    }
}
