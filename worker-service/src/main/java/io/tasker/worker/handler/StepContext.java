package io.tasker.worker.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a handler gets: the task's input, the step's configuration, the attempt, the results of
 * every ancestor step by name and the deadline, read from the protocol's {@link
 * io.tasker.messages.protocol.StepContext}, plus the heartbeat that extends the attempt's lease.
 */
public final class StepContext {

    private final io.tasker.messages.protocol.StepContext data;
    private final Runnable heartbeat;

    public StepContext(io.tasker.messages.protocol.StepContext data, Runnable heartbeat) {
        this.data = data;
        this.heartbeat = heartbeat;
    }

    /** The context as the protocol writes it. */
    public io.tasker.messages.protocol.StepContext data() {
        return data;
    }

    public UUID taskUuid() {
        return data.taskUuid();
    }

    public UUID stepUuid() {
        return data.stepUuid();
    }

    public UUID correlationId() {
        return data.correlationId();
    }

    public String namespace() {
        return data.namespace();
    }

    public String taskName() {
        return data.taskName();
    }

    public String taskVersion() {
        return data.taskVersion();
    }

    /** The task's input, as posted. */
    public JsonNode context() {
        return present(data.context());
    }

    public String stepName() {
        return data.stepName();
    }

    /** The step's {@code config} from the template, as written there. */
    public JsonNode config() {
        return present(data.config());
    }

    public JsonNode inputs() {
        return present(data.inputs());
    }

    /** This attempt's number, from 1. */
    public int attempt() {
        return data.attempt();
    }

    public int maxAttempts() {
        return data.maxAttempts();
    }

    /** The names of the steps this step depends on directly. */
    public List<String> parents() {
        return data.parents();
    }

    /** Results of every ancestor step, by step name. */
    public Map<String, JsonNode> dependencyResults() {
        return data.dependencyResults();
    }

    /** The result of one ancestor step, or null. */
    public JsonNode dependencyResult(String stepName) {
        return data.dependencyResults().get(stepName);
    }

    /**
     * When this attempt times out (the handler's start plus the step's timeout), or null when the
     * context was built outside a worker run.
     */
    public Instant deadline() {
        return data.deadline() == null ? null : Instant.parse(data.deadline());
    }

    /**
     * Extends this attempt's lease; call it from long handlers more often than the step timeout.
     */
    public void heartbeat() {
        heartbeat.run();
    }

    private static JsonNode present(JsonNode node) {
        return node == null ? MissingNode.getInstance() : node;
    }
}
