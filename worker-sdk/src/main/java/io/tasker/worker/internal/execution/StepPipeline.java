package io.tasker.worker.internal.execution;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.protocol.ClaimStatus;
import io.tasker.messages.protocol.ProtocolCodec.Decoded;
import io.tasker.messages.protocol.StepClaim;
import io.tasker.messages.protocol.StepMessage;
import io.tasker.messages.protocol.UnsupportedFormats;
import io.tasker.queue.QueueMessage;
import io.tasker.worker.Cancellation;
import io.tasker.worker.internal.config.WorkerConfig;
import io.tasker.worker.internal.handler.HandlerRegistry;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The path of one step message through the worker: claim (one SQL call returning the handler's
 * whole input), run the handler on its own thread under the step's deadline ({@link
 * HandlerRunner}), check and report the outcome ({@link ResultCheck}, {@link StepReporter}); a
 * message that can never be claimed is archived as poison, and one of a newer format than this
 * release reads is left in its queue for a newer worker.
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
    private final UnsupportedFormats unsupported = new UnsupportedFormats(10_000);
    private final Set<Cancellation> running = ConcurrentHashMap.newKeySet();
    private final HandlerRegistry handlers;

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
                        clock,
                        running);
        this.handlers = handlers;
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

    /** The handlers this worker runs, by name. */
    public HandlerRegistry handlers() {
        return handlers;
    }

    /** Flips the cancellation of every running attempt, e.g. when the worker drains. */
    public void cancelRunning(String reason) {
        running.forEach(c -> c.cancel(reason));
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
        Decoded<StepMessage> decoded = StepMessages.decode(message);
        if (decoded instanceof Decoded.Unsupported<StepMessage> newer) {
            if (unsupported.firstSight(queue, message.msgId())) {
                LOG.warn(UnsupportedFormats.warning(queue, message.msgId(), newer.version()));
            }
            return Uni.createFrom().voidItem();
        }
        UUID step =
                decoded instanceof Decoded.Read<StepMessage> read
                        ? read.message().stepUuid()
                        : null;
        if (step == null || message.readCt() > maxReadCount) {
            String reason =
                    decoded instanceof Decoded.Malformed<StepMessage> bad && !bad.namesNoStep()
                            ? bad.reason()
                            : step == null
                                    ? "message has no valid step_uuid"
                                    : "message read "
                                            + message.readCt()
                                            + " times without a committed result";
            return poison(queue, namespace, message.msgId(), reason);
        }
        return calls.claim(step, queue, message.msgId())
                .chain(claim -> answered(queue, namespace, message, step, claim, slot));
    }

    private Uni<Void> answered(
            String queue,
            String namespace,
            QueueMessage message,
            UUID step,
            StepClaim claim,
            Slots.Hold slot) {
        if (claim.status() == ClaimStatus.CLAIMED) {
            metrics.registry()
                    .counter(
                            "tasker_steps_claimed_total",
                            "namespace",
                            namespace,
                            "handler",
                            String.valueOf(claim.handler()))
                    .increment();
            return attempts.run(queue, namespace, message, claim, slot);
        }
        if (claim.status() == ClaimStatus.BUSY) {
            LOG.debugf(
                    "step_uuid=%s is held by a live lease; leaving msg_id=%d",
                    step, message.msgId());
            return Uni.createFrom().voidItem();
        }
        if ("unknown_step".equals(claim.reason())) {
            return poison(queue, namespace, message.msgId(), "unknown step " + step);
        }
        LOG.debugf(
                "step_uuid=%s not claimable (%s); dropping msg_id=%d",
                step, claim.reason(), message.msgId());
        return calls.deleteMessage(queue, message.msgId());
    }

    private Uni<Void> poison(String queue, String namespace, long msgId, String reason) {
        LOG.errorf("poison_message: archiving msg_id=%d of %s: %s", msgId, queue, reason);
        metrics.count("tasker_steps_poison_total", namespace);
        return calls.archivePoison(queue, msgId, reason);
    }
}
