package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tasker.orchestrator.dlq.DlqResource;
import io.tasker.orchestrator.queue.QueueResource;
import io.tasker.orchestrator.task.TaskResource;
import io.tasker.orchestrator.template.TemplateResource;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document ({@code META-INF/openapi.yaml}, served at {@code /q/openapi}) describes
 * every endpoint with schemas, every error as problem+json, and exactly the endpoints the JAX-RS
 * resources serve: a new endpoint without documentation fails here.
 */
@QuarkusTest
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class OpenApiDocumentTest {

    private static final String PROBLEM_REF = "#/components/schemas/Problem";
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final Set<String> HTTP_METHODS =
            Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    /** The endpoints of the API (issue and SPEC §7). */
    private static final Set<String> DOCUMENTED_ENDPOINTS =
            Set.of(
                    "POST /v1/tasks",
                    "GET /v1/tasks",
                    "GET /v1/tasks/{task_uuid}",
                    "DELETE /v1/tasks/{task_uuid}",
                    "GET /v1/tasks/{task_uuid}/workflow_steps",
                    "GET /v1/tasks/{task_uuid}/workflow_steps/{step_uuid}",
                    "PATCH /v1/tasks/{task_uuid}/workflow_steps/{step_uuid}",
                    "GET /v1/tasks/{task_uuid}/transitions",
                    "POST /v1/templates",
                    "GET /v1/templates",
                    "GET /v1/templates/{namespace}/{name}/{version}",
                    "GET /v1/queues",
                    "GET /v1/dlq",
                    "PATCH /v1/dlq/{entry_uuid}");

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
        assertThat(tags).contains("tasks", "templates", "steps", "queues", "dlq");
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
    void every_endpoint_of_the_api_is_documented() {
        assertThat(operations().keySet()).containsAll(DOCUMENTED_ENDPOINTS);
    }

    @Test
    void documented_endpoints_are_exactly_the_ones_the_resources_serve() throws Exception {
        Set<String> served = servedEndpoints();
        // The scan must at least see the resources we know of; otherwise it proves nothing.
        assertThat(served).containsAll(DOCUMENTED_ENDPOINTS);
        assertThat(new TreeSet<>(operations().keySet()))
                .as("(method, path) pairs of /q/openapi vs. the JAX-RS resources")
                .isEqualTo(new TreeSet<>(served));
    }

    @Test
    void every_operation_answers_a_json_schema_and_every_error_is_problem_json() {
        for (Map.Entry<String, JsonNode> op : operations().entrySet()) {
            String where = op.getKey();
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
                    String ref =
                            response.path("content")
                                    .path("application/json")
                                    .path("schema")
                                    .path("$ref")
                                    .asText("");
                    assertThat(ref)
                            .as("%s %s application/json schema $ref", where, status)
                            .startsWith("#/components/schemas/");
                    assertThat(resolve(JSON.createObjectNode().put("$ref", ref)).isObject())
                            .isTrue();
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
    void documented_status_codes_cover_the_known_errors() {
        Map<String, JsonNode> ops = operations();
        assertThat(fieldNames(ops.get("POST /v1/tasks").path("responses")))
                .contains("201", "400", "404", "409", "413", "500", "503");
        assertThat(fieldNames(ops.get("POST /v1/templates").path("responses")))
                .contains("200", "201", "400", "409", "413", "500");
        assertThat(fieldNames(ops.get("DELETE /v1/tasks/{task_uuid}").path("responses")))
                .contains("200", "400", "404", "409");
        assertThat(
                        fieldNames(
                                ops.get("PATCH /v1/tasks/{task_uuid}/workflow_steps/{step_uuid}")
                                        .path("responses")))
                .contains("200", "400", "404", "409");
        assertThat(fieldNames(ops.get("GET /v1/tasks/{task_uuid}").path("responses")))
                .contains("200", "400", "404");
        assertThat(fieldNames(ops.get("PATCH /v1/dlq/{entry_uuid}").path("responses")))
                .contains("200", "400", "404");
    }

    @Test
    void every_path_parameter_is_declared_and_uuids_and_times_have_formats() {
        for (Map.Entry<String, JsonNode> op : operations().entrySet()) {
            String path = op.getKey().substring(op.getKey().indexOf(' ') + 1);
            List<JsonNode> params = parameters(path, op.getValue());
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(path);
            while (m.find()) {
                String name = m.group(1);
                JsonNode p =
                        params.stream()
                                .filter(x -> x.path("in").asText().equals("path"))
                                .filter(x -> x.path("name").asText().equals(name))
                                .findFirst()
                                .orElse(null);
                assertThat(p).as("%s declares path parameter %s", op.getKey(), name).isNotNull();
                assertThat(p.path("required").asBoolean()).isTrue();
                if (name.endsWith("_uuid")) {
                    assertThat(schemaOf(p).path("format").asText())
                            .as("%s %s format", op.getKey(), name)
                            .isEqualTo("uuid");
                }
            }
            for (JsonNode p : params) {
                if (p.path("name").asText().startsWith("created_")) {
                    assertThat(schemaOf(p).path("format").asText())
                            .as("%s %s format", op.getKey(), p.path("name").asText())
                            .isEqualTo("date-time");
                }
            }
        }
        List<String> listFilters = new ArrayList<>();
        parameters("/v1/tasks", operations().get("GET /v1/tasks"))
                .forEach(p -> listFilters.add(p.path("name").asText()));
        assertThat(listFilters)
                .contains(
                        "namespace",
                        "name",
                        "status",
                        "created_after",
                        "created_before",
                        "limit",
                        "offset");
    }

    @Test
    void request_bodies_have_schemas() {
        Map<String, JsonNode> ops = operations();
        assertThat(requestRef(ops.get("POST /v1/tasks"), "application/json"))
                .isEqualTo("#/components/schemas/CreateTaskRequest");
        assertThat(requestRef(ops.get("POST /v1/templates"), "application/json"))
                .isEqualTo("#/components/schemas/TemplateDocument");
        assertThat(requestRef(ops.get("POST /v1/templates"), "application/yaml"))
                .isEqualTo("#/components/schemas/TemplateDocument");
        assertThat(
                        requestRef(
                                ops.get("PATCH /v1/tasks/{task_uuid}/workflow_steps/{step_uuid}"),
                                "application/json"))
                .isEqualTo("#/components/schemas/StepActionRequest");
        assertThat(requestRef(ops.get("PATCH /v1/dlq/{entry_uuid}"), "application/json"))
                .isEqualTo("#/components/schemas/DlqResolution");
        for (Map.Entry<String, JsonNode> op : ops.entrySet()) {
            if (op.getKey().startsWith("POST ") || op.getKey().startsWith("PATCH ")) {
                assertThat(op.getValue().path("requestBody").path("required").asBoolean())
                        .as("%s body required", op.getKey())
                        .isTrue();
            }
        }
    }

    @Test
    void problem_schema_has_the_rfc_9457_members_and_the_tasker_extensions() {
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
                        "errors",
                        "existing_task_uuid");
        assertThat(problem.path("properties").path("errors").path("type").asText())
                .isEqualTo("array");
        assertThat(problem.path("properties").path("status").path("type").asText())
                .isEqualTo("integer");
        assertThat(problem.path("properties").path("retryable").path("type").asText())
                .isEqualTo("boolean");
    }

    @Test
    void create_task_request_requires_namespace_and_name_and_context_is_an_object() {
        JsonNode create = schema("CreateTaskRequest");
        List<String> required = new ArrayList<>();
        create.path("required").forEach(r -> required.add(r.asText()));
        assertThat(required).contains("namespace", "name");
        assertThat(create.path("properties").path("context").path("type").asText())
                .isEqualTo("object");
        assertThat(fieldNames(create.path("properties")))
                .contains(
                        "version",
                        "idempotency_key",
                        "priority",
                        "initiator",
                        "source_system",
                        "reason",
                        "tags",
                        "correlation_id");
    }

    @Test
    void response_schemas_describe_what_the_resources_return() {
        assertThat(fieldNames(schema("WorkflowStep").path("properties")))
                .contains("workflow_step_uuid", "status", "attempts", "results", "last_error")
                .contains("depends_on", "attempt_history");
        assertThat(fieldNames(schema("TaskList").path("properties")))
                .contains("tasks", "pagination");
        assertThat(fieldNames(schema("Pagination").path("properties")))
                .contains("limit", "offset", "count", "has_more");
        assertThat(fieldNames(schema("Transitions").path("properties")))
                .contains("task_transitions", "step_transitions");
        JsonNode action = schema("StepActionRequest").path("properties");
        List<String> actions = new ArrayList<>();
        action.path("action").path("enum").forEach(a -> actions.add(a.asText()));
        assertThat(actions)
                .containsExactlyInAnyOrder(
                        "reset_for_retry", "resolve_manually", "complete_manually");
        assertThat(fieldNames(action)).contains("actor", "reason", "result");
        for (String name :
                List.of(
                        "Task",
                        "TaskSummary",
                        "Template",
                        "TemplateList",
                        "QueueList",
                        "DlqEntry",
                        "DlqList",
                        "ExecutionSummary")) {
            assertThat(schema(name).isObject()).as("schema %s", name).isTrue();
        }
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

    // --- what the JAX-RS resources serve, by reflection ---------------------------------------

    /**
     * "METHOD /path" of every resource method of every {@code @Path} class of the orchestrator
     * (found on the class path next to the known resources).
     */
    private static Set<String> servedEndpoints() throws Exception {
        Set<Class<?>> resources = new java.util.LinkedHashSet<>();
        resources.addAll(
                List.of(
                        TaskResource.class,
                        TemplateResource.class,
                        QueueResource.class,
                        DlqResource.class));
        resources.addAll(resourceClassesOnClassPath());
        Set<String> out = new TreeSet<>();
        for (Class<?> resource : resources) {
            String base = resource.getAnnotation(Path.class).value();
            for (Method method : resourceMethods(resource)) {
                String verb = httpMethod(method);
                Path sub = method.getAnnotation(Path.class);
                assertThat(verb)
                        .as(
                                "%s.%s has @Path but no HTTP method (sub-resource locators are"
                                        + " not described by this test)",
                                resource.getSimpleName(), method.getName())
                        .isNotNull();
                out.add(verb + " " + join(base, sub == null ? "" : sub.value()));
            }
        }
        return out;
    }

    /** Public methods declared by the class or its superclasses with a JAX-RS annotation. */
    private static List<Method> resourceMethods(Class<?> resource) {
        List<Method> out = new ArrayList<>();
        for (Class<?> c = resource; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isSynthetic() || m.isBridge() || !Modifier.isPublic(m.getModifiers())) {
                    continue;
                }
                if (httpMethod(m) != null || m.isAnnotationPresent(Path.class)) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    private static String httpMethod(Method method) {
        for (Annotation a : method.getAnnotations()) {
            HttpMethod verb = a.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }

    /** Joins class and method paths and drops regular expressions from templates. */
    static String join(String base, String sub) {
        String joined = ("/" + base + "/" + sub).replaceAll("/+", "/");
        if (joined.length() > 1 && joined.endsWith("/")) {
            joined = joined.substring(0, joined.length() - 1);
        }
        return joined.replaceAll("\\{\\s*([A-Za-z0-9_.-]+)\\s*:[^}]*}", "{$1}");
    }

    /** Every concrete class under {@code io/tasker/orchestrator} annotated with {@code @Path}. */
    private static List<Class<?>> resourceClassesOnClassPath()
            throws IOException, URISyntaxException, ClassNotFoundException {
        ClassLoader loader = OpenApiDocumentTest.class.getClassLoader();
        String marker = TaskResource.class.getName().replace('.', '/') + ".class";
        URL url = loader.getResource(marker);
        assertThat(url).as("class file of TaskResource").isNotNull();
        assertThat(url.getProtocol())
                .as("main classes are a directory on the test class path: %s", url)
                .isEqualTo("file");
        java.nio.file.Path file = java.nio.file.Path.of(url.toURI());
        java.nio.file.Path dir = file;
        for (int i = 0; i < marker.split("/").length; i++) {
            dir = dir.getParent();
        }
        final java.nio.file.Path root = dir;
        java.nio.file.Path pkg = root.resolve("io/tasker/orchestrator");
        List<String> names;
        try (Stream<java.nio.file.Path> files = Files.walk(pkg)) {
            names =
                    files.map(f -> root.relativize(f).toString().replace('\\', '/'))
                            .filter(n -> n.endsWith(".class") && !n.contains("$"))
                            .map(
                                    n ->
                                            n.substring(0, n.length() - ".class".length())
                                                    .replace('/', '.'))
                            .toList();
        }
        List<Class<?>> out = new ArrayList<>();
        for (String name : names) {
            Class<?> c = Class.forName(name, false, loader);
            if (c.isAnnotationPresent(Path.class)
                    && !c.isInterface()
                    && !Modifier.isAbstract(c.getModifiers())) {
                out.add(c);
            }
        }
        return out;
    }
}
