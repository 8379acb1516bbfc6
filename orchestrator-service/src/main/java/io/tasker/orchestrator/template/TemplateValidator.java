package io.tasker.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.config.OrchestratorConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a template document and returns it normalised (every default filled in), or the full list
 * of what is wrong with it: first the violations of the template schema, then what a schema cannot
 * say (the input_schema's own limits, the retry delays' order, the step graph).
 */
public final class TemplateValidator {

    private static final String STEP = "/$defs/step";
    private static final String RETRY = "/$defs/retry";
    private static final String LIFECYCLE = "/properties/lifecycle";

    private final TemplateSchema schema;
    private final InputSchemas schemas;

    public TemplateValidator(
            OrchestratorConfig.Retry defaults,
            OrchestratorConfig.Templates.Limits limits,
            InputSchemas schemas) {
        this(new TemplateSchema(limits, defaults), schemas);
    }

    public TemplateValidator(TemplateSchema schema, InputSchemas schemas) {
        this.schema = schema;
        this.schemas = schemas;
    }

    /** The outcome: a normalised template, or the problems found. */
    public record Result(ObjectNode template, List<String> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    public Result validate(JsonNode doc) {
        List<String> problems = new ArrayList<>(schema.problems(doc));
        if (doc == null || !doc.isObject() || tooManySteps(doc)) {
            return new Result(null, problems);
        }
        JsonNode inputSchema = doc.get("input_schema");
        if (inputSchema != null && inputSchema.isObject()) {
            problems.addAll(schemas.checkSchema(inputSchema));
        }
        wholeNumbers(doc.path("lifecycle"), LIFECYCLE, "lifecycle", problems);
        JsonNode steps = doc.path("steps");
        for (int i = 0; steps.isArray() && i < steps.size(); i++) {
            String path = "steps[" + i + "]";
            wholeNumbers(steps.get(i), STEP, path, problems);
            wholeNumbers(steps.get(i).path("retry"), RETRY, path + ".retry", problems);
            if (steps.get(i).path("retry").has("max_backoff_ms")
                    && delay(retry(steps.get(i)), "max_backoff_ms")
                            < delay(retry(steps.get(i)), "backoff_base_ms")) {
                problems.add(path + ".retry.max_backoff_ms must not be below backoff_base_ms");
            }
        }
        problems.addAll(TemplateGraph.problems(steps));
        return new Result(problems.isEmpty() ? normalised(doc) : null, problems);
    }

    /** A delay of a retry policy; one the schema refused does not count as below another. */
    private static double delay(JsonNode retry, String key) {
        JsonNode value = retry.path(key);
        return value.isNumber() ? value.doubleValue() : Double.NaN;
    }

    /**
     * JSON Schema counts 5.0 as an integer; a template must write counts and times as integers
     * (they are read back as SQL integers).
     */
    private void wholeNumbers(JsonNode object, String pointer, String path, List<String> problems) {
        JsonNode properties = schema.properties(pointer);
        object.fields()
                .forEachRemaining(
                        field -> {
                            JsonNode value = field.getValue();
                            JsonNode property = properties.path(field.getKey());
                            if (property.path("type").toString().contains("\"integer\"")
                                    && value.isNumber()
                                    && !value.isIntegralNumber()
                                    && value.canConvertToExactIntegral()) {
                                problems.add(
                                        path
                                                + "."
                                                + field.getKey()
                                                + " "
                                                + value
                                                + " "
                                                + SchemaProblems.typeRule(property));
                            }
                        });
    }

    private boolean tooManySteps(JsonNode doc) {
        JsonNode steps = doc.path("steps");
        return steps.isArray()
                && steps.size() > schema.properties("").path("steps").path("maxItems").asInt();
    }

    /** The valid document with every default of the effective schema filled in. */
    private ObjectNode normalised(JsonNode doc) {
        ObjectNode out =
                filled(
                        doc,
                        "",
                        "namespace",
                        "name",
                        "version",
                        "description",
                        "identity_strategy",
                        "input_schema");
        out.set(
                "lifecycle",
                filled(
                        doc.path("lifecycle"),
                        LIFECYCLE,
                        "max_duration_minutes",
                        "max_waiting_minutes"));
        ArrayNode steps = out.putArray("steps");
        for (JsonNode step : doc.get("steps")) {
            ObjectNode n =
                    filled(
                            step,
                            STEP,
                            "name",
                            "handler",
                            "namespace",
                            "config",
                            "inputs",
                            "depends_on");
            ObjectNode retry = retry(step);
            // A base delay above the default ceiling raises the ceiling rather than being cut.
            if (retry.get("max_backoff_ms").asLong() < retry.get("backoff_base_ms").asLong()) {
                retry.set("max_backoff_ms", retry.get("backoff_base_ms"));
            }
            n.set("retry", retry);
            n.set("timeout_seconds", filled(step, STEP, "timeout_seconds").get("timeout_seconds"));
            steps.add(n);
        }
        return out;
    }

    /** A step's retry policy as written, with the defaults for what it leaves out. */
    private ObjectNode retry(JsonNode step) {
        return filled(
                step.path("retry"),
                RETRY,
                "retryable",
                "max_attempts",
                "backoff",
                "backoff_base_ms",
                "max_backoff_ms",
                "jitter_percent");
    }

    /**
     * The given keys of an object, in that order, each as written or else the schema's {@code
     * default} for it; a key with neither is left out.
     */
    private ObjectNode filled(JsonNode instance, String schemaPointer, String... keys) {
        JsonNode properties = schema.properties(schemaPointer);
        ObjectNode out = JsonSupport.object();
        for (String key : keys) {
            JsonNode value = instance.path(key);
            if (value.isMissingNode() || value.isNull()) {
                value = properties.path(key).path("default");
            }
            if (!value.isMissingNode()) {
                out.set(key, value.deepCopy());
            }
        }
        return out;
    }
}
