package io.tasker.worker.examples;

import io.tasker.messages.JsonSupport;
import io.tasker.worker.handler.InvalidInputException;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepHandler;
import io.tasker.worker.handler.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * {@code examples.sleep}: sleeps {@code config.ms} milliseconds (default 100), heartbeating every
 * {@code config.heartbeat_ms} (default 1000); an interrupt ends it with {@link
 * InterruptedException}. Result {@code {"slept_ms": ms, "attempt": n}}.
 */
@ApplicationScoped
public class SleepHandler implements StepHandler {

    public static final String NAME = "examples.sleep";
    static final long DEFAULT_MS = 100;
    static final long DEFAULT_HEARTBEAT_MS = 1000;
    private static final long MAX_MS = 86_400_000L;

    public SleepHandler() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StepResult handle(StepContext ctx) throws InterruptedException {
        long ms;
        long heartbeatMs;
        try {
            ms = ExampleSupport.configLong(ctx.config(), "ms", DEFAULT_MS, 0, MAX_MS);
            heartbeatMs =
                    ExampleSupport.configLong(
                            ctx.config(), "heartbeat_ms", DEFAULT_HEARTBEAT_MS, 1, MAX_MS);
        } catch (InvalidInputException e) {
            return StepResult.permanentFailure(e.getMessage(), e.type());
        }
        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(ms);
        long nextBeat = start + TimeUnit.MILLISECONDS.toNanos(heartbeatMs);
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("examples.sleep interrupted");
            }
            long now = System.nanoTime();
            if (now - end >= 0) {
                break;
            }
            if (now - nextBeat >= 0) {
                ctx.heartbeat();
                nextBeat += TimeUnit.MILLISECONDS.toNanos(heartbeatMs);
                continue;
            }
            long wait = Math.min(end - now, nextBeat - now);
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        return StepResult.success(
                JsonSupport.object().put("slept_ms", ms).put("attempt", ctx.attempt()));
    }
}
