package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Every registered template version (of one namespace when filtered), by namespace, name, version.
 */
public record TemplateList(
        @JsonProperty("templates") List<TemplateSummary> templates,
        @JsonProperty("count") int count) {

    public static TemplateList of(List<TemplateSummary> templates) {
        return new TemplateList(templates, templates.size());
    }
}
