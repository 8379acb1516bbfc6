package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static io.tasker.orchestrator.ApiCalls.postJson;
import static io.tasker.orchestrator.ApiCalls.postYaml;
import static io.tasker.orchestrator.ApiCalls.problem;
import static io.tasker.orchestrator.template.Templates.graph;
import static io.tasker.orchestrator.template.Templates.versionDigitsProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.rest.ApiException;
import io.tasker.orchestrator.template.InputSchemas;
import io.tasker.orchestrator.template.TemplateRepository.StoredTemplate;
import io.tasker.orchestrator.template.TemplateService;
import io.tasker.orchestrator.template.Templates;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Template registration against a hostile author: limits, references that leave the schema,
 * catastrophic patterns, YAML bombs. Every refusal is a 4xx problem that stores nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class TemplateHardeningApiTest {

    // Generous bound for "promptly": a regression hangs for minutes, a pass takes milliseconds.
    private static final Duration PROMPTLY = Duration.ofSeconds(30);

    @BeforeAll
    static void clientSettings() {
        ApiCalls.yamlIsText();
    }

    private static String withSchema(String name, String inputSchema) {
        return """
                {"namespace": "hardening", "name": "%s", "version": "1.0.0",
                 "input_schema": %s,
                 "steps": [{"name": "only", "handler": "examples.noop"}]}
                """
                .formatted(name, inputSchema);
    }

    @Test
    void an_external_schema_ref_is_refused() {
        for (String ref : List.of("file:///etc/passwd", "http://127.0.0.1:1/x")) {
            String schema = "{\"properties\": {\"x\": {\"$ref\": \"" + ref + "\"}}}";
            problem(
                            postJson("/v1/templates", withSchema("external", schema)),
                            400,
                            "invalid_template")
                    .body(
                            "errors",
                            contains(
                                    "input_schema: $ref '"
                                            + ref
                                            + "' at /properties/x/$ref is not allowed: only"
                                            + " references inside the schema (starting with #)"
                                            + " and the 2020-12 meta-schemas are"));
        }
        assertThat(Sql.count("SELECT count(*) FROM tasker.named_tasks WHERE name = 'external'"))
                .isZero();
    }

    @Test
    void a_local_defs_ref_still_validates_contexts_end_to_end() {
        postJson(
                        "/v1/templates",
                        withSchema(
                                "local_ref",
                                """
                                {"type": "object", "required": ["order_id"],
                                 "$defs": {"positive": {"type": "integer", "minimum": 1}},
                                 "properties": {"order_id": {"$ref": "#/$defs/positive"}}}
                                """))
                .statusCode(201);

        createTask("local_ref", "{\"order_id\": 5}").statusCode(201);
        problem(createTask("local_ref", "{\"order_id\": -1}"), 400, "context_validation_failed")
                .body("errors[0]", containsString("order_id"))
                .body("errors[0]", containsString("minimum"));
        assertThat(Sql.count("SELECT count(*) FROM tasker.tasks WHERE name = 'local_ref'"))
                .isEqualTo(1);
    }

    @Test
    void a_catastrophic_pattern_answers_promptly_and_writes_nothing() {
        postJson(
                        "/v1/templates",
                        withSchema(
                                "patterns",
                                """
                                {"type": "object",
                                 "properties": {
                                   "classic": {"type": "string", "pattern": "^(a+)+$"},
                                   "backtracking": {"type": "string", "pattern": "^((a+)+)\\\\2b$"}}}
                                """))
                .statusCode(201);

        assertTimeoutPreemptively(
                PROMPTLY,
                () -> {
                    problem(
                                    createTask(
                                            "patterns",
                                            "{\"classic\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\"}"),
                                    400,
                                    "context_validation_failed")
                            .body("errors[0]", containsString("^(a+)+$"));
                    problem(
                                    createTask(
                                            "patterns",
                                            "{\"backtracking\": \"" + "a".repeat(48) + "\"}"),
                                    400,
                                    "context_validation_failed")
                            .body(
                                    "errors[0]",
                                    containsString(
                                            "matching the pattern '^((a+)+)\\2b$' ran out of its"
                                                    + " time budget"));
                });
        assertThat(Sql.count("SELECT count(*) FROM tasker.tasks WHERE name = 'patterns'")).isZero();

        createTask("patterns", "{\"classic\": \"aaa\", \"backtracking\": \"aab\"}").statusCode(201);
    }

    @Test
    void a_version_component_too_large_for_the_sort_is_a_400_and_not_stored() {
        problem(
                        postJson("/v1/templates", version("huge_version", "1.99999999999.0")),
                        400,
                        "invalid_template")
                .body("errors", contains(versionDigitsProblem("1.99999999999.0", 9)));
        assertThat(Sql.count("SELECT count(*) FROM tasker.named_tasks WHERE name = 'huge_version'"))
                .isZero();
        given().get("/v1/templates").then().statusCode(200);
    }

    @Test
    void the_listing_and_latest_version_work_with_the_largest_allowed_version() {
        for (String version : List.of("999999999.999999999.999999999", "1.0.0")) {
            postJson("/v1/templates", version("big_version", version)).statusCode(201);
        }

        given().get("/v1/templates?namespace=hardening")
                .then()
                .statusCode(200)
                .body(
                        "templates.findAll { it.name == 'big_version' }.version",
                        contains("1.0.0", "999999999.999999999.999999999"));
        createTask("big_version", "{}")
                .statusCode(201)
                .body("version", equalTo("999999999.999999999.999999999"));
    }

    @Test
    void the_largest_template_the_limits_allow_registers_and_one_step_more_does_not() {
        postJson("/v1/templates", graph("hardening", "maximal", 256, 32))
                .statusCode(201)
                .body("step_count", equalTo(256))
                .body("template.steps[255].depends_on.size()", equalTo(32));

        problem(
                        postJson("/v1/templates", graph("hardening", "too_many_steps", 257, 32)),
                        400,
                        "invalid_template")
                .body(
                        "errors",
                        contains(
                                "steps has 257 entries, at most 256 allowed"
                                        + " (tasker.templates.limits.max-steps)"));
        postJson("/v1/templates", graph("hardening", "too_many_deps", 40, 33))
                .statusCode(400)
                .body(
                        "errors",
                        hasItem(
                                "steps[33].depends_on has 33 entries, at most 32 allowed"
                                        + " (tasker.templates.limits.max-dependencies-per-step)"));
        assertThat(
                        Sql.count(
                                "SELECT count(*) FROM tasker.named_tasks WHERE name IN"
                                        + " ('too_many_steps', 'too_many_deps')"))
                .isZero();
    }

    @Test
    void a_yaml_alias_bomb_answers_400_promptly() {
        String bomb =
                """
                namespace: hardening
                name: laughs
                version: 1.0.0
                a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
                b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
                f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
                g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
                h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
                i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
                steps: [{name: only, handler: examples.noop, config: {x: *i}}]
                """;

        assertTimeoutPreemptively(
                PROMPTLY,
                () ->
                        problem(postYaml("/v1/templates", bomb), 400, "malformed_template")
                                .body(
                                        "detail",
                                        containsString(
                                                "aliases (*a) are not supported in templates")));
        assertThat(Sql.count("SELECT count(*) FROM tasker.named_tasks WHERE name = 'laughs'"))
                .isZero();
    }

    @Test
    void a_template_body_over_the_size_limit_is_a_413_problem() {
        String body = withSchema("oversized", "{\"description\": \"" + "x".repeat(600_000) + "\"}");

        postJson("/v1/templates", body).statusCode(413).contentType("application/problem+json");
        assertThat(Sql.count("SELECT count(*) FROM tasker.named_tasks WHERE name = 'oversized'"))
                .isZero();
    }

    @Inject TemplateService templates;

    @Inject InputSchemas schemas;

    @Inject Vertx vertx;

    @Test
    void template_parsing_and_validation_run_off_the_event_loop() throws Exception {
        String invalid = "namespace: hardening\nname: off_loop\nversion: 1.0.0\nsteps: []\n";

        Throwable failure = onEventLoop(() -> templates.register(invalid, true).replaceWithVoid());

        assertThat(failure)
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> assertThat(e.errors()).contains("steps must be a non-empty list"));
        assertThat(failedOnEventLoop).isFalse();
    }

    @Test
    void a_context_checked_by_patterns_is_validated_off_the_event_loop() throws Exception {
        JsonNode schema =
                JsonSupport.parse(
                        "{\"properties\": {\"code\": {\"type\": \"string\", \"pattern\": \"^a+$\"}}}");
        StoredTemplate template =
                Templates.stored(
                        "hardening",
                        "off_loop_context",
                        "1.0.0",
                        JsonSupport.object().set("input_schema", schema));

        Throwable failure =
                onEventLoop(
                        () ->
                                schemas.requireValidContext(
                                        template, JsonSupport.parse("{\"code\": \"b\"}")));

        assertThat(failure)
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> assertThat(e.code()).isEqualTo("context_validation_failed"));
        assertThat(failedOnEventLoop).isFalse();
    }

    private volatile boolean failedOnEventLoop;

    /**
     * Subscribes on a Vert.x event loop and returns the failure; notes whether it was emitted on an
     * event loop thread, which is where the failing work ran.
     */
    private Throwable onEventLoop(Supplier<Uni<Void>> work) throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        vertx.runOnContext(
                ignored ->
                        work.get()
                                .subscribe()
                                .with(
                                        ok -> failure.complete(null),
                                        e -> {
                                            failedOnEventLoop = Context.isOnEventLoopThread();
                                            failure.complete(e);
                                        }));
        return failure.get(30, TimeUnit.SECONDS);
    }

    /** A one-step template {@code name} of this version. */
    private static ObjectNode version(String name, String version) {
        return Templates.oneStep("hardening", name).put("version", version);
    }

    private static ValidatableResponse createTask(String name, String context) {
        return ApiCalls.createTask("hardening", name, context);
    }
}
