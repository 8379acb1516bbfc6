package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static io.tasker.orchestrator.ApiCalls.postJson;
import static io.tasker.orchestrator.ApiCalls.problem;
import static io.tasker.orchestrator.template.Templates.graph;
import static io.tasker.orchestrator.template.Templates.versionDigitsProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tasker.messages.JsonSupport;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/templates/schema} serves the template schema with the configured limits and
 * defaults, and registration enforces exactly those values.
 */
@QuarkusTest
@TestProfile(TemplateSchemaApiTest.SmallTemplates.class)
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class TemplateSchemaApiTest {

    /** Limits and defaults unlike the documented ones, so the served values prove their source. */
    public static class SmallTemplates extends ConfigProfile {}

    @Test
    void the_schema_is_served_with_the_configured_limits_and_defaults() {
        String body =
                given().accept("application/schema+json")
                        .get("/v1/templates/schema")
                        .then()
                        .statusCode(200)
                        .contentType(startsWith("application/schema+json"))
                        .extract()
                        .asString();
        JsonNode schema = JsonSupport.parse(body);

        assertThat(schema.path("$schema").asText())
                .isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.at("/properties/steps/maxItems").asInt()).isEqualTo(3);
        assertThat(schema.at("/$defs/step/properties/depends_on/maxItems").asInt()).isEqualTo(2);
        assertThat(schema.at("/$defs/step/properties/handler/maxLength").asInt()).isEqualTo(40);
        assertThat(schema.at("/properties/namespace/maxLength").asInt()).isEqualTo(29);
        assertThat(schema.at("/properties/version/allOf/0/pattern").asText())
                .isEqualTo("^(?!.*[0-9]{4})");
        assertThat(schema.at("/$defs/retry/properties/max_attempts/default").asInt()).isEqualTo(4);
        assertThat(schema.at("/$defs/step/properties/timeout_seconds/default").asInt())
                .isEqualTo(12);
    }

    @Test
    void plain_json_is_served_too() {
        given().accept("application/json")
                .get("/v1/templates/schema")
                .then()
                .statusCode(200)
                .contentType(startsWith("application/json"))
                .body("properties.steps.maxItems", equalTo(3));
    }

    @Test
    void registration_enforces_the_served_limits_and_fills_the_served_defaults() {
        problem(
                        postJson("/v1/templates", template("four_steps", "1.0.0", 4)),
                        400,
                        "invalid_template")
                .body(
                        "errors",
                        contains(
                                "steps has 4 entries, at most 3 allowed"
                                        + " (tasker.templates.limits.max-steps)"));
        postJson("/v1/templates", template("long_version", "1.1000.0", 1))
                .statusCode(400)
                .body("errors", contains(versionDigitsProblem("1.1000.0", 3)));
        assertThat(
                        Sql.count(
                                "SELECT count(*) FROM tasker.named_tasks WHERE name IN"
                                        + " ('four_steps', 'long_version')"))
                .isZero();

        postJson("/v1/templates", template("three_steps", "999.0.0", 3))
                .statusCode(201)
                .body("template.steps[2].retry.max_attempts", equalTo(4))
                .body("template.steps[2].timeout_seconds", equalTo(12));
    }

    /** A template {@code name} of this version with {@code steps} independent steps. */
    private static ObjectNode template(String name, String version, int steps) {
        return graph("schema_api", name, steps, 0).put("version", version);
    }
}
