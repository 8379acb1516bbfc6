package io.tasker.worker;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.tasker.messages.JsonSupport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a handler gets: the task's input, the step's configuration, the attempt, the results of
 * every ancestor step by name and the deadline, read from the protocol's {@link
 * io.tasker.messages.protocol.StepContext}, plus the heartbeat that extends the attempt's lease and
 * the attempt's {@link Cancellation}.
 */
public final class StepContext {

    /** Binds JSON to the handler's own types; fields a type does not declare are ignored. */
    private static final ObjectMapper BINDER =
            JsonSupport.MAPPER
                    .copy()
                    .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final io.tasker.messages.protocol.StepContext data;
    private final Runnable heartbeat;
    private final Cancellation cancellation;

    /** A context outside a worker run (handler tests): it is never cancelled by the worker. */
    public StepContext(io.tasker.messages.protocol.StepContext data, Runnable heartbeat) {
        this(data, heartbeat, new Cancellation());
    }

    public StepContext(
            io.tasker.messages.protocol.StepContext data,
            Runnable heartbeat,
            Cancellation cancellation) {
        this.data = data;
        this.heartbeat = heartbeat;
        this.cancellation = cancellation;
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

    /**
     * The task's input bound to {@code type} with Jackson (fields the type does not declare are
     * ignored). Input that does not fit throws a {@link PermanentStepException} of type {@code
     * invalid_input}: the same input would never fit on a later attempt.
     */
    public <T> T input(Class<T> type) {
        return bind(context(), type, "the task's context", "invalid_input");
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
     * The result of ancestor step {@code stepName} bound to {@code type}. A step without a result
     * (not an ancestor, or it returned nothing) or a result that does not fit throws a {@link
     * PermanentStepException} of type {@code invalid_dependency_result}.
     */
    public <T> T dependency(String stepName, Class<T> type) {
        JsonNode result = dependencyResult(stepName);
        if (result == null || result.isNull()) {
            throw new PermanentStepException(
                    "step '" + stepName + "' has no result for this step to read",
                    "invalid_dependency_result");
        }
        return bind(
                result, type, "the result of step '" + stepName + "'", "invalid_dependency_result");
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

    /**
     * True once the attempt should stop: its timeout passed, its claim was lost (seen by a
     * heartbeat) or the worker is draining. A long handler checks it between units of work and
     * returns or throws soon after it flips; a timed-out handler's thread is also interrupted.
     */
    public boolean cancelled() {
        return cancellation.isCancelled();
    }

    /** The attempt's cancellation signal, with its reason once it is cancelled. */
    public Cancellation cancellation() {
        return cancellation;
    }

    private static <T> T bind(JsonNode node, Class<T> type, String what, String errorType) {
        if (type.isInstance(node)) {
            return type.cast(node);
        }
        try {
            return BINDER.treeToValue(node, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new PermanentStepException(
                    what
                            + " cannot be read as "
                            + type.getSimpleName()
                            + ": "
                            + firstLine(e.getMessage()),
                    errorType);
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }

    private static JsonNode present(JsonNode node) {
        return node == null ? MissingNode.getInstance() : node;
    }
}
