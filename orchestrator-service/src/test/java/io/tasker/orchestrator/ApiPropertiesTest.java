package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.rest.JsonTrees;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Property-based API tests: random and mutated JSON (random trees, NULs, huge numbers, deep
 * nesting, wrong types, valid requests with one mutation) against every write endpoint. Whatever
 * comes in: never a 5xx, every error is problem+json with {@code status} and {@code code}, and
 * after every 4xx no row of any {@code tasker.*} or {@code pgmq.*} table has changed.
 *
 * <p>The inputs come from jqwik arbitraries sampled inside the running Quarkus test application
 * (jqwik's engine cannot start one); a failure quotes the exact request, which reproduces it.
 */
@QuarkusTest
@TestProfile(ApiPropertiesTest.Quiet.class)
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class ApiPropertiesTest {

    static final int TRIES = 40;
    static final JsonNodeFactory NODES = JsonSupport.MAPPER.getNodeFactory();

    /** No background work, so that the only writes are the requests' own. */
    public static class Quiet extends ConfigProfile {}

    private static final String TEMPLATE =
            """
            {"namespace": "prop", "name": "order", "version": "1.0.0",
             "input_schema": {"type": "object", "required": ["order_id"],
                              "properties": {"order_id": {"type": "integer", "minimum": 1}}},
             "steps": [{"name": "a", "handler": "examples.noop"},
                       {"name": "b", "handler": "examples.noop", "depends_on": ["a"]}]}
            """;

    private String taskUuid;
    private String stepUuid;
    private String dlqUuid;

    @BeforeAll
    static void clientSettings() {
        RestAssured.config =
                ApiCalls.yamlAsText()
                        .httpClient(
                                HttpClientConfig.httpClientConfig()
                                        .setParam("http.socket.timeout", 30_000));
    }

    @BeforeEach
    void fixtures() {
        ApiCalls.registerTemplate(TEMPLATE);
        int orderId = 1 + Math.abs(UUID.randomUUID().hashCode() % 1_000_000);
        Response task =
                ApiCalls.createTask("prop", "order", "{\"order_id\": " + orderId + "}")
                        .extract()
                        .response();
        assertThat(task.statusCode()).isEqualTo(201);
        taskUuid = task.path("task_uuid");
        stepUuid = task.path("steps[1].workflow_step_uuid");
        dlqUuid = UUID.randomUUID().toString();
        Sql.count(
                "WITH d AS (INSERT INTO tasker.tasks_dlq (dlq_entry_uuid, task_uuid, original_state,"
                        + " reason, snapshot) VALUES ('"
                        + dlqUuid
                        + "', '"
                        + taskUuid
                        + "', 'steps_in_process', 'test', '{}') RETURNING 1) SELECT count(*) FROM d");
    }

    @Test
    void creating_tasks_from_random_and_mutated_bodies_never_fails_the_server() {
        JsonNode valid =
                JsonSupport.parse(
                        """
                        {"namespace": "prop", "name": "order", "context": {"order_id": 5},
                         "reason": "test", "tags": ["a"]}
                        """);
        check(bodies(valid), body -> json(body).post("/v1/tasks"));
    }

    @Test
    void cancelling_with_random_ids_and_query_parameters_never_fails_the_server() {
        Arbitrary<String> id =
                Arbitraries.oneOf(
                        Arbitraries.just(taskUuid),
                        Arbitraries.just(UUID.randomUUID().toString()),
                        text());
        Arbitrary<Map<String, String>> query =
                Arbitraries.maps(Arbitraries.of("reason", "actor", "force", "x"), text())
                        .ofMaxSize(3);
        Arbitrary<Call> calls =
                Combinators.combine(id, query)
                        .as(
                                (i, q) ->
                                        new Call(
                                                "DELETE /v1/tasks/" + i + " " + q,
                                                () ->
                                                        given().queryParams(q)
                                                                .delete("/v1/tasks/{id}", i)));
        run(calls);
    }

    @Test
    void operating_on_a_step_with_random_and_mutated_bodies_never_fails_the_server() {
        JsonNode valid =
                JsonSupport.parse(
                        """
                        {"action": "complete_manually", "actor": "ops", "reason": "test",
                         "result": {"ok": true}}
                        """);
        check(
                bodies(valid),
                body ->
                        json(body)
                                .patch(
                                        "/v1/tasks/{task}/workflow_steps/{step}",
                                        taskUuid,
                                        stepUuid));
    }

    @Test
    void registering_random_and_mutated_templates_never_fails_the_server() {
        JsonNode valid = JsonSupport.parse(TEMPLATE.replace("\"order\"", "\"generated\""));
        check(bodies(valid), body -> json(body).post("/v1/templates"));
        Arbitrary<Call> yaml =
                Combinators.combine(text(), Arbitraries.of("namespace", "name", "version", "steps"))
                        .as(
                                (t, key) -> {
                                    String doc =
                                            "namespace: prop\nname: yamlgen\nversion: 1.0.0\n"
                                                    + "steps:\n  - { name: a, handler: examples.noop }\n"
                                                    + key
                                                    + ": "
                                                    + JsonSupport.write(NODES.textNode(t))
                                                    + "\n";
                                    return new Call(
                                            "POST /v1/templates (yaml) " + doc,
                                            () ->
                                                    ApiCalls.postYaml("/v1/templates", doc)
                                                            .extract()
                                                            .response());
                                });
        run(yaml);
    }

    @Test
    void resolving_dlq_entries_with_random_and_mutated_bodies_never_fails_the_server() {
        JsonNode valid =
                JsonSupport.parse(
                        """
                        {"resolution_status": "manually_resolved", "resolved_by": "ops",
                         "resolution_notes": "looked at it"}
                        """);
        Arbitrary<String> entry =
                Arbitraries.oneOf(
                        Arbitraries.just(dlqUuid), Arbitraries.just(UUID.randomUUID().toString()));
        Arbitrary<Call> calls =
                Combinators.combine(bodies(valid), entry)
                        .as(
                                (body, id) ->
                                        new Call(
                                                "PATCH /v1/dlq/" + id + " " + body,
                                                () -> json(body).patch("/v1/dlq/{id}", id)));
        run(calls);
    }

    // --- the property ----------------------------------------------------------------------------

    private record Call(String description, java.util.function.Supplier<Response> send) {}

    private static void check(Arbitrary<String> bodies, Function<String, Response> send) {
        run(bodies.map(b -> new Call(b, () -> send.apply(b))));
    }

    private static void run(Arbitrary<Call> calls) {
        List<Call> sample = calls.sampleStream().limit(TRIES).toList();
        int refused = 0;
        for (Call call : sample) {
            Map<String, String> before = Sql.fingerprint();
            Response r = call.send().get();
            String shown = abbreviate(call.description());
            assertThat(r.statusCode()).as("status of %s: %s", shown, r.asString()).isLessThan(500);
            if (r.statusCode() >= 400) {
                refused++;
                assertThat(r.contentType())
                        .as("content type of %s", shown)
                        .startsWith("application/problem+json");
                assertThat(r.<Integer>path("status"))
                        .as("status field of %s", shown)
                        .isEqualTo(r.statusCode());
                assertThat(r.<String>path("code")).as("code of %s", shown).isNotBlank();
                assertThat(Sql.fingerprint())
                        .as("rows after %s -> %s", shown, r.asString())
                        .isEqualTo(before);
            }
        }
        // The generators are meant to produce mostly bad input; a sample of only successes would
        // prove nothing.
        assertThat(refused).isGreaterThan(TRIES / 3);
    }

    private static RequestSpecification json(String body) {
        return given().contentType("application/json").body(body);
    }

    private static String abbreviate(String s) {
        String escaped = s.replace("\u0000", "\\u0000");
        return escaped.length() > 600
                ? escaped.substring(0, 600) + "…(" + s.length() + " chars)"
                : escaped;
    }

    // --- generators ------------------------------------------------------------------------------

    /** Bodies: the valid one, the valid one with one mutation, random trees, broken text. */
    private static Arbitrary<String> bodies(JsonNode valid) {
        Arbitrary<String> mutated =
                Combinators.combine(
                                Arbitraries.integers().between(0, 1000),
                                hostileValue(),
                                Arbitraries.of(0, 1, 2))
                        .as(
                                (where, value, how) ->
                                        JsonSupport.write(
                                                mutate(valid.deepCopy(), where, value, how)));
        Arbitrary<String> broken =
                Combinators.combine(
                                mutated,
                                Arbitraries.integers().between(0, 10_000),
                                Arbitraries.of(
                                        "{",
                                        "]",
                                        "\"",
                                        ",",
                                        "\\u0000",
                                        "\\ud800",
                                        "1e",
                                        "nul",
                                        "\u0000",
                                        "0.5e-2147483648",
                                        "1e2147483648",
                                        "NaN",
                                        "-Infinity"))
                        .as(
                                (b, at, junk) -> {
                                    int i = Math.min(at, b.length());
                                    return b.substring(0, i) + junk + b.substring(i);
                                });
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just(JsonSupport.write(valid))),
                net.jqwik.api.Tuple.of(6, mutated),
                net.jqwik.api.Tuple.of(2, randomTree(3).map(JsonSupport::write)),
                net.jqwik.api.Tuple.of(2, broken));
    }

    /**
     * Replaces (how 0), removes (1) or adds beside (2) the where-th node of the document, counted
     * depth first, with the hostile value.
     */
    private static JsonNode mutate(JsonNode doc, int where, JsonNode value, int how) {
        List<JsonNode[]> parents = new ArrayList<>();
        List<Object> slots = new ArrayList<>();
        collect(doc, parents, slots);
        if (slots.isEmpty()) {
            return value;
        }
        int i = where % slots.size();
        JsonNode parent = parents.get(i)[0];
        Object slot = slots.get(i);
        if (parent instanceof ObjectNode o) {
            String key = (String) slot;
            switch (how) {
                case 0 -> o.set(key, value);
                case 1 -> o.remove(key);
                default -> o.set(key + "_extra", value);
            }
        } else if (parent instanceof ArrayNode a) {
            int index = (Integer) slot;
            switch (how) {
                case 0 -> a.set(index, value);
                case 1 -> a.remove(index);
                default -> a.add(value);
            }
        }
        return doc;
    }

    private static void collect(JsonNode node, List<JsonNode[]> parents, List<Object> slots) {
        if (node.isObject()) {
            List<String> keys = new ArrayList<>();
            node.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                parents.add(new JsonNode[] {node});
                slots.add(k);
                collect(node.get(k), parents, slots);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                parents.add(new JsonNode[] {node});
                slots.add(i);
                collect(node.get(i), parents, slots);
            }
        }
    }

    /** Values that break something: NULs, huge numbers, deep nesting, wrong types, random trees. */
    private static Arbitrary<JsonNode> hostileValue() {
        return Arbitraries.oneOf(
                text().map(NODES::textNode),
                Arbitraries.of(
                                "1e999999999",
                                "-1e-999999999",
                                "1E+1001",
                                "5e-2147483647",
                                "12345678901234567890123")
                        .map(n -> NODES.numberNode(new BigDecimal(n))),
                Arbitraries.strings()
                        .numeric()
                        .ofMinLength(1)
                        .ofMaxLength(2000)
                        .map(d -> NODES.numberNode(new BigInteger(d))),
                Arbitraries.integers().between(1, 40).map(ApiPropertiesTest::deep),
                Arbitraries.of(
                        NODES.nullNode(),
                        NODES.booleanNode(true),
                        NODES.numberNode(-1),
                        NODES.numberNode(new BigDecimal("2.5")),
                        NODES.arrayNode(),
                        NODES.objectNode(),
                        NODES.textNode(""),
                        NODES.textNode("complete_manually"),
                        NODES.textNode("reset_for_retry"),
                        NODES.textNode("9.9.9")),
                randomTree(3));
    }

    private static JsonNode deep(int levels) {
        JsonNode node = NODES.textNode("bottom");
        for (int i = 0; i < levels; i++) {
            node = i % 2 == 0 ? NODES.arrayNode().add(node) : NODES.objectNode().set("d", node);
        }
        return node;
    }

    private static Arbitrary<String> text() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(20),
                Arbitraries.strings()
                        .withChars('\u0000', 'a', 'é', '\uD83D', '\uDE00', '/', '%', '\'')
                        .ofMaxLength(12),
                Arbitraries.of(
                        "", " ", "prop", "order", "1.0.0", "\u0000", "a\u0000b", "%00", "../.."));
    }

    private static Arbitrary<JsonNode> randomTree(int depth) {
        Arbitrary<JsonNode> scalar =
                Arbitraries.oneOf(
                        text().map(NODES::textNode),
                        Arbitraries.bigIntegers()
                                .between(
                                        BigInteger.valueOf(-1_000_000_000L),
                                        BigInteger.valueOf(1_000_000_000L))
                                .map(NODES::numberNode),
                        Arbitraries.of(true, false).map(NODES::booleanNode),
                        Arbitraries.just(NODES.nullNode()));
        return JsonTrees.trees(scalar, text(), depth, 1);
    }
}
