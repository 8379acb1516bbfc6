package io.tasker.worker.execution;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.tasker.queue.QueueMessage;
import io.tasker.worker.config.WorkerConfig;
import io.tasker.worker.handler.HandlerRegistry;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The path of one step message through the worker: claim (one SQL call returning the handler's
 * whole input), run the handler on its own thread under the step's deadline ({@link
 * HandlerRunner}), check and report the outcome ({@link ResultCheck}, {@link StepReporter}); a
 * message that can never be claimed is archived as poison.
 */
@ApplicationScoped
public class StepPipeline {

    private static final Logger LOG = Logger.getLogger(StepPipeline.class);

    private final WorkerCalls calls;
    private final HandlerRunner runner;
    private final Slots slots;
    private final StepMetrics metrics;
    private final AttemptRunner attempts;
    private final int maxReadCount;

    @Inject
    public StepPipeline(
            Pool pool,
            HandlerRegistry handlers,
            WorkerConfig config,
            MeterRegistry metrics,
            Clock clock) {
        this(
                new WorkerCalls(
                        pool,
                        config.id().orElseGet(WorkerCalls::defaultWorkerId),
                        config.leaseGraceSeconds()),
                handlers,
                HandlerRunner.withThreads(config.maxConcurrentSteps()),
                new Slots(config.maxConcurrentSteps()),
                config,
                metrics,
                clock);
    }

    public StepPipeline(
            WorkerCalls calls,
            HandlerRegistry handlers,
            HandlerRunner runner,
            Slots slots,
            WorkerConfig config,
            MeterRegistry metrics,
            Clock clock) {
        this.calls = calls;
        this.runner = runner;
        this.slots = slots;
        this.metrics = new StepMetrics(metrics, slots);
        ResultCheck check = new ResultCheck(config.maxResultBytes());
        this.attempts =
                new AttemptRunner(
                        calls,
                        handlers,
                        runner,
                        check,
                        new StepReporter(calls, check, metrics),
                        this.metrics,
                        clock);
        this.maxReadCount = config.maxReadCount();
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
                                metrics.count("tasker_steps_claimed_total", namespace);
                                return attempts.run(queue, namespace, message, claim, slot);
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
        metrics.count("tasker_steps_poison_total", namespace);
        return calls.archivePoison(queue, msgId, reason);
    }
}
