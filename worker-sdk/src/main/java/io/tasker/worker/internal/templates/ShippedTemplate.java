package io.tasker.worker.internal.templates;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One template file found under {@code tasker/templates/} on the classpath: where it came from, its
 * text as written, and the fields the worker checks before sending it (the orchestrator validates
 * the rest).
 *
 * @param source where the file was found, for messages
 * @param body the file's text, sent as is
 * @param json true for a {@code .json} file, false for YAML
 * @param document the parsed file
 */
public record ShippedTemplate(String source, String body, boolean json, JsonNode document) {

    /** A step of the template and the handler it names. */
    /** A step, the handler it names and the namespace whose workers run it. */
    public record StepHandlerName(String step, String handler, String namespace) {}

    public String namespace() {
        return document.path("namespace").asText("");
    }

    public String name() {
        return document.path("name").asText("");
    }

    public String version() {
        return document.path("version").asText("");
    }

    /** {@code namespace/name@version}, as messages name a template. */
    public String label() {
        return namespace() + "/" + name() + "@" + version();
    }

    /** Every step with the handler it names, in the file's order. */
    public List<StepHandlerName> steps() {
        List<StepHandlerName> out = new ArrayList<>();
        for (JsonNode step : document.path("steps")) {
            out.add(
                    new StepHandlerName(
                            step.path("name").asText(""),
                            step.path("handler").asText(""),
                            step.path("namespace").asText(namespace())));
        }
        return out;
    }
}
