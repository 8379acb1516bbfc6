package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /v1/tasks}: which template, the context it is run with, and who asks.
 * Only namespace and name are required; version null means the highest registered version.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(requiredProperties = {"namespace", "name"})
public record CreateTaskRequest(
        @JsonProperty("namespace") String namespace,
        @JsonProperty("name") String name,
        @JsonProperty("version")
                @Schema(
                        pattern = "^[0-9]+\\.[0-9]+\\.[0-9]+$",
                        description = "Template version; the highest registered one when left out.")
                String version,
        @JsonProperty("context")
                @Schema(
                        implementation = java.util.Map.class,
                        description =
                                "Input of the task, validated against the template's input_schema"
                                        + " (an empty object when left out).")
                JsonNode context,
        @JsonProperty("idempotency_key")
                @Schema(
                        maxLength = 255,
                        description =
                                "Identity of the task instead of the context; required by"
                                        + " templates with the caller_provided identity strategy.")
                String idempotencyKey,
        @JsonProperty("priority") Integer priority,
        @JsonProperty("initiator") String initiator,
        @JsonProperty("source_system") String sourceSystem,
        @JsonProperty("reason") String reason,
        @JsonProperty("tags") List<String> tags,
        @JsonProperty("correlation_id") UUID correlationId) {

    /** A request for the template's latest version with the given context and nothing else. */
    public static CreateTaskRequest of(String namespace, String name, JsonNode context) {
        return new CreateTaskRequest(
                namespace, name, null, context, null, null, null, null, null, null, null);
    }
}
