package io.tasker.orchestrator.template;

import static io.tasker.orchestrator.template.Templates.DEFAULTS;
import static io.tasker.orchestrator.template.Templates.RETRY;
import static io.tasker.orchestrator.template.Templates.graph;
import static io.tasker.orchestrator.template.Templates.limits;
import static io.tasker.orchestrator.template.Templates.retry;
import static io.tasker.orchestrator.template.Templates.validator;
import static io.tasker.orchestrator.template.Templates.versionDigitsProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import io.tasker.messages.JsonSupport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The published template schema: its docs copy, its limits, and the reference templates. */
class TemplateSchemaTest {

    /** Tests run in the module directory. */
    private static final Path DOCS_COPY = Path.of("../docs/template.schema.json");

    private static final Path REFERENCE_TEMPLATES =
            Path.of("../worker-service/src/main/resources/tasker/templates");

    @Test
    void the_copy_in_docs_is_the_schema_the_orchestrator_validates_with() throws IOException {
        String resource;
        try (InputStream in = TemplateSchema.class.getResourceAsStream(TemplateSchema.RESOURCE)) {
            resource = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(Files.readString(DOCS_COPY))
                .as("docs/template.schema.json must be a copy of " + TemplateSchema.RESOURCE)
                .isEqualTo(resource);
    }

    @Test
    void the_published_schema_is_a_valid_2020_12_schema() {
        var metaSchema =
                JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                        .getSchema(SchemaLocation.of(SchemaId.V202012));

        assertThat(metaSchema.validate(TemplateSchema.published())).isEmpty();
    }

    @Test
    void with_the_default_configuration_the_effective_schema_is_the_published_one() {
        TemplateSchema schema = new TemplateSchema(DEFAULTS, RETRY);

        assertThat(JsonSupport.canonical(schema.effective()))
                .isEqualTo(JsonSupport.canonical(TemplateSchema.published()));
    }

    @Test
    void the_configured_limits_and_retry_defaults_are_written_into_the_schema() {
        var limits = limits(12, 3, 20, 100, 40, 64, 4);
        JsonNode schema =
                new TemplateSchema(limits, retry(7, "linear", 250, 9000, 0, 5)).effective();

        assertThat(schema.at("/properties/steps/maxItems").asInt()).isEqualTo(12);
        assertThat(schema.at("/$defs/step/properties/depends_on/maxItems").asInt()).isEqualTo(3);
        assertThat(schema.at("/properties/namespace/maxLength").asInt()).isEqualTo(20);
        // Above the ceiling of the database and the name rule, the ceiling stays.
        assertThat(schema.at("/properties/name/maxLength").asInt()).isEqualTo(63);
        assertThat(schema.at("/$defs/step/properties/name/maxLength").asInt()).isEqualTo(40);
        assertThat(schema.at("/$defs/step/properties/handler/maxLength").asInt()).isEqualTo(64);
        assertThat(schema.at("/properties/version/allOf/0/pattern").asText())
                .isEqualTo("^(?!.*[0-9]{5})");
        assertThat(schema.at("/properties/version/allOf/0/patternErrorMessage").asText())
                .contains("at most 4 digits");
        JsonNode retry = schema.at("/$defs/retry/properties");
        assertThat(retry.at("/max_attempts/default").asInt()).isEqualTo(7);
        assertThat(retry.at("/backoff/default").asText()).isEqualTo("linear");
        assertThat(retry.at("/backoff_base_ms/default").asLong()).isEqualTo(250);
        assertThat(retry.at("/max_backoff_ms/default").asLong()).isEqualTo(9000);
        assertThat(retry.at("/jitter_percent/default").asInt()).isZero();
        assertThat(schema.at("/$defs/step/properties/timeout_seconds/default").asInt())
                .isEqualTo(5);
    }

    @Test
    void configured_limits_are_what_validation_enforces() {
        var limits = limits(2, 1, 29, 63, 63, 128, 2);
        TemplateValidator validator =
                new TemplateValidator(new TemplateSchema(limits, RETRY), new InputSchemas(limits));

        assertThat(validator.validate(graph(2, 1)).problems()).isEmpty();
        assertThat(validator.validate(graph(3, 1)).problems())
                .containsExactly(
                        "steps has 3 entries, at most 2 allowed"
                                + " (tasker.templates.limits.max-steps)");
        assertThat(validator.validate(graph(2, 1).put("version", "10.0.100")).problems())
                .containsExactly(versionDigitsProblem("10.0.100", 2));
    }

    @Test
    void every_reference_template_is_valid_against_the_published_schema() throws IOException {
        var published =
                JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                        .getSchema(JsonSupport.MAPPER.readTree(Files.readString(DOCS_COPY)));
        TemplateDocuments documents = new TemplateDocuments(DEFAULTS);
        TemplateValidator validator = validator(RETRY, DEFAULTS);
        List<Path> files;
        try (Stream<Path> list = Files.list(REFERENCE_TEMPLATES)) {
            files = list.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }

        assertThat(files).hasSizeGreaterThanOrEqualTo(5);
        for (Path file : files) {
            JsonNode template = documents.parse(Files.readString(file), true);
            assertThat(published.validate(template)).as("%s against the schema", file).isEmpty();
            assertThat(validator.validate(template).problems()).as("%s", file).isEmpty();
        }
    }
}
