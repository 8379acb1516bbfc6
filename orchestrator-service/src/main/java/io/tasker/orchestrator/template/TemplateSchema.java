package io.tasker.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.config.OrchestratorConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The published JSON Schema of the template format ({@code template.schema.json}, also {@code
 * docs/template.schema.json}) with the configured limits and retry defaults written into it, and
 * the check of a template document against it.
 */
@Singleton
public class TemplateSchema {

    static final String RESOURCE = "template.schema.json";

    private static final String LIMITS = "tasker.templates.limits.";

    /** The namespace is part of queue and table names: {@code QueueNames.NAMESPACE}. */
    static final int NAMESPACE_LENGTH_CEILING = 29;

    /** Names and step names: the database CHECK allows 63 characters. */
    static final int NAME_LENGTH_CEILING = 63;

    /** Each version number must fit a 32-bit int wherever versions are compared: 9 digits do. */
    static final int VERSION_DIGITS_CEILING = 9;

    private final ObjectNode effective;
    private final JsonSchema compiled;

    /** The configuration key behind each limit, by the schema location of its keyword. */
    private final Map<String, String> limitKeys = new LinkedHashMap<>();

    @Inject
    public TemplateSchema(OrchestratorConfig config) {
        this(config.templates().limits(), config.retry());
    }

    public TemplateSchema(
            OrchestratorConfig.Templates.Limits limits, OrchestratorConfig.Retry defaults) {
        effective = published();
        limit("/properties/steps", "maxItems", limits.maxSteps(), "max-steps");
        limit(
                "/$defs/step/properties/depends_on",
                "maxItems",
                limits.maxDependenciesPerStep(),
                "max-dependencies-per-step");
        // A step's namespace follows the template namespace's rules.
        int namespaceLength = Math.min(limits.maxNamespaceLength(), NAMESPACE_LENGTH_CEILING);
        limit("/properties/namespace", "maxLength", namespaceLength, "max-namespace-length");
        limit(
                "/$defs/step/properties/namespace",
                "maxLength",
                namespaceLength,
                "max-namespace-length");
        limit(
                "/properties/name",
                "maxLength",
                Math.min(limits.maxNameLength(), NAME_LENGTH_CEILING),
                "max-name-length");
        limit(
                "/$defs/step/properties/name",
                "maxLength",
                Math.min(limits.maxStepNameLength(), NAME_LENGTH_CEILING),
                "max-step-name-length");
        limit(
                "/$defs/step/properties/handler",
                "maxLength",
                limits.maxHandlerNameLength(),
                "max-handler-name-length");
        int digits = Math.min(limits.maxVersionComponentDigits(), VERSION_DIGITS_CEILING);
        ObjectNode digitRule = (ObjectNode) effective.at("/properties/version/allOf/0");
        digitRule.put("pattern", "^(?!.*[0-9]{" + (digits + 1) + "})");
        digitRule.put(
                "patternErrorMessage",
                "may have at most " + digits + " digits in each of MAJOR, MINOR and PATCH");
        limitKeys.put(
                "/properties/version/allOf/0/pattern", LIMITS + "max-version-component-digits");

        ObjectNode retry = (ObjectNode) effective.at("/$defs/retry/properties");
        ((ObjectNode) retry.get("max_attempts")).put("default", defaults.maxAttempts());
        ((ObjectNode) retry.get("backoff")).put("default", defaults.backoff());
        ((ObjectNode) retry.get("backoff_base_ms")).put("default", defaults.backoffBaseMs());
        ((ObjectNode) retry.get("max_backoff_ms")).put("default", defaults.maxBackoffMs());
        ((ObjectNode) retry.get("jitter_percent")).put("default", defaults.jitterPercent());
        ((ObjectNode) effective.at("/$defs/step/properties/timeout_seconds"))
                .put("default", defaults.timeoutSeconds());

        compiled = compile(effective, limits);
    }

    /** The schema as published, with the documented defaults. */
    static ObjectNode published() {
        try (InputStream in = TemplateSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return (ObjectNode) JsonSupport.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema with this orchestrator's limits and defaults (a copy: callers may change it). */
    public ObjectNode effective() {
        return effective.deepCopy();
    }

    /** The {@code properties} of the object schema at a JSON pointer, to read defaults from. */
    JsonNode properties(String pointer) {
        return effective.at(pointer + "/properties");
    }

    /**
     * Every violation of the schema, each naming the path of the offending value. When there are
     * more steps than allowed, that is the only problem: the count is what is wrong.
     */
    public List<String> problems(JsonNode document) {
        List<String> problems = new ArrayList<>();
        for (ValidationMessage m : compiled.validate(document)) {
            String problem = SchemaProblems.describe(m, effective, limitKeys);
            if (m.getType().equals("maxItems") && m.getInstanceLocation().getNameCount() == 1) {
                return List.of(problem);
            }
            problems.add(problem);
        }
        return problems;
    }

    private void limit(String pointer, String keyword, int value, String key) {
        ((ObjectNode) effective.at(pointer)).put(keyword, value);
        limitKeys.put(pointer + "/" + keyword, LIMITS + key);
    }

    private static JsonSchema compile(ObjectNode schema, OrchestratorConfig.Templates.Limits l) {
        // The messages for editors are annotations to the library, not unknown keywords.
        JsonMetaSchema meta =
                JsonMetaSchema.builder(JsonMetaSchema.getV202012())
                        .keyword(new NonValidationKeyword("errorMessage"))
                        .keyword(new NonValidationKeyword("patternErrorMessage"))
                        .build();
        JsonSchemaFactory factory =
                JsonSchemaFactory.builder(
                                JsonSchemaFactory.getInstance(
                                        SpecVersion.VersionFlag.V202012,
                                        builder ->
                                                builder.schemaLoaders(
                                                        loaders ->
                                                                loaders.add(
                                                                        new InputSchemas
                                                                                .BundledOnlyLoader()))))
                        .metaSchema(meta)
                        .build();
        SchemaValidatorsConfig config =
                SchemaValidatorsConfig.builder()
                        .regularExpressionFactory(
                                new BudgetedRegularExpressions(l.patternMatchBudget()))
                        .build();
        return factory.getSchema(schema, config);
    }
}
