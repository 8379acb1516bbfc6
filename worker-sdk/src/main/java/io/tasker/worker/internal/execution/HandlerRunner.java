package io.tasker.worker.internal.execution;

import io.tasker.worker.StepContext;
import io.tasker.worker.StepResult;
import io.tasker.worker.internal.handler.Outcomes;
import io.tasker.worker.internal.handler.RegisteredHandler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs handlers on their own threads. The step's deadline starts when its handler starts (time
 * spent waiting for a thread does not count); at the deadline the outcome is a timeout, the
 * context's cancellation flips and the thread is interrupted, but the step's slot stays taken until
 * the handler has really returned. Whatever a handler throws, {@link Error}s included, becomes the
 * attempt's outcome; the thread goes on serving.
 */
public final class HandlerRunner implements AutoCloseable {

    private final ExecutorService threads;
    private final ScheduledExecutorService deadlines;

    public HandlerRunner(ExecutorService threads, ScheduledExecutorService deadlines) {
        this.threads = threads;
        this.deadlines = deadlines;
    }

    /** A runner with {@code threadCount} daemon handler threads and one deadline thread. */
    public static HandlerRunner withThreads(int threadCount) {
        AtomicInteger n = new AtomicInteger();
        return new HandlerRunner(
                Executors.newFixedThreadPool(
                        Math.max(1, threadCount),
                        r -> daemon(r, "tasker-handler-" + n.incrementAndGet())),
                Executors.newSingleThreadScheduledExecutor(
                        r -> daemon(r, "tasker-step-deadlines")));
    }

    /**
     * Starts {@code handler} on a handler thread. The returned future completes with the handler's
     * result, or with a retryable {@code timeout} failure once {@code timeout} has passed since the
     * handler started. {@code slot} is retained until the handler's thread is done with it.
     */
    public CompletableFuture<StepResult> run(
            String handlerName,
            RegisteredHandler handler,
            StepContext context,
            Duration timeout,
            Slots.Hold slot) {
        CompletableFuture<StepResult> outcome = new CompletableFuture<>();
        AtomicReference<Future<?>> self = new AtomicReference<>();
        FutureTask<Void> task =
                new FutureTask<>(
                        () -> {
                            invoke(
                                    handlerName,
                                    handler,
                                    context,
                                    timeout,
                                    outcome,
                                    self.get(),
                                    slot);
                            return null;
                        });
        self.set(task);
        slot.retain();
        try {
            threads.execute(task);
        } catch (RejectedExecutionException e) {
            slot.release();
            outcome.complete(
                    StepResult.retryableFailure(
                            "the worker is shutting down", "worker_shutting_down"));
        }
        return outcome;
    }

    private void invoke(
            String handlerName,
            RegisteredHandler handler,
            StepContext context,
            Duration timeout,
            CompletableFuture<StepResult> outcome,
            Future<?> self,
            Slots.Hold slot) {
        // Scheduled here, not at submit time: the deadline belongs to the handler's own run.
        ScheduledFuture<?> deadline =
                deadlines.schedule(
                        () -> {
                            context.cancellation().cancel("timeout");
                            if (outcome.complete(
                                    StepResult.retryableFailure(
                                            "step timed out after " + timeout.toSeconds() + " s",
                                            "timeout"))) {
                                self.cancel(true);
                            }
                        },
                        timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
        try {
            StepResult r = handler.invoke(context);
            outcome.complete(
                    r == null
                            ? StepResult.permanentFailure(
                                    "handler " + handlerName + " returned no result", "null_result")
                            : r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome.complete(StepResult.retryableFailure("handler interrupted", "interrupted"));
        } catch (Throwable e) {
            outcome.complete(Outcomes.thrown(e));
        } finally {
            deadline.cancel(false);
            slot.release();
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
        deadlines.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
