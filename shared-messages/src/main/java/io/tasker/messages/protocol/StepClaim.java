package io.tasker.messages.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The answer of {@code tasker.claim_step}. {@code claimed}: every other field but {@code reason}
 * and {@code lease_expires_at} is set, and {@code claim_token} proves the claim to heartbeat and
 * report. {@code busy}: another attempt holds a live lease until {@code lease_expires_at}; leave
 * the message. {@code not_claimable}: {@code reason} says why; delete the message (or archive it as
 * poison when the reason is {@code unknown_step}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepClaim(
        @JsonProperty("status") ClaimStatus status,
        @JsonProperty("reason") @Nullable String reason,
        @JsonProperty("lease_expires_at") @Nullable String leaseExpiresAt,
        @JsonProperty("claim_token") @Nullable UUID claimToken,
        @JsonProperty("task_uuid") @Nullable UUID taskUuid,
        @JsonProperty("step_uuid") @Nullable UUID stepUuid,
        @JsonProperty("correlation_id") @Nullable UUID correlationId,
        @JsonProperty("namespace") @Nullable String namespace,
        @JsonProperty("task_name") @Nullable String taskName,
        @JsonProperty("task_version") @Nullable String taskVersion,
        @JsonProperty("context") @Nullable JsonNode context,
        @JsonProperty("step_name") @Nullable String stepName,
        @JsonProperty("handler") @Nullable String handler,
        @JsonProperty("config") @Nullable JsonNode config,
        @JsonProperty("inputs") @Nullable JsonNode inputs,
        @JsonProperty("attempt") @Nullable Integer attempt,
        @JsonProperty("max_attempts") @Nullable Integer maxAttempts,
        @JsonProperty("timeout_seconds") @Nullable Integer timeoutSeconds,
        @JsonProperty("lease_seconds") @Nullable Integer leaseSeconds,
        @JsonProperty("parents") @Nullable List<String> parents,
        @JsonProperty("dependency_results") @Nullable Map<String, JsonNode> dependencyResults) {

    public boolean claimed() {
        return status == ClaimStatus.CLAIMED;
    }

    /**
     * The handler's view of a claimed step; {@code deadline} (may be null) is when the attempt
     * times out.
     */
    public StepContext context(Instant deadline) {
        if (!claimed()) {
            throw new IllegalStateException("a " + status.wire() + " claim has no step context");
        }
        return new StepContext(
                taskUuid,
                stepUuid,
                correlationId,
                namespace,
                taskName,
                taskVersion,
                context,
                stepName,
                config,
                inputs,
                attempt,
                maxAttempts,
                parents,
                dependencyResults,
                deadline == null ? null : deadline.toString());
    }
}
