package io.tasker.worker.examples;

import io.tasker.messages.JsonSupport;
import io.tasker.worker.handler.CheckedInputHandler;
import io.tasker.worker.handler.InvalidInputException;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code examples.flaky}: fails retryably on its first {@code config.failures} invocations for a
 * step (default 1), with {@code config.retry_after_seconds} as the retry delay when set, then
 * succeeds with {@code {"attempts": attempt, "invocations": n}}. Invocations are counted per step
 * in this worker process, so an operator's reset (which restarts the attempt count) is followed by
 * a success.
 */
@ApplicationScoped
public class FlakyHandler extends CheckedInputHandler {

    public static final String NAME = "examples.flaky";
    static final long DEFAULT_FAILURES = 1;

    private final Map<UUID, Integer> invocations = new ConcurrentHashMap<>();

    public FlakyHandler() {
        super(NAME);
    }

    @Override
    protected StepResult run(StepContext ctx) throws InvalidInputException {
        long failures =
                ExampleSupport.configLong(
                        ctx.config(), "failures", DEFAULT_FAILURES, 0, Integer.MAX_VALUE);
        long retryAfterSeconds =
                ExampleSupport.configLong(ctx.config(), "retry_after_seconds", -1, 0, 31_536_000L);
        int attempt = ctx.attempt();
        int invocation = invocations.merge(ctx.stepUuid(), 1, Integer::sum);
        if (invocation <= failures) {
            return StepResult.retryableFailure(
                    "flaky failure on attempt " + attempt + " (invocation " + invocation + ")",
                    "flaky",
                    retryAfterSeconds < 0 ? null : Duration.ofSeconds(retryAfterSeconds));
        }
        return StepResult.success(
                JsonSupport.object().put("attempts", attempt).put("invocations", invocation));
    }
}
