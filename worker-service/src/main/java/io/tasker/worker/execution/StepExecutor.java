package io.tasker.worker.execution;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.tasker.queue.QueueMessage;
import io.tasker.worker.config.WorkerConfig;
import io.tasker.worker.handler.HandlerRegistry;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepHandler;
import io.tasker.worker.handler.StepResult;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Runs one step message: claim (one SQL call returning the handler's whole input), run the handler
 * on its own thread under the step's deadline ({@link HandlerRunner}), check and report the outcome
 * ({@link ResultCheck}, {@link StepReporter}).
 */
@ApplicationScoped
public class StepExecutor {

    private static final Logger LOG = Logger.getLogger(StepExecutor.class);

    private final WorkerCalls calls;
    private final HandlerRegistry handlers;
    private final HandlerRunner runner;
    private final Slots slots;
    private final ResultCheck check;
    private final StepReporter reporter;
    private final MeterRegistry metrics;
    private final int maxReadCount;

    @Inject
    public StepExecutor(
            Pool pool, HandlerRegistry handlers, WorkerConfig config, MeterRegistry metrics) {
        this(
                new WorkerCalls(
                        pool,
                        config.id().orElseGet(WorkerCalls::defaultWorkerId),
                        config.leaseGraceSeconds()),
                handlers,
                HandlerRunner.withThreads(config.maxConcurrentSteps()),
                new Slots(config.maxConcurrentSteps()),
                config,
                metrics);
    }

    public StepExecutor(
            WorkerCalls calls,
            HandlerRegistry handlers,
            HandlerRunner runner,
            Slots slots,
            WorkerConfig config,
            MeterRegistry metrics) {
        this.calls = calls;
        this.handlers = handlers;
        this.runner = runner;
        this.slots = slots;
        this.check = new ResultCheck(config.maxResultBytes());
        this.reporter = new StepReporter(calls, check, metrics);
        this.metrics = metrics;
        this.maxReadCount = config.maxReadCount();
        metrics.gauge("tasker_worker_steps_in_flight", slots, Slots::inUse);
    }

    @PreDestroy
    void close() {
        runner.close();
    }

    public String workerId() {
        return calls.workerId();
    }

    /** The concurrency slots; a poll reserves one per message before it reads. */
    public Slots slots() {
        return slots;
    }

    public int inFlight() {
        return slots.inUse();
    }

    /**
     * Claims, runs and reports one message, for which the caller has reserved a slot. Always
     * completes (failures are logged) once the report is done; the slot itself is released only
     * when the handler's thread has finished too.
     */
    public Uni<Void> execute(String queue, String namespace, QueueMessage message) {
        Slots.Hold slot = slots.hold();
        return run(queue, namespace, message, slot)
                .onFailure()
                .recoverWithUni(
                        e -> {
                            LOG.warnf(
                                    "step message msg_id=%d of %s failed in the worker (%s); it returns after its lease",
                                    message.msgId(), queue, e.toString());
                            return Uni.createFrom().voidItem();
                        })
                .eventually(slot::release);
    }

    private Uni<Void> run(String queue, String namespace, QueueMessage message, Slots.Hold slot) {
        UUID step = ClaimedContext.stepUuid(message);
        if (step == null || message.readCt() > maxReadCount) {
            String reason =
                    step == null
                            ? "message has no valid step_uuid"
                            : "message read "
                                    + message.readCt()
                                    + " times without a committed result";
            return poison(queue, namespace, message.msgId(), reason);
        }
        return calls.claim(step, queue, message.msgId())
                .chain(
                        claim -> {
                            String status = claim.path("status").asText();
                            if ("claimed".equals(status)) {
                                count("tasker_steps_claimed_total", namespace);
                                return runClaimed(queue, namespace, message, claim, slot);
                            }
                            if ("busy".equals(status)) {
                                LOG.debugf(
                                        "step_uuid=%s is held by a live lease; leaving msg_id=%d",
                                        step, message.msgId());
                                return Uni.createFrom().voidItem();
                            }
                            if ("unknown_step".equals(claim.path("reason").asText())) {
                                return poison(
                                        queue, namespace, message.msgId(), "unknown step " + step);
                            }
                            LOG.debugf(
                                    "step_uuid=%s not claimable (%s); dropping msg_id=%d",
                                    step, claim.path("reason").asText(), message.msgId());
                            return calls.deleteMessage(queue, message.msgId());
                        });
    }

    private Uni<Void> poison(String queue, String namespace, long msgId, String reason) {
        LOG.errorf("poison_message: archiving msg_id=%d of %s: %s", msgId, queue, reason);
        count("tasker_steps_poison_total", namespace);
        return calls.archivePoison(queue, msgId, reason);
    }

    private Uni<Void> runClaimed(
            String queue, String namespace, QueueMessage message, JsonNode claim, Slots.Hold slot) {
        WorkerCalls.Attempt attempt = WorkerCalls.attempt(claim, queue, message.msgId());
        String handlerName = claim.get("handler").asText();
        StepIds ids =
                new StepIds(
                        namespace,
                        claim.path("task_uuid").asText(),
                        attempt.stepUuid(),
                        claim.path("correlation_id").asText());
        StepContext context = ClaimedContext.of(claim, () -> heartbeat(attempt));
        Duration timeout = Duration.ofSeconds(claim.get("timeout_seconds").asInt());
        long started = System.nanoTime();
        return Uni.createFrom()
                .completionStage(() -> invoke(handlerName, context, timeout, slot))
                .map(
                        result -> {
                            recordExecution(namespace, result, started);
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
        StepHandler handler = handlers.find(handlerName).orElse(null);
        if (handler == null) {
            return CompletableFuture.completedFuture(
                    StepResult.permanentFailure(
                            "no handler named '" + handlerName + "' is registered on this worker",
                            "unknown_handler"));
        }
        metrics.counter("tasker_handler_invocations_total", "handler", handlerName).increment();
        return runner.run(handlerName, handler, context, timeout, slot);
    }

    private void recordExecution(String namespace, StepResult result, long startedNanos) {
        Timer.builder("tasker_step_execution_seconds")
                .tag("namespace", namespace)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(metrics)
                .record(Duration.ofNanos(System.nanoTime() - startedNanos));
        if (result instanceof StepResult.RetryableFailure f && "timeout".equals(f.type())) {
            count("tasker_steps_timed_out_total", namespace);
        }
    }

    private void heartbeat(WorkerCalls.Attempt attempt) {
        Boolean kept = calls.heartbeat(attempt).await().atMost(Duration.ofSeconds(10));
        if (!Boolean.TRUE.equals(kept)) {
            LOG.warnf(
                    "heartbeat for step_uuid=%s attempt=%d found the claim lost",
                    attempt.stepUuid(), attempt.attempt());
        }
    }

    private void count(String name, String namespace) {
        metrics.counter(name, "namespace", namespace).increment();
    }
}
