package io.tasker.worker.examples;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.Handler;
import io.tasker.worker.StepContext;
import io.tasker.worker.StepHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * {@code examples.sleep}: sleeps {@code config.ms} milliseconds (default 100), heartbeating every
 * {@code config.heartbeat_ms} (default 1000); an interrupt ends it with {@link
 * InterruptedException}. Result {@code {"slept_ms": ms, "attempt": n}}. A handler written as a
 * class.
 */
@ApplicationScoped
@StepHandler(SleepHandler.NAME)
public class SleepHandler implements Handler {

    public static final String NAME = "examples.sleep";
    static final long DEFAULT_MS = 100;
    static final long DEFAULT_HEARTBEAT_MS = 1000;
    private static final long MAX_MS = 86_400_000L;

    @Override
    public ObjectNode handle(StepContext ctx) throws InterruptedException {
        long ms = ExampleSupport.configLong(ctx.config(), "ms", DEFAULT_MS, 0, MAX_MS);
        long heartbeatMs =
                ExampleSupport.configLong(
                        ctx.config(), "heartbeat_ms", DEFAULT_HEARTBEAT_MS, 1, MAX_MS);
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
        return JsonSupport.object().put("slept_ms", ms).put("attempt", ctx.attempt());
    }
}
