package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.tasker.messages.JsonSupport;

/** The HTTP calls and answer checks that the API tests share. */
public final class ApiCalls {

    private ApiCalls() {}

    /** The client settings with YAML bodies sent as text, for a test that adds to them. */
    public static RestAssuredConfig yamlAsText() {
        return RestAssured.config()
                .encoderConfig(
                        EncoderConfig.encoderConfig()
                                .encodeContentTypeAs("application/yaml", ContentType.TEXT));
    }

    /** Lets REST Assured send YAML bodies (as text); called from a test's {@code @BeforeAll}. */
    public static void yamlIsText() {
        RestAssured.config = yamlAsText();
    }

    public static ValidatableResponse postJson(String path, String body) {
        return given().contentType("application/json").body(body).post(path).then();
    }

    public static ValidatableResponse postJson(String path, JsonNode body) {
        return postJson(path, JsonSupport.write(body));
    }

    public static ValidatableResponse patchJson(String path, String body) {
        return given().contentType("application/json").body(body).patch(path).then();
    }

    public static ValidatableResponse postYaml(String path, String body) {
        return given().contentType("application/yaml").body(body).post(path).then();
    }

    /** Registers a template that may be registered already (201 the first time, 200 after). */
    public static void registerTemplate(String json) {
        postJson("/v1/templates", json).statusCode(anyOf(equalTo(200), equalTo(201)));
    }

    public static void registerTemplate(JsonNode template) {
        registerTemplate(JsonSupport.write(template));
    }

    /** The body of a {@code GET} that must answer 200. */
    public static String getOk(String path) {
        return given().get(path).then().statusCode(200).extract().asString();
    }

    /** {@code POST /v1/tasks} of {"namespace": …, "name": …, "context": context}. */
    public static ValidatableResponse createTask(String namespace, String name, String context) {
        return postJson(
                "/v1/tasks",
                "{\"namespace\": \""
                        + namespace
                        + "\", \"name\": \""
                        + name
                        + "\", \"context\": "
                        + context
                        + "}");
    }

    /** The task's {@code status} as served, whatever the answer. */
    public static String taskStatus(String task) {
        return given().get("/v1/tasks/" + task).then().extract().path("status");
    }

    /** The answer is an {@code application/problem+json} of this status and code. */
    public static ValidatableResponse problem(
            ValidatableResponse response, int status, String code) {
        return response.statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("code", equalTo(code));
    }
}
