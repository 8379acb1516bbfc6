package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.rest.ApiException;
import io.tasker.orchestrator.template.InputSchemas;
import io.tasker.orchestrator.template.TemplateRepository.StoredTemplate;
import io.tasker.orchestrator.template.TemplateService;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
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
    static void yamlIsText() {
        RestAssured.config =
                RestAssured.config()
                        .encoderConfig(
                                EncoderConfig.encoderConfig()
                                        .encodeContentTypeAs("application/yaml", ContentType.TEXT));
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
    void an_external_schema_ref_is_refused() throws SQLException {
        for (String ref : List.of("file:///etc/passwd", "http://127.0.0.1:1/x")) {
            given().contentType("application/json")
                    .body(
                            withSchema(
                                    "external",
                                    "{\"properties\": {\"x\": {\"$ref\": \"" + ref + "\"}}}"))
                    .post("/v1/templates")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("code", equalTo("invalid_template"))
                    .body(
                            "errors",
                            contains(
                                    "input_schema: $ref '"
                                            + ref
                                            + "' at /properties/x/$ref is not allowed: only"
                                            + " references inside the schema (starting with #)"
                                            + " and the 2020-12 meta-schemas are"));
        }
        assertThat(count("SELECT count(*) FROM tasker.named_tasks WHERE name = 'external'"))
                .isZero();
    }

    @Test
    void a_local_defs_ref_still_validates_contexts_end_to_end() throws SQLException {
        given().contentType("application/json")
                .body(
                        withSchema(
                                "local_ref",
                                """
                                {"type": "object", "required": ["order_id"],
                                 "$defs": {"positive": {"type": "integer", "minimum": 1}},
                                 "properties": {"order_id": {"$ref": "#/$defs/positive"}}}
                                """))
                .post("/v1/templates")
                .then()
                .statusCode(201);

        given().contentType("application/json")
                .body(task("local_ref", "{\"order_id\": 5}"))
                .post("/v1/tasks")
                .then()
                .statusCode(201);
        given().contentType("application/json")
                .body(task("local_ref", "{\"order_id\": -1}"))
                .post("/v1/tasks")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("context_validation_failed"))
                .body("errors[0]", containsString("order_id"))
                .body("errors[0]", containsString("minimum"));
        assertThat(count("SELECT count(*) FROM tasker.tasks WHERE name = 'local_ref'"))
                .isEqualTo(1);
    }

    @Test
    void a_catastrophic_pattern_answers_promptly_and_writes_nothing() throws SQLException {
        given().contentType("application/json")
                .body(
                        withSchema(
                                "patterns",
                                """
                                {"type": "object",
                                 "properties": {
                                   "classic": {"type": "string", "pattern": "^(a+)+$"},
                                   "backtracking": {"type": "string", "pattern": "^((a+)+)\\\\2b$"}}}
                                """))
                .post("/v1/templates")
                .then()
                .statusCode(201);

        assertTimeoutPreemptively(
                PROMPTLY,
                () -> {
                    given().contentType("application/json")
                            .body(
                                    task(
                                            "patterns",
                                            "{\"classic\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\"}"))
                            .post("/v1/tasks")
                            .then()
                            .statusCode(400)
                            .body("code", equalTo("context_validation_failed"))
                            .body("errors[0]", containsString("^(a+)+$"));
                    given().contentType("application/json")
                            .body(
                                    task(
                                            "patterns",
                                            "{\"backtracking\": \"" + "a".repeat(48) + "\"}"))
                            .post("/v1/tasks")
                            .then()
                            .statusCode(400)
                            .contentType("application/problem+json")
                            .body("code", equalTo("context_validation_failed"))
                            .body(
                                    "errors[0]",
                                    containsString(
                                            "matching the pattern '^((a+)+)\\2b$' ran out of its"
                                                    + " time budget"));
                });
        assertThat(count("SELECT count(*) FROM tasker.tasks WHERE name = 'patterns'")).isZero();

        given().contentType("application/json")
                .body(task("patterns", "{\"classic\": \"aaa\", \"backtracking\": \"aab\"}"))
                .post("/v1/tasks")
                .then()
                .statusCode(201);
    }

    @Test
    void a_version_component_too_large_for_the_sort_is_a_400_and_not_stored() throws SQLException {
        given().contentType("application/json")
                .body(
                        """
                        {"namespace": "hardening", "name": "huge_version", "version": "1.99999999999.0",
                         "steps": [{"name": "only", "handler": "examples.noop"}]}
                        """)
                .post("/v1/templates")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("invalid_template"))
                .body(
                        "errors",
                        contains(
                                "version '1.99999999999.0' may have at most 9 digits in each of"
                                        + " MAJOR, MINOR and PATCH"
                                        + " (tasker.templates.limits.max-version-component-digits)"));
        assertThat(count("SELECT count(*) FROM tasker.named_tasks WHERE name = 'huge_version'"))
                .isZero();
        given().get("/v1/templates").then().statusCode(200);
    }

    @Test
    void the_listing_and_latest_version_work_with_the_largest_allowed_version() {
        for (String version : List.of("999999999.999999999.999999999", "1.0.0")) {
            given().contentType("application/json")
                    .body(
                            """
                            {"namespace": "hardening", "name": "big_version", "version": "%s",
                             "steps": [{"name": "only", "handler": "examples.noop"}]}
                            """
                                    .formatted(version))
                    .post("/v1/templates")
                    .then()
                    .statusCode(201);
        }

        given().get("/v1/templates?namespace=hardening")
                .then()
                .statusCode(200)
                .body(
                        "templates.findAll { it.name == 'big_version' }.version",
                        contains("1.0.0", "999999999.999999999.999999999"));
        given().contentType("application/json")
                .body(task("big_version", "{}"))
                .post("/v1/tasks")
                .then()
                .statusCode(201)
                .body("version", equalTo("999999999.999999999.999999999"));
    }

    @Test
    void the_largest_template_the_limits_allow_registers_and_one_step_more_does_not()
            throws SQLException {
        given().contentType("application/json")
                .body(JsonSupport.write(graph("maximal", 256, 32)))
                .post("/v1/templates")
                .then()
                .statusCode(201)
                .body("step_count", equalTo(256))
                .body("template.steps[255].depends_on.size()", equalTo(32));

        given().contentType("application/json")
                .body(JsonSupport.write(graph("too_many_steps", 257, 32)))
                .post("/v1/templates")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body(
                        "errors",
                        contains(
                                "steps has 257 entries, at most 256 allowed"
                                        + " (tasker.templates.limits.max-steps)"));
        given().contentType("application/json")
                .body(JsonSupport.write(graph("too_many_deps", 40, 33)))
                .post("/v1/templates")
                .then()
                .statusCode(400)
                .body(
                        "errors",
                        hasItem(
                                "steps[33].depends_on has 33 entries, at most 32 allowed"
                                        + " (tasker.templates.limits.max-dependencies-per-step)"));
        assertThat(
                        count(
                                "SELECT count(*) FROM tasker.named_tasks WHERE name IN"
                                        + " ('too_many_steps', 'too_many_deps')"))
                .isZero();
    }

    @Test
    void a_yaml_alias_bomb_answers_400_promptly() throws SQLException {
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
                        given().contentType("application/yaml")
                                .body(bomb)
                                .post("/v1/templates")
                                .then()
                                .statusCode(400)
                                .contentType("application/problem+json")
                                .body("code", equalTo("malformed_template"))
                                .body(
                                        "detail",
                                        containsString(
                                                "aliases (*a) are not supported in templates")));
        assertThat(count("SELECT count(*) FROM tasker.named_tasks WHERE name = 'laughs'")).isZero();
    }

    @Test
    void a_template_body_over_the_size_limit_is_a_413_problem() throws SQLException {
        String body = withSchema("oversized", "{\"description\": \"" + "x".repeat(600_000) + "\"}");

        given().contentType("application/json")
                .body(body)
                .post("/v1/templates")
                .then()
                .statusCode(413)
                .contentType("application/problem+json");
        assertThat(count("SELECT count(*) FROM tasker.named_tasks WHERE name = 'oversized'"))
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
                new StoredTemplate(
                        UUID.randomUUID(),
                        "hardening",
                        "off_loop_context",
                        "1.0.0",
                        "hash",
                        "strict",
                        JsonSupport.object().set("input_schema", schema),
                        "2026-01-01T00:00:00Z");

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

    /** A template of {@code steps} steps, step i depending on up to {@code deps} earlier ones. */
    private static ObjectNode graph(String name, int steps, int deps) {
        ObjectNode t = JsonSupport.object();
        t.put("namespace", "hardening");
        t.put("name", name);
        t.put("version", "1.0.0");
        ArrayNode list = t.putArray("steps");
        for (int i = 0; i < steps; i++) {
            ObjectNode step = list.addObject();
            step.put("name", "s" + i);
            step.put("handler", "examples.noop");
            ArrayNode dependsOn = step.putArray("depends_on");
            for (int d = Math.max(0, i - deps); d < i; d++) {
                dependsOn.add("s" + d);
            }
        }
        return t;
    }

    private static String task(String name, String context) {
        return "{\"namespace\": \"hardening\", \"name\": \""
                + name
                + "\", \"context\": "
                + context
                + "}";
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = DatabaseResource.database.connect();
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
