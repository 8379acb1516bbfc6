package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /v1/api-keys}: a name (unique among the keys not revoked), at least one
 * role, optionally the namespaces the key is limited to (left out: every namespace) and an expiry.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(requiredProperties = {"name", "roles"})
public record CreateApiKeyRequest(
        @JsonProperty("name")
                @Schema(description = "1 to 100 characters; recorded as the actor `key:<name>`.")
                String name,
        @JsonProperty("roles")
                @Schema(
                        description =
                                "tasks.read, tasks.write, tasks.operate, templates.write, admin.")
                List<String> roles,
        @JsonProperty("namespaces") List<String> namespaces,
        @JsonProperty("expires_at") @WireTimestamp OffsetDateTime expiresAt) {}
