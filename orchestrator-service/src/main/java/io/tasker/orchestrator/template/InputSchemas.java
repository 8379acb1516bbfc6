package io.tasker.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON Schema (2020-12) checks: of a template's input_schema, and of a task's context against it.
 */
@ApplicationScoped
public class InputSchemas {

    private final JsonSchemaFactory factory =
            JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private final Map<UUID, JsonSchema> compiled = new ConcurrentHashMap<>();
    private volatile JsonSchema metaSchema;

    /** What makes a schema invalid (checked against the 2020-12 meta-schema), or nothing. */
    public List<String> checkSchema(JsonNode schema) {
        List<String> problems = new ArrayList<>();
        try {
            for (ValidationMessage m : meta().validate(schema)) {
                problems.add(m.getMessage());
            }
            if (problems.isEmpty()) {
                factory.getSchema(schema);
            }
        } catch (RuntimeException e) {
            problems.add(String.valueOf(e.getMessage()));
        }
        return problems;
    }

    /** Every violation of the template's schema by the context, as readable messages. */
    public List<String> violations(UUID templateId, JsonNode schema, JsonNode context) {
        JsonSchema s = compiled.computeIfAbsent(templateId, id -> factory.getSchema(schema));
        Set<ValidationMessage> messages = s.validate(context);
        List<String> out = new ArrayList<>();
        for (ValidationMessage m : messages) {
            out.add(m.getMessage());
        }
        out.sort(String::compareTo);
        return out;
    }

    private JsonSchema meta() {
        JsonSchema m = metaSchema;
        if (m == null) {
            m = factory.getSchema(SchemaLocation.of(SchemaId.V202012));
            metaSchema = m;
        }
        return m;
    }
}
