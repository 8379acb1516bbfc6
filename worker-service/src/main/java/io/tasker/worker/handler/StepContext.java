package io.tasker.worker.handler;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a handler gets: the task's input, the step's configuration, the attempt, and the results of
 * every ancestor step by name.
 */
public final class StepContext {

    private final UUID taskUuid;
    private final UUID stepUuid;
    private final UUID correlationId;
    private final String namespace;
    private final String taskName;
    private final String taskVersion;
    private final JsonNode context;
    private final String stepName;
    private final JsonNode config;
    private final JsonNode inputs;
    private final int attempt;
    private final int maxAttempts;
    private final List<String> parents;
    private final Map<String, JsonNode> dependencyResults;
    private final Runnable heartbeat;

    public StepContext(
            UUID taskUuid,
            UUID stepUuid,
            UUID correlationId,
            String namespace,
            String taskName,
            String taskVersion,
            JsonNode context,
            String stepName,
            JsonNode config,
            JsonNode inputs,
            int attempt,
            int maxAttempts,
            List<String> parents,
            Map<String, JsonNode> dependencyResults,
            Runnable heartbeat) {
        this.taskUuid = taskUuid;
        this.stepUuid = stepUuid;
        this.correlationId = correlationId;
        this.namespace = namespace;
        this.taskName = taskName;
        this.taskVersion = taskVersion;
        this.context = context;
        this.stepName = stepName;
        this.config = config;
        this.inputs = inputs;
        this.attempt = attempt;
        this.maxAttempts = maxAttempts;
        this.parents = List.copyOf(parents);
        this.dependencyResults = Map.copyOf(dependencyResults);
        this.heartbeat = heartbeat;
    }

    public UUID taskUuid() {
        return taskUuid;
    }

    public UUID stepUuid() {
        return stepUuid;
    }

    public UUID correlationId() {
        return correlationId;
    }

    public String namespace() {
        return namespace;
    }

    public String taskName() {
        return taskName;
    }

    public String taskVersion() {
        return taskVersion;
    }

    /** The task's input, as posted. */
    public JsonNode context() {
        return context;
    }

    public String stepName() {
        return stepName;
    }

    /** The step's {@code config} from the template, as written there. */
    public JsonNode config() {
        return config;
    }

    public JsonNode inputs() {
        return inputs;
    }

    /** This attempt's number, from 1. */
    public int attempt() {
        return attempt;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** The names of the steps this step depends on directly. */
    public List<String> parents() {
        return parents;
    }

    /** Results of every ancestor step, by step name. */
    public Map<String, JsonNode> dependencyResults() {
        return dependencyResults;
    }

    /** The result of one ancestor step, or null. */
    public JsonNode dependencyResult(String stepName) {
        return dependencyResults.get(stepName);
    }

    /**
     * Extends this attempt's lease; call it from long handlers more often than the step timeout.
     */
    public void heartbeat() {
        heartbeat.run();
    }
}
