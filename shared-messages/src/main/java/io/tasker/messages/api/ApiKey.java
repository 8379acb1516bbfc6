package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An API key as listed by {@code GET /v1/api-keys}: never the key itself, only its lookup prefix,
 * name, roles and namespace scope (null: every namespace) and its dates. A revoked key stays listed
 * with {@code revoked_at}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ApiKey(
        @JsonProperty("api_key_uuid") UUID apiKeyUuid,
        @JsonProperty("name") String name,
        @JsonProperty("prefix")
                @Schema(description = "The key's public lookup part: `tk_<prefix>_...`.")
                String prefix,
        @JsonProperty("roles")
                @Schema(
                        description =
                                "tasks.read, tasks.write, tasks.operate, templates.write, admin"
                                        + " (admin implies every other role).")
                List<String> roles,
        @JsonProperty("namespaces")
                @Schema(
                        description =
                                "The namespaces the key is limited to; null: every namespace.",
                        nullable = true)
                List<String> namespaces,
        @JsonProperty("created_by") String createdBy,
        @JsonProperty("created_at") @WireTimestamp OffsetDateTime createdAt,
        @JsonProperty("expires_at") @WireTimestamp OffsetDateTime expiresAt,
        @JsonProperty("last_used_at")
                @Schema(description = "Written at most once a minute.")
                @WireTimestamp
                OffsetDateTime lastUsedAt,
        @JsonProperty("revoked_at") @WireTimestamp OffsetDateTime revokedAt) {}
