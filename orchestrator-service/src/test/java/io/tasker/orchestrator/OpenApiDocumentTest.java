package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.resteasy.reactive.RestResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The served OpenAPI document ({@code /q/openapi}, generated from the annotated resources and the
 * records of {@code io.tasker.messages.api}) and the JAX-RS resources agree: the resource methods
 * are found by scanning the orchestrator's classes (no list of endpoints is kept here) and compared
 * with the document's operations both ways, with their parameters, bodies and answers.
 */
@QuarkusTest
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class OpenApiDocumentTest {

    private static final String PROBLEM_REF = "#/components/schemas/Problem";
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String SCHEMAS = "#/components/schemas/";
    private static final Set<String> HTTP_METHODS =
            Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonNode doc;

    @BeforeEach
    void fetchDocument() throws IOException {
        String body =
                given().queryParam("format", "json")
                        .get("/q/openapi")
                        .then()
                        .statusCode(200)
                        .contentType(containsString("json"))
                        .extract()
                        .asString();
        doc = JSON.readTree(body);
    }

    @Test
    void document_has_the_title_version_and_tags() {
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        assertThat(doc.path("info").path("title").asText()).isEqualTo("Tasker orchestrator API");
        assertThat(doc.path("info").path("version").asText()).isEqualTo("0.1.0");
        List<String> tags = new ArrayList<>();
        doc.path("tags").forEach(t -> tags.add(t.path("name").asText()));
        assertThat(tags).contains("tasks", "templates", "steps", "queues", "workers", "dlq");
        for (Map.Entry<String, JsonNode> op : operations().entrySet()) {
            assertThat(
                            op.getValue().path("tags").isArray()
                                    && !op.getValue().path("tags").isEmpty())
                    .as("%s has a tag", op.getKey())
                    .isTrue();
            op.getValue()
                    .path("tags")
                    .forEach(
                            t ->
                                    assertThat(tags)
                                            .as("tag of %s", op.getKey())
                                            .contains(t.asText()));
        }
    }

    @Test
    void documented_endpoints_are_exactly_the_ones_the_resources_serve() throws Exception {
        Map<String, Method> served = ServedEndpoints.all();
        // The scan must find the resources; otherwise the comparison proves nothing.
        assertThat(served.keySet())
                .as("endpoints found by scanning io.tasker.orchestrator")
                .isNotEmpty()
                .anyMatch(e -> e.startsWith("POST /v1/"));
        assertThat(new TreeSet<>(operations().keySet()))
                .as("(method, path) pairs of /q/openapi vs. the JAX-RS resources")
                .isEqualTo(new TreeSet<>(served.keySet()));
    }

    @Test
    void every_operation_answers_a_schema_and_every_error_is_problem_json() {
        for (Map.Entry<String, JsonNode> op : operations().entrySet()) {
            String where = op.getKey();
            assertThat(op.getValue().path("operationId").asText())
                    .as("%s operationId", where)
                    .isNotBlank();
            JsonNode responses = op.getValue().path("responses");
            assertThat(responses.isObject() && !responses.isEmpty())
                    .as("%s responses", where)
                    .isTrue();
            boolean success = false;
            for (Map.Entry<String, JsonNode> r : responses.properties()) {
                String status = r.getKey();
                JsonNode response = resolve(r.getValue());
                assertThat(response.path("description").asText())
                        .as("%s %s description", where, status)
                        .isNotBlank();
                if (status.startsWith("2")) {
                    JsonNode content = response.path("content");
                    assertThat(fieldNames(content))
                            .as("%s %s media types", where, status)
                            .isNotEmpty();
                    for (Map.Entry<String, JsonNode> media : content.properties()) {
                        JsonNode schema = media.getValue().path("schema");
                        assertThat(schema.has("$ref") || schema.has("type"))
                                .as("%s %s %s has a schema", where, status, media.getKey())
                                .isTrue();
                        assertThat(resolve(schema).isObject()).isTrue();
                    }
                    success = true;
                } else if (status.startsWith("4") || status.startsWith("5")) {
                    JsonNode content = response.path("content");
                    assertThat(fieldNames(content))
                            .as("%s %s media types", where, status)
                            .containsExactly(PROBLEM_JSON);
                    assertThat(content.path(PROBLEM_JSON).path("schema").path("$ref").asText())
                            .as("%s %s schema", where, status)
                            .isEqualTo(PROBLEM_REF);
                }
            }
            assertThat(success).as("%s has a 2xx response", where).isTrue();
            assertThat(responses.has("500")).as("%s documents 500", where).isTrue();
        }
    }

    @Test
    void the_success_schema_is_the_record_the_resource_method_returns() throws Exception {
        Map<String, JsonNode> ops = operations();
        for (Map.Entry<String, Method> e : ServedEndpoints.all().entrySet()) {
            Class<?> body = answeredType(e.getValue().getGenericReturnType());
            if (body == null || !body.isRecord()) {
                continue;
            }
            JsonNode responses = ops.get(e.getKey()).path("responses");
            for (Map.Entry<String, JsonNode> r : responses.properties()) {
                if (r.getKey().startsWith("2")) {
                    assertThat(
                                    resolve(r.getValue())
                                            .path("content")
                                            .path("application/json")
                                            .path("schema")
                                            .path("$ref")
                                            .asText())
                            .as("%s %s schema", e.getKey(), r.getKey())
                            .isEqualTo(SCHEMAS + body.getSimpleName());
                }
            }
        }
    }

    @Test
    void record_schemas_have_the_records_wire_names() {
        int records = 0;
        for (Map.Entry<String, JsonNode> s : doc.path("components").path("schemas").properties()) {
            Class<?> type = apiType(s.getKey());
            if (type == null || !type.isRecord()) {
                continue;
            }
            records++;
            Set<String> wire = new TreeSet<>();
            addWireNames(type, wire);
            assertThat(new TreeSet<>(fieldNames(s.getValue().path("properties"))))
                    .as("properties of schema %s", s.getKey())
                    .isEqualTo(wire);
        }
        assertThat(records).as("record schemas in the document").isGreaterThan(10);
    }

    /** The JSON member names of a record; an {@code @JsonUnwrapped} member adds its own. */
    private static void addWireNames(Class<?> record, Set<String> wire) {
        for (RecordComponent c : record.getRecordComponents()) {
            if (c.getAccessor().isAnnotationPresent(JsonIgnore.class)) {
                continue;
            }
            if (c.getAccessor().isAnnotationPresent(JsonUnwrapped.class)) {
                addWireNames(c.getType(), wire);
                continue;
            }
            JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
            wire.add(p == null ? c.getName() : p.value());
        }
    }

    @Test
    void documented_status_codes_cover_the_known_errors() {
        Map<String, JsonNode> ops = operations();
        assertThat(fieldNames(ops.get("POST /v1/tasks").path("responses")))
                .contains("201", "400", "404", "409", "413", "415", "500", "503");
        assertThat(fieldNames(ops.get("POST /v1/templates").path("responses")))
                .contains("200", "201", "400", "409", "413", "415", "500");
        assertThat(fieldNames(ops.get("DELETE /v1/tasks/{task_uuid}").path("responses")))
                .contains("200", "400", "404", "409");
        assertThat(
                        fieldNames(
                                ops.get("PATCH /v1/tasks/{task_uuid}/workflow_steps/{step_uuid}")
                                        .path("responses")))
                .contains("200", "400", "404", "409", "413", "415");
        assertThat(fieldNames(ops.get("GET /v1/tasks/{task_uuid}").path("responses")))
                .contains("200", "400", "404");
        assertThat(fieldNames(ops.get("PATCH /v1/dlq/{entry_uuid}").path("responses")))
                .contains("200", "400", "404", "413", "415");
        JsonNode unavailable = resolve(ops.get("POST /v1/tasks").path("responses").path("503"));
        assertThat(fieldNames(unavailable.path("headers"))).contains("Retry-After");
    }

    @Test
    void every_parameter_of_a_resource_method_is_documented() throws Exception {
        Map<String, JsonNode> ops = operations();
        for (Map.Entry<String, Method> e : ServedEndpoints.all().entrySet()) {
            String path = e.getKey().substring(e.getKey().indexOf(' ') + 1);
            List<JsonNode> params = parameters(path, ops.get(e.getKey()));
            for (java.lang.reflect.Parameter p : e.getValue().getParameters()) {
                String in;
                String name;
                if (p.isAnnotationPresent(PathParam.class)) {
                    in = "path";
                    name = p.getAnnotation(PathParam.class).value();
                } else if (p.isAnnotationPresent(QueryParam.class)) {
                    in = "query";
                    name = p.getAnnotation(QueryParam.class).value();
                } else {
                    continue;
                }
                JsonNode documented =
                        params.stream()
                                .filter(x -> x.path("in").asText().equals(in))
                                .filter(x -> x.path("name").asText().equals(name))
                                .findFirst()
                                .orElse(null);
                assertThat(documented)
                        .as("%s documents %s parameter %s", e.getKey(), in, name)
                        .isNotNull();
                assertThat(documented.path("description").asText())
                        .as("%s %s description", e.getKey(), name)
                        .isNotBlank();
                if (in.equals("path")) {
                    assertThat(documented.path("required").asBoolean()).isTrue();
                }
                if (name.endsWith("_uuid")) {
                    assertThat(schemaOf(documented).path("format").asText())
                            .as("%s %s format", e.getKey(), name)
                            .isEqualTo("uuid");
                }
                if (name.startsWith("created_")) {
                    assertThat(schemaOf(documented).path("format").asText())
                            .as("%s %s format", e.getKey(), name)
                            .isEqualTo("date-time");
                }
            }
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(path);
            while (m.find()) {
                String name = m.group(1);
                assertThat(params)
                        .as("%s declares path parameter %s", e.getKey(), name)
                        .anyMatch(
                                x ->
                                        x.path("in").asText().equals("path")
                                                && x.path("name").asText().equals(name));
            }
        }
    }

    @Test
    void every_request_body_is_documented_with_a_schema() throws Exception {
        Map<String, JsonNode> ops = operations();
        for (Map.Entry<String, Method> e : ServedEndpoints.all().entrySet()) {
            JsonNode requestBody = ops.get(e.getKey()).path("requestBody");
            if (!takesBody(e.getValue())) {
                assertThat(requestBody.isMissingNode())
                        .as("%s has no body and documents none", e.getKey())
                        .isTrue();
                continue;
            }
            assertThat(requestBody.path("required").asBoolean())
                    .as("%s body required", e.getKey())
                    .isTrue();
            Set<String> consumed = new TreeSet<>(consumes(e.getValue()));
            assertThat(new TreeSet<>(fieldNames(requestBody.path("content"))))
                    .as("%s documented body media types are the @Consumes ones", e.getKey())
                    .isEqualTo(consumed);
            for (Map.Entry<String, JsonNode> media : requestBody.path("content").properties()) {
                JsonNode schema = media.getValue().path("schema");
                assertThat(schema.has("$ref") || schema.has("type"))
                        .as("%s %s body schema", e.getKey(), media.getKey())
                        .isTrue();
            }
        }
        assertThat(requestRef(ops.get("POST /v1/tasks"), "application/json"))
                .isEqualTo(SCHEMAS + "CreateTaskRequest");
        assertThat(
                        requestRef(
                                ops.get("PATCH /v1/tasks/{task_uuid}/workflow_steps/{step_uuid}"),
                                "application/json"))
                .isEqualTo(SCHEMAS + "StepActionRequest");
        assertThat(requestRef(ops.get("PATCH /v1/dlq/{entry_uuid}"), "application/json"))
                .isEqualTo(SCHEMAS + "DlqResolutionRequest");
    }

    @Test
    void problem_schema_has_the_rfc_9457_members() {
        JsonNode problem = schema("Problem");
        assertThat(fieldNames(problem.path("properties")))
                .contains(
                        "type",
                        "title",
                        "status",
                        "detail",
                        "instance",
                        "code",
                        "retryable",
                        "errors");
        assertThat(problem.path("properties").path("errors").path("type").asText())
                .isEqualTo("array");
        assertThat(problem.path("properties").path("status").path("type").asText())
                .isEqualTo("integer");
        assertThat(problem.path("properties").path("retryable").path("type").asText())
                .isEqualTo("boolean");
        assertThat(problem.path("additionalProperties").asBoolean(false))
                .as("extension members are allowed")
                .isTrue();
    }

    @Test
    void states_and_actions_are_documented_with_their_wire_values() {
        assertThat(enumValues(schema("TaskState")))
                .contains("pending", "steps_in_process", "complete", "resolved_manually");
        assertThat(enumValues(schema("StepState")))
                .contains("enqueued", "in_progress", "waiting_for_retry", "complete");
        assertThat(enumValues(schema("StepAction")))
                .containsExactlyInAnyOrder(
                        "reset_for_retry", "resolve_manually", "complete_manually");
        JsonNode create = schema("CreateTaskRequest");
        List<String> required = new ArrayList<>();
        create.path("required").forEach(r -> required.add(r.asText()));
        assertThat(required).contains("namespace", "name");
    }

    @Test
    void free_form_json_members_are_any_json_value_and_context_is_an_object() {
        assertThat(fieldNames(doc.path("components").path("schemas")))
                .as("Jackson's tree classes are not described as beans")
                .doesNotContain("JsonNode", "JsonNodeType", "ObjectNode");
        assertThat(fieldNames(schema("AnyJson"))).doesNotContain("type", "properties");
        assertThat(schema("Step").path("properties").path("results").path("$ref").asText())
                .isEqualTo(SCHEMAS + "AnyJson");
        assertThat(
                        schema("CreateTaskRequest")
                                .path("properties")
                                .path("context")
                                .path("type")
                                .asText())
                .isEqualTo("object");
    }

    @Test
    void every_reference_resolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).as("local reference").startsWith("#/");
            assertThat(pointer(ref).isMissingNode()).as("%s resolves", ref).isFalse();
        }
    }

    @Test
    void swagger_ui_is_served() {
        given().get("/q/swagger-ui")
                .then()
                .statusCode(200)
                .contentType(containsString("text/html"));
    }

    // ---------------------------------------------------------------------------------------

    /** "METHOD /path" of every operation in the document. */
    private Map<String, JsonNode> operations() {
        Map<String, JsonNode> out = new java.util.TreeMap<>();
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                if (HTTP_METHODS.contains(op.getKey())) {
                    out.put(op.getKey().toUpperCase() + " " + path.getKey(), op.getValue());
                }
            }
        }
        return out;
    }

    /** Path-level and operation-level parameters, references resolved. */
    private List<JsonNode> parameters(String path, JsonNode operation) {
        List<JsonNode> out = new ArrayList<>();
        doc.path("paths").path(path).path("parameters").forEach(p -> out.add(resolve(p)));
        operation.path("parameters").forEach(p -> out.add(resolve(p)));
        return out;
    }

    private JsonNode schemaOf(JsonNode parameter) {
        return resolve(parameter.path("schema"));
    }

    private static String requestRef(JsonNode operation, String mediaType) {
        return operation
                .path("requestBody")
                .path("content")
                .path(mediaType)
                .path("schema")
                .path("$ref")
                .asText("");
    }

    private JsonNode schema(String name) {
        JsonNode s = doc.path("components").path("schemas").path(name);
        assertThat(s.isObject()).as("components/schemas/%s", name).isTrue();
        return s;
    }

    private JsonNode resolve(JsonNode node) {
        JsonNode current = node;
        for (int i = 0; i < 10 && current.has("$ref"); i++) {
            current = pointer(current.get("$ref").asText());
            assertThat(current.isMissingNode()).as("%s resolves", node.get("$ref")).isFalse();
        }
        return current;
    }

    private JsonNode pointer(String ref) {
        return doc.at(ref.substring(1));
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                    refs.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), refs);
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, refs));
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static List<String> enumValues(JsonNode schema) {
        List<String> out = new ArrayList<>();
        schema.path("enum").forEach(v -> out.add(v.asText()));
        return out;
    }

    /** The class of io.tasker.messages(.api) a schema is named after, or null. */
    private static Class<?> apiType(String schemaName) {
        for (String pkg : List.of("io.tasker.messages.api.", "io.tasker.messages.")) {
            try {
                return Class.forName(
                        pkg + schemaName, false, OpenApiDocumentTest.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                // not in this package
            }
        }
        return null;
    }

    // --- what the JAX-RS resources serve, by scanning the orchestrator's classes -------------

    /** A parameter without a JAX-RS source annotation is the request body. */
    private static boolean takesBody(Method method) {
        for (java.lang.reflect.Parameter p : method.getParameters()) {
            boolean bound = false;
            for (Annotation a : p.getAnnotations()) {
                String pkg = a.annotationType().getPackageName();
                bound |=
                        pkg.equals("jakarta.ws.rs")
                                || pkg.equals("jakarta.ws.rs.core")
                                || pkg.startsWith("org.jboss.resteasy.reactive");
            }
            if (!bound) {
                return true;
            }
        }
        return false;
    }

    private static List<String> consumes(Method method) {
        Consumes c = method.getAnnotation(Consumes.class);
        if (c == null) {
            c = method.getDeclaringClass().getAnnotation(Consumes.class);
        }
        return c == null ? List.of() : List.of(c.value());
    }

    /** The body type of a resource method's answer: X of X, Uni<X>, Uni<RestResponse<X>>. */
    private static Class<?> answeredType(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            if (raw == Uni.class || raw == RestResponse.class) {
                return answeredType(p.getActualTypeArguments()[0]);
            }
            return raw;
        }
        return null;
    }
}
