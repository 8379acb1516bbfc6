package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The answer of {@code POST /v1/templates}: the stored version, and whether this call registered it
 * (false when identical content already was). On the wire the members of the {@link Template} stand
 * beside {@code created}, in one object.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TemplateRegistration(
        @JsonUnwrapped TemplateSummary summary,
        @JsonProperty("template") JsonNode document,
        @JsonProperty("created") boolean created) {

    public TemplateRegistration(Template template, boolean created) {
        this(template.summary(), template.document(), created);
    }

    /** The stored version this registration is about. */
    @JsonIgnore
    public Template template() {
        return new Template(summary, document);
    }
}
