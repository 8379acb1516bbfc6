package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A registered template version with the stored template document (every default filled in): the
 * answer of {@code GET /v1/templates/{namespace}/{name}/{version}}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Template(
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
        @JsonProperty("template") JsonNode template) {}
