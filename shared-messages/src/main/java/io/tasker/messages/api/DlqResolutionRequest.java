package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code PATCH /v1/dlq/{entry_uuid}}: the new resolution status and, optionally, notes.
 * Setting it back to pending clears resolved_at. The entry's {@code resolved_by} is the
 * authenticated caller; a {@code resolved_by} in the body is optional and only recorded in the
 * notes, never as who.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(requiredProperties = {"resolution_status"})
public record DlqResolutionRequest(
        @JsonProperty("resolution_status") DlqResolutionStatus resolutionStatus,
        @JsonProperty("resolved_by")
                @Schema(
                        description =
                                "Optional: on whose behalf the caller acts (recorded in the"
                                        + " notes).")
                String resolvedBy,
        @JsonProperty("resolution_notes") String resolutionNotes) {}
