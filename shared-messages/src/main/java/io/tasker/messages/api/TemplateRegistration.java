package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The answer of {@code POST /v1/templates}: the stored version, and whether this call registered it
 * (false when identical content already was).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TemplateRegistration(
        @JsonProperty("named_task_uuid") UUID namedTaskUuid,
        @JsonProperty("namespace") String namespace,
        @JsonProperty("name") String name,
        @JsonProperty("version") String version,
        @JsonProperty("description") String description,
        @JsonProperty("identity_strategy")
                @Schema(enumeration = {"strict", "caller_provided", "always_unique"})
                String identityStrategy,
        @JsonProperty("content_hash") String contentHash,
        @JsonProperty("created_at") @WireTimestamp OffsetDateTime createdAt,
        @JsonProperty("step_count") int stepCount,
        @JsonProperty("template") JsonNode template,
        @JsonProperty("created") boolean created) {

    public static TemplateRegistration of(Template t, boolean created) {
        return new TemplateRegistration(
                t.namedTaskUuid(),
                t.namespace(),
                t.name(),
                t.version(),
                t.description(),
                t.identityStrategy(),
                t.contentHash(),
                t.createdAt(),
                t.stepCount(),
                t.template(),
                created);
    }
}
