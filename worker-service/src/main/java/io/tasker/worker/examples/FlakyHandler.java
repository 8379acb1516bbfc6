package io.tasker.worker.examples;

import io.tasker.messages.JsonSupport;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepHandler;
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
public class FlakyHandler implements StepHandler {

    public static final String NAME = "examples.flaky";
    static final long DEFAULT_FAILURES = 1;

    private final Map<UUID, Integer> invocations = new ConcurrentHashMap<>();

    public FlakyHandler() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StepResult handle(StepContext ctx) {
        long failures;
        long retryAfterSeconds;
        try {
            failures =
                    ExampleSupport.configLong(
                            ctx.config(), "failures", DEFAULT_FAILURES, 0, Integer.MAX_VALUE);
            retryAfterSeconds =
                    ExampleSupport.configLong(
                            ctx.config(), "retry_after_seconds", -1, 0, 31_536_000L);
        } catch (ExampleSupport.InvalidInput e) {
            return StepResult.permanentFailure(e.getMessage(), e.type());
        }
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
