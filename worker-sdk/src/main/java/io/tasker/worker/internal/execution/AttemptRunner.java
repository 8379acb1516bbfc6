package io.tasker.worker.internal.execution;

import io.smallrye.mutiny.Uni;
import io.tasker.messages.protocol.StepClaim;
import io.tasker.queue.QueueMessage;
import io.tasker.worker.Cancellation;
import io.tasker.worker.StepContext;
import io.tasker.worker.StepResult;
import io.tasker.worker.internal.handler.HandlerRegistry;
import io.tasker.worker.internal.handler.RegisteredHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * One claimed attempt: find its handler, run it under the step's timeout, turn the outcome into a
 * report the database can store and report it.
 */
final class AttemptRunner {

    private static final Logger LOG = Logger.getLogger(AttemptRunner.class);

    private final WorkerCalls calls;
    private final HandlerRegistry handlers;
    private final HandlerRunner runner;
    private final ResultCheck check;
    private final StepReporter reporter;
    private final StepMetrics metrics;
    private final Clock clock;
    private final Set<Cancellation> running;

    AttemptRunner(
            WorkerCalls calls,
            HandlerRegistry handlers,
            HandlerRunner runner,
            ResultCheck check,
            StepReporter reporter,
            StepMetrics metrics,
            Clock clock,
            Set<Cancellation> running) {
        this.calls = calls;
        this.handlers = handlers;
        this.runner = runner;
        this.check = check;
        this.reporter = reporter;
        this.metrics = metrics;
        this.clock = clock;
        this.running = running;
    }

    Uni<Void> run(
            String queue,
            String namespace,
            QueueMessage message,
            StepClaim claim,
            Slots.Hold slot) {
        WorkerCalls.Attempt attempt = WorkerCalls.attempt(claim, queue, message.msgId());
        String handlerName = claim.handler() == null ? "" : claim.handler();
        StepIds ids =
                new StepIds(
                        namespace,
                        String.valueOf(claim.taskUuid()),
                        attempt.stepUuid(),
                        String.valueOf(claim.correlationId()));
        Duration timeout = Duration.ofSeconds(claim.timeoutSeconds());
        Instant started = clock.instant();
        // The handler's own timer starts with the handler, never before this: a deadline from
        // here is never later than the real one.
        Cancellation cancellation = new Cancellation();
        StepContext context =
                new StepContext(
                        claim.context(started.plus(timeout)),
                        () -> heartbeat(attempt, cancellation),
                        cancellation);
        running.add(cancellation);
        return Uni.createFrom()
                .completionStage(() -> invoke(handlerName, context, timeout, slot))
                .eventually(() -> running.remove(cancellation))
                .map(
                        result -> {
                            metrics.executed(
                                    namespace,
                                    handlerName,
                                    result,
                                    Duration.between(started, clock.instant()));
                            Report report = check.toReport(result, handlerName);
                            if (report.replacesHandlerOutcome()) {
                                ids.log(
                                        () ->
                                                LOG.warnf(
                                                        "%s attempt=%d: handler %s gave an outcome that cannot be stored; failing the step: %s",
                                                        ids,
                                                        attempt.attempt(),
                                                        handlerName,
                                                        report.refusal()));
                            }
                            return report;
                        })
                .chain(report -> reporter.report(attempt, report, handlerName, ids))
                .replaceWithVoid();
    }

    private CompletableFuture<StepResult> invoke(
            String handlerName, StepContext context, Duration timeout, Slots.Hold slot) {
        RegisteredHandler handler = handlers.find(handlerName).orElse(null);
        if (handler == null) {
            return CompletableFuture.completedFuture(
                    StepResult.permanentFailure(
                            "no handler named '" + handlerName + "' is registered on this worker",
                            "unknown_handler"));
        }
        metrics.handlerInvoked(handlerName);
        return runner.run(handlerName, handler, context, timeout, slot);
    }

    private void heartbeat(WorkerCalls.Attempt attempt, Cancellation cancellation) {
        Boolean kept = calls.heartbeat(attempt).await().atMost(Duration.ofSeconds(10));
        if (!Boolean.TRUE.equals(kept)) {
            cancellation.cancel("claim_lost");
            LOG.warnf(
                    "heartbeat for step_uuid=%s attempt=%d found the claim lost",
                    attempt.stepUuid(), attempt.attempt());
        }
    }
}
