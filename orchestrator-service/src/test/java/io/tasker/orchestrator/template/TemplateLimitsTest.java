package io.tasker.orchestrator.template;

import static io.tasker.orchestrator.template.Templates.DEFAULTS;
import static io.tasker.orchestrator.template.Templates.RETRY;
import static io.tasker.orchestrator.template.Templates.graph;
import static io.tasker.orchestrator.template.Templates.limits;
import static io.tasker.orchestrator.template.Templates.validator;
import static io.tasker.orchestrator.template.Templates.versionDigitsProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.rest.ApiException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every template limit at its edge: the limit itself passes, one more fails with the problem. */
class TemplateLimitsTest {

    private final TemplateValidator validator = validator(RETRY, DEFAULTS);

    private List<String> problems(JsonNode template) {
        return validator.validate(template).problems();
    }

    @Test
    void the_largest_template_the_limits_allow_is_valid() {
        ObjectNode maximal = graph(DEFAULTS.maxSteps(), DEFAULTS.maxDependenciesPerStep());

        assertThat(problems(maximal)).isEmpty();
        assertThat(maximal.path("steps").get(255).path("depends_on")).hasSize(32);
    }

    @Test
    void one_step_more_than_the_limit_is_refused_with_the_count() {
        assertThat(problems(graph(257, 1)))
                .containsExactly(
                        "steps has 257 entries, at most 256 allowed"
                                + " (tasker.templates.limits.max-steps)");
    }

    @Test
    void one_dependency_more_than_the_limit_is_refused_naming_the_step() {
        assertThat(problems(graph(34, 33)))
                .containsExactly(
                        "steps[33].depends_on has 33 entries, at most 32 allowed"
                                + " (tasker.templates.limits.max-dependencies-per-step)");
    }

    @Test
    void a_cycle_through_every_step_is_found() {
        ObjectNode t = graph(DEFAULTS.maxSteps(), 1);
        ((ArrayNode) t.path("steps").get(0).path("depends_on")).add("s255");

        assertThat(problems(t))
                .singleElement()
                .asString()
                .startsWith("dependency cycle: s0 -> s1 -> s2 -> ")
                .endsWith("s254 -> s255 -> s0");
    }

    @Test
    void names_at_their_length_limit_pass_and_one_character_more_fails() {
        ObjectNode atLimit = graph(1, 0);
        atLimit.put("namespace", "n" + "x".repeat(28));
        atLimit.put("name", "n" + "x".repeat(62));
        ((ObjectNode) atLimit.path("steps").get(0)).put("name", "s" + "x".repeat(62));
        ((ObjectNode) atLimit.path("steps").get(0)).put("handler", "h." + "x".repeat(126));
        assertThat(problems(atLimit)).isEmpty();

        ObjectNode over = graph(1, 0);
        over.put("namespace", "n" + "x".repeat(29));
        over.put("name", "n" + "x".repeat(63));
        ((ObjectNode) over.path("steps").get(0)).put("name", "s" + "x".repeat(63));
        ((ObjectNode) over.path("steps").get(0)).put("handler", "h." + "x".repeat(127));
        assertThat(problems(over))
                .containsExactlyInAnyOrder(
                        "namespace 'n"
                                + "x".repeat(29)
                                + "' is 30 characters, at most 29 allowed"
                                + " (tasker.templates.limits.max-namespace-length)",
                        "name 'n"
                                + "x".repeat(63)
                                + "' is 64 characters, at most 63 allowed"
                                + " (tasker.templates.limits.max-name-length)",
                        "steps[0].name 's"
                                + "x".repeat(63)
                                + "' is 64 characters, at most 63 allowed"
                                + " (tasker.templates.limits.max-step-name-length)",
                        "steps[0].handler 'h."
                                + "x".repeat(78)
                                + "...' is 129 characters, at most 128 allowed"
                                + " (tasker.templates.limits.max-handler-name-length)");
    }

    @Test
    void a_configured_name_limit_above_the_storage_ceiling_has_no_effect() {
        TemplateValidator lenient = validator(RETRY, limits(256, 32, 100, 100, 100, 128, 12));
        ObjectNode t = graph(1, 0);
        t.put("namespace", "n" + "x".repeat(29));
        t.put("version", "1.1234567890.0");

        assertThat(lenient.validate(t).problems())
                .containsExactlyInAnyOrder(
                        "namespace 'n"
                                + "x".repeat(29)
                                + "' is 30 characters, at most 29 allowed"
                                + " (tasker.templates.limits.max-namespace-length)",
                        versionDigitsProblem("1.1234567890.0", 9));
    }

    @Test
    void a_version_component_of_nine_digits_passes_and_ten_fails() {
        ObjectNode largest = graph(1, 0);
        largest.put("version", "999999999.999999999.999999999");
        assertThat(problems(largest)).isEmpty();

        ObjectNode huge = graph(1, 0);
        huge.put("version", "1.99999999999.0");
        assertThat(problems(huge)).containsExactly(versionDigitsProblem("1.99999999999.0", 9));
    }

    @Test
    void a_version_with_more_or_fewer_than_three_components_is_refused() {
        ObjectNode four = graph(1, 0);
        four.put("version", "1.0.0.0");
        ObjectNode two = graph(1, 0);
        two.put("version", "1.0");

        assertThat(problems(four)).singleElement().asString().contains("MAJOR.MINOR.PATCH");
        assertThat(problems(two)).singleElement().asString().contains("MAJOR.MINOR.PATCH");
    }

    @Test
    void an_input_schema_at_its_size_limit_passes_and_one_byte_more_fails() {
        ObjectNode t = graph(1, 0);
        ObjectNode schema = t.putObject("input_schema").put("type", "object");
        int overhead = JsonSupport.write(schema.deepCopy().put("description", "")).length();
        schema.put("description", "d".repeat(DEFAULTS.maxInputSchemaBytes() - overhead));
        assertThat(problems(t)).isEmpty();

        schema.put("description", "d".repeat(DEFAULTS.maxInputSchemaBytes() - overhead + 1));
        assertThat(problems(t))
                .containsExactly("input_schema is 65537 bytes as JSON, at most 65536 allowed");
    }

    @Test
    void a_pattern_at_its_length_limit_passes_and_one_character_more_fails() {
        ObjectNode t = graph(1, 0);
        ObjectNode schema = t.putObject("input_schema");
        schema.putObject("properties").putObject("code").put("pattern", "a".repeat(512));
        schema.putObject("patternProperties").putObject("b".repeat(512));
        assertThat(problems(t)).isEmpty();

        schema.with("properties").with("code").put("pattern", "a".repeat(513));
        schema.putObject("patternProperties").putObject("b".repeat(513));
        assertThat(problems(t))
                .containsExactlyInAnyOrder(
                        "input_schema: the regular expression at /properties/code/pattern is 513"
                                + " characters, at most 512 allowed",
                        "input_schema: the regular expression at /patternProperties is 513"
                                + " characters, at most 512 allowed");
    }

    @Test
    void references_leaving_the_schema_and_id_tricks_are_refused_naming_them() {
        ObjectNode t = graph(1, 0);
        t.set(
                "input_schema",
                JsonSupport.parse(
                        """
                        {"$schema": "http://json-schema.org/draft-04/schema#",
                         "properties": {
                           "a": {"$ref": "file:///etc/passwd"},
                           "b": {"$ref": "http://127.0.0.1:1/x"},
                           "c": {"$ref": "other.json#/x"},
                           "d": {"$dynamicRef": "https://example.com/s#meta"},
                           "e": {"$id": "https://example.com/e", "$ref": "#/$defs/x"},
                           "f": {"const": {"$ref": "file:///data-not-a-reference"}}
                         }}
                        """));

        assertThat(problems(t))
                .containsExactlyInAnyOrder(
                        "input_schema: $schema 'http://json-schema.org/draft-04/schema#' at"
                                + " /$schema is not allowed: input schemas are JSON Schema"
                                + " https://json-schema.org/draft/2020-12/schema",
                        "input_schema: $ref 'file:///etc/passwd' at /properties/a/$ref is not"
                                + " allowed: only references inside the schema (starting with #)"
                                + " and the 2020-12 meta-schemas are",
                        "input_schema: $ref 'http://127.0.0.1:1/x' at /properties/b/$ref is not"
                                + " allowed: only references inside the schema (starting with #)"
                                + " and the 2020-12 meta-schemas are",
                        "input_schema: $ref 'other.json#/x' at /properties/c/$ref is not"
                                + " allowed: only references inside the schema (starting with #)"
                                + " and the 2020-12 meta-schemas are",
                        "input_schema: $dynamicRef 'https://example.com/s#meta' at"
                                + " /properties/d/$dynamicRef is not allowed: only references"
                                + " inside the schema (starting with #) and the 2020-12"
                                + " meta-schemas are",
                        "input_schema: $id 'https://example.com/e' at /properties/e/$id is not"
                                + " allowed: the schema is identified by its template; use"
                                + " $anchor to name a subschema");
    }

    @Test
    void local_references_anchors_and_the_bundled_meta_schema_are_allowed() {
        ObjectNode t = graph(1, 0);
        t.set(
                "input_schema",
                JsonSupport.parse(
                        """
                        {"$schema": "https://json-schema.org/draft/2020-12/schema",
                         "$defs": {"id": {"$anchor": "ident", "type": "integer"}},
                         "properties": {
                           "a": {"$ref": "#/$defs/id"},
                           "b": {"$ref": "#ident"},
                           "c": {"$ref": "https://json-schema.org/draft/2020-12/schema"}
                         }}
                        """));

        assertThat(problems(t)).isEmpty();
    }

    @Test
    void the_schema_factory_itself_refuses_to_load_any_document_that_is_not_bundled() {
        InputSchemas.BundledOnlyLoader loader = new InputSchemas.BundledOnlyLoader();

        assertThatThrownBy(
                        () ->
                                loader.getSchema(
                                                com.networknt.schema.AbsoluteIri.of(
                                                        "file:///etc/passwd"))
                                        .getInputStream())
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("refused to load file:///etc/passwd");
        assertThatThrownBy(
                        () ->
                                loader.getSchema(
                                                com.networknt.schema.AbsoluteIri.of(
                                                        "classpath:application.properties"))
                                        .getInputStream())
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void a_catastrophic_pattern_stops_at_its_budget() {
        BudgetedRegularExpressions engine = new BudgetedRegularExpressions(Duration.ofMillis(50));
        // The JDK memoises simple nested quantifiers such as ^(a+)+$; a back-reference defeats
        // that and backtracks exponentially.
        var regex = engine.getRegularExpression("^((a+)+)\\2b$");

        assertThatThrownBy(() -> regex.matches("a".repeat(40)))
                .isInstanceOf(BudgetedRegularExpressions.PatternBudgetExceededException.class)
                .hasMessage("matching the pattern '^((a+)+)\\2b$' ran out of its time budget");
        assertThat(engine.getRegularExpression("^(a+)+$").matches("a".repeat(36) + "!")).isFalse();
        assertThat(engine.getRegularExpression("b").matches("abc")).isTrue();
    }

    private final TemplateDocuments documents = new TemplateDocuments(DEFAULTS);

    @Test
    void a_yaml_alias_is_refused_so_nothing_can_expand() {
        String bomb =
                """
                namespace: &a limits
                name: [*a, *a, *a, *a, *a, *a, *a, *a, *a]
                """;

        assertThatThrownBy(() -> documents.parse(bomb, true))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("aliases (*a) are not supported in templates");
    }

    @Test
    void yaml_nested_to_the_depth_limit_parses_and_one_level_more_fails() {
        String atLimit = "a: " + "[".repeat(63) + "1" + "]".repeat(63);
        assertThat(documents.parse(atLimit, true).path("a").isArray()).isTrue();

        String over = "a: " + "[".repeat(64) + "1" + "]".repeat(64);
        assertThatThrownBy(() -> documents.parse(over, true))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("nesting deeper than 64 levels");
    }

    @Test
    void a_body_at_the_size_limit_parses_and_one_byte_more_is_a_413() {
        String prefix = "{\"description\": \"";
        String suffix = "\"}";
        int room = DEFAULTS.maxTemplateBytes() - prefix.length() - suffix.length();
        // Two-byte characters count as two: the limit is in bytes, not characters.
        String atLimit = prefix + "é".repeat(room / 2) + "x".repeat(room % 2) + suffix;
        assertThat(documents.parse(atLimit, false).path("description").asText()).startsWith("é");

        assertThatThrownBy(() -> documents.parse(atLimit.replace("\"}", "x\"}"), true))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> {
                            assertThat(e.status()).isEqualTo(413);
                            assertThat(e.code()).isEqualTo("template_too_large");
                            assertThat(e.getMessage())
                                    .isEqualTo(
                                            "the template is 524289 bytes, at most 524288 allowed"
                                                    + " (tasker.templates.limits.max-template-bytes)");
                        });
    }
}
