package io.tasker.orchestrator.template;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.rest.ApiException;
import io.tasker.orchestrator.rest.JsonBodies;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;

/** Reads template documents written in YAML or JSON, within the template size limits. */
public final class TemplateDocuments {

    private final OrchestratorConfig.Templates.Limits limits;
    private final ObjectMapper yaml;

    public TemplateDocuments(OrchestratorConfig.Templates.Limits limits) {
        this.limits = limits;
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(limits.maxTemplateBytes());
        this.yaml = new YAMLMapper(YAMLFactory.builder().loaderOptions(options).build());
    }

    /**
     * Parses a body; YAML when the media type or file name says so, JSON otherwise. A body over the
     * size limit is a 413 without being parsed.
     */
    public JsonNode parse(String body, boolean isYaml) {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest(
                    "malformed_template", "the request body is empty", List.of());
        }
        long bytes = JsonSupport.utf8Length(body);
        if (bytes > limits.maxTemplateBytes()) {
            throw new ApiException(
                    413,
                    "template_too_large",
                    "Payload too large",
                    "the template is "
                            + bytes
                            + " bytes, at most "
                            + limits.maxTemplateBytes()
                            + " allowed (tasker.templates.limits.max-template-bytes)",
                    List.of(),
                    Map.of());
        }
        try {
            if (!isYaml) {
                return JsonSupport.MAPPER.readTree(body);
            }
            JsonNode node;
            try (JsonParser parser = new CheckedYamlParser(yaml.createParser(body))) {
                node = yaml.readTree(parser);
            }
            // YAML numbers come back as plain ints/longs; the JSON mapper's exact types are used
            // downstream.
            return JsonSupport.MAPPER.readTree(JsonSupport.MAPPER.writeValueAsString(node));
        } catch (NumberFormatException e) {
            throw JsonBodies.numberBeyondRange();
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(
                    "malformed_template",
                    "the template is not valid "
                            + (isYaml ? "YAML" : "JSON")
                            + ": "
                            + JsonBodies.clean(e.getOriginalMessage()),
                    List.of());
        } catch (IOException e) {
            throw new IllegalStateException("reading a template from a string failed", e);
        }
    }

    public static boolean isYamlMediaType(String contentType) {
        return contentType != null && contentType.toLowerCase().contains("yaml");
    }

    /**
     * Refuses aliases and deep nesting while the tree is built. Jackson hands an alias over as a
     * string holding the anchor's name, which would silently change the template; and SnakeYAML's
     * own nesting limit is not applied on the event stream Jackson reads.
     */
    private final class CheckedYamlParser extends JsonParserDelegate {
        private int depth;

        CheckedYamlParser(JsonParser yamlParser) {
            super(yamlParser);
        }

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken token = super.nextToken();
            if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                if (++depth > limits.maxYamlDepth()) {
                    throw new JsonParseException(
                            this,
                            "nesting deeper than "
                                    + limits.maxYamlDepth()
                                    + " levels (tasker.templates.limits.max-yaml-depth)");
                }
            } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                depth--;
            } else if (((YAMLParser) delegate).isCurrentAlias()) {
                throw new JsonParseException(
                        this,
                        "aliases (*"
                                + InputSchemas.shorten(delegate.getText())
                                + ") are not supported in templates; write the value out");
            }
            return token;
        }
    }
}
