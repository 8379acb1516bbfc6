package io.tasker.worker.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.StepContext;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Step contexts for calling a handler directly in a unit test, shaped as the worker builds them
 * from a claim (see {@link HandlerTester} to call a handler by name).
 */
public final class StepContexts {

    private StepContexts() {}

    /**
     * The context of step {@code stepUuid} (attempt {@code attempt} of 3, no deadline) of a task
     * with input {@code context}: the step's {@code config}, its direct {@code parents} and the
     * {@code results} of its ancestors by step name.
     */
    public static StepContext of(
            UUID stepUuid,
            JsonNode context,
            JsonNode config,
            int attempt,
            List<String> parents,
            Map<String, JsonNode> results,
            Runnable heartbeat) {
        return new StepContext(
                new io.tasker.messages.protocol.StepContext(
                        UUID.randomUUID(),
                        stepUuid,
                        UUID.randomUUID(),
                        "tests",
                        "test_workflow",
                        "1.0.0",
                        context,
                        "step",
                        config,
                        JsonSupport.object(),
                        attempt,
                        3,
                        parents,
                        results,
                        null),
                heartbeat);
    }

    /** A root step's first attempt, given the task's input and the step's config. */
    public static StepContext root(JsonNode context, JsonNode config) {
        return of(UUID.randomUUID(), context, config, 1, List.of(), Map.of(), () -> {});
    }

    /** The first attempt of a step whose direct parents are the ancestors in {@code results}. */
    public static StepContext after(JsonNode context, Map<String, JsonNode> results) {
        return of(
                UUID.randomUUID(),
                context,
                JsonSupport.object(),
                1,
                List.copyOf(results.keySet()),
                results,
                () -> {});
    }
}
