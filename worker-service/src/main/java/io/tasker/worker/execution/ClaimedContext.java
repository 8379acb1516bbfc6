package io.tasker.worker.execution;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.queue.QueueMessage;
import io.tasker.worker.handler.StepContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Reading a step message and a claim's answer into what a handler is given. */
final class ClaimedContext {

    private ClaimedContext() {}

    /** The handler's view of a claimed step; {@code heartbeat} extends the claim's lease. */
    static StepContext of(JsonNode claim, Runnable heartbeat) {
        Map<String, JsonNode> deps = new HashMap<>();
        claim.path("dependency_results")
                .fields()
                .forEachRemaining(e -> deps.put(e.getKey(), e.getValue()));
        List<String> parents = new ArrayList<>();
        claim.path("parents").forEach(p -> parents.add(p.asText()));
        return new StepContext(
                UUID.fromString(claim.get("task_uuid").asText()),
                UUID.fromString(claim.get("step_uuid").asText()),
                UUID.fromString(claim.get("correlation_id").asText()),
                claim.path("namespace").asText(),
                claim.path("task_name").asText(),
                claim.path("task_version").asText(),
                claim.path("context"),
                claim.path("step_name").asText(),
                claim.path("config"),
                claim.path("inputs"),
                claim.path("attempt").asInt(),
                claim.path("max_attempts").asInt(),
                parents,
                deps,
                heartbeat);
    }

    /** The step a message names, or null when it names none (a poison message). */
    static UUID stepUuid(QueueMessage message) {
        try {
            Object v = message.message() == null ? null : message.message().getValue("step_uuid");
            return v instanceof String s ? UUID.fromString(s) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
