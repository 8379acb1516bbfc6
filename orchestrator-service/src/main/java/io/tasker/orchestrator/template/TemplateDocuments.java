package io.tasker.orchestrator.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.rest.ApiException;
import java.util.List;

/** Reads template documents written in YAML or JSON. */
public final class TemplateDocuments {

    private static final ObjectMapper YAML = new YAMLMapper();

    private TemplateDocuments() {}

    /** Parses a body; YAML when the media type or file name says so, JSON otherwise. */
    public static JsonNode parse(String body, boolean yaml) {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest(
                    "malformed_template", "the request body is empty", List.of());
        }
        try {
            JsonNode node = yaml ? YAML.readTree(body) : JsonSupport.MAPPER.readTree(body);
            // YAML numbers come back as plain ints/longs; the JSON mapper's exact types are used
            // downstream.
            return yaml
                    ? JsonSupport.MAPPER.readTree(JsonSupport.MAPPER.writeValueAsString(node))
                    : node;
        } catch (NumberFormatException e) {
            throw io.tasker.orchestrator.rest.JsonBodies.numberBeyondRange();
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(
                    "malformed_template",
                    "the template is not valid "
                            + (yaml ? "YAML" : "JSON")
                            + ": "
                            + e.getOriginalMessage(),
                    List.of());
        }
    }

    public static boolean isYamlMediaType(String contentType) {
        return contentType != null && contentType.toLowerCase().contains("yaml");
    }
}
