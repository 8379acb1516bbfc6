package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code PATCH /v1/dlq/{entry_uuid}}: the new resolution status, who decided it and,
 * optionally, notes. Setting it back to pending clears resolved_at.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(requiredProperties = {"resolution_status", "resolved_by"})
public record DlqResolutionRequest(
        @JsonProperty("resolution_status") DlqResolutionStatus resolutionStatus,
        @JsonProperty("resolved_by") String resolvedBy,
        @JsonProperty("resolution_notes") String resolutionNotes) {}
