package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A registered template version with the stored template document (every default filled in): the
 * answer of {@code GET /v1/templates/{namespace}/{name}/{version}}. On the wire the summary's
 * members stand beside {@code template}, in one object.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Template(
        @JsonUnwrapped TemplateSummary summary, @JsonProperty("template") JsonNode document) {}
