package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code PATCH /v1/tasks/{task_uuid}/workflow_steps/{step_uuid}}: an operator's action
 * and why it is taken. {@code result} is required with complete_manually (any JSON, handed to the
 * dependent steps; a JSON null is a result too) and left out otherwise. Who takes the action is the
 * authenticated caller; an {@code actor} (or {@code resolved_by}) in the body is optional and only
 * recorded in the reason, never as who (docs/decisions/014-actor-and-namespace-scopes.md).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(requiredProperties = {"action", "reason"})
public record StepActionRequest(
        @JsonProperty("action") StepAction action,
        @JsonProperty("actor")
                @Schema(
                        description =
                                "Optional: on whose behalf the caller acts. Recorded in the"
                                        + " reason; the actor of the transition is the"
                                        + " authenticated caller.")
                String actor,
        @JsonProperty("reason") String reason,
        @JsonProperty("result")
                @Schema(
                        description =
                                "Required with complete_manually: the step result (any JSON)"
                                        + " handed to dependent steps.")
                JsonNode result) {

    public static StepActionRequest resetForRetry(String actor, String reason) {
        return new StepActionRequest(StepAction.RESET_FOR_RETRY, actor, reason, null);
    }

    public static StepActionRequest resolveManually(String actor, String reason) {
        return new StepActionRequest(StepAction.RESOLVE_MANUALLY, actor, reason, null);
    }

    public static StepActionRequest completeManually(String actor, String reason, JsonNode result) {
        return new StepActionRequest(
                StepAction.COMPLETE_MANUALLY,
                actor,
                reason,
                result == null
                        ? com.fasterxml.jackson.databind.node.NullNode.getInstance()
                        : result);
    }
}
