package io.tasker.worker.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.JsonSupport;
import io.tasker.queue.LogContext;
import io.tasker.queue.PgmqClient;
import io.tasker.queue.QueueMessage;
import io.tasker.worker.config.WorkerConfig;
import io.tasker.worker.handler.HandlerRegistry;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepHandler;
import io.tasker.worker.handler.StepResult;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Runs one step message: claim (one SQL call returning the handler's whole input), execute the
 * handler off the event loop under the step's deadline, report the outcome (one SQL call that is
 * fenced by the claim token, sends the notice and deletes the message claimed).
 */
@ApplicationScoped
public class StepExecutor {

    private static final Logger LOG = Logger.getLogger(StepExecutor.class);

    private static final String CLAIM =
            "SELECT tasker.claim_step($1::uuid, $2::text, $3::integer, $4::text, $5::bigint)::text";
    private static final String REPORT =
            """
            SELECT tasker.report_step_result($1::uuid, $2::uuid, $3::text,
                                             $4::text::jsonb, $5::text::jsonb)
            """;
    private static final String ARCHIVE_POISON =
            "SELECT tasker.archive_poison_message($1::text, $2::bigint, $3::text)";
    private static final String HEARTBEAT =
            "SELECT tasker.heartbeat_step($1::uuid, $2::uuid, $3::integer)";

    private final Pool pool;
    private final PgmqClient queues;
    private final HandlerRegistry handlers;
    private final WorkerConfig config;
    private final MeterRegistry metrics;
    private final String workerId;
    private final ExecutorService handlerThreads;
    private final ScheduledExecutorService deadlines;
    private final AtomicInteger inFlight = new AtomicInteger();

    public StepExecutor(
            Pool pool, HandlerRegistry handlers, WorkerConfig config, MeterRegistry metrics) {
        this.pool = pool;
        this.queues = new PgmqClient(pool);
        this.handlers = handlers;
        this.config = config;
        this.metrics = metrics;
        this.workerId = config.id().orElseGet(StepExecutor::defaultWorkerId);
        AtomicInteger n = new AtomicInteger();
        this.handlerThreads =
                Executors.newFixedThreadPool(
                        Math.max(1, config.maxConcurrentSteps()),
                        r -> {
                            Thread t = new Thread(r, "tasker-handler-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        this.deadlines =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "tasker-step-deadlines");
                            t.setDaemon(true);
                            return t;
                        });
        metrics.gauge("tasker_worker_steps_in_flight", inFlight);
    }

    @PreDestroy
    void close() {
        handlerThreads.shutdownNow();
        deadlines.shutdownNow();
    }

    public String workerId() {
        return workerId;
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Slots free for new messages. */
    public int freeSlots() {
        return Math.max(0, config.maxConcurrentSteps() - inFlight.get());
    }

    /** Takes a slot; the caller must hand the message to {@link #execute}. */
    public void reserveSlot() {
        inFlight.incrementAndGet();
    }

    /**
     * Claims, runs and reports one message; always completes (failures are logged), then frees the
     * slot.
     */
    public Uni<Void> execute(String queue, String namespace, QueueMessage message) {
        return run(queue, namespace, message)
                .onFailure()
                .recoverWithUni(
                        e -> {
                            LOG.warnf(
                                    "step message msg_id=%d of %s failed in the worker (%s); it returns after its lease",
                                    message.msgId(), queue, e.toString());
                            return Uni.createFrom().voidItem();
                        })
                .eventually(inFlight::decrementAndGet);
    }

    private Uni<Void> run(String queue, String namespace, QueueMessage message) {
        UUID step = stepUuid(message);
        if (step == null || message.readCt() > config.maxReadCount()) {
            String reason =
                    step == null
                            ? "message has no valid step_uuid"
                            : "message read "
                                    + message.readCt()
                                    + " times without a committed result";
            LOG.errorf(
                    "poison_message: archiving msg_id=%d of %s: %s",
                    message.msgId(), queue, reason);
            count("tasker_steps_poison_total", namespace);
            return archivePoison(queue, message.msgId(), reason);
        }
        return pool.preparedQuery(CLAIM)
                .execute(
                        Tuple.of(
                                step, workerId, config.leaseGraceSeconds(), queue, message.msgId()))
                .map(rows -> JsonSupport.parse(rows.iterator().next().getString(0)))
                .chain(
                        claim -> {
                            String status = claim.path("status").asText();
                            if ("claimed".equals(status)) {
                                count("tasker_steps_claimed_total", namespace);
                                return runClaimed(queue, namespace, message, claim);
                            }
                            if ("busy".equals(status)) {
                                LOG.debugf(
                                        "step_uuid=%s is held by a live lease; leaving msg_id=%d",
                                        step, message.msgId());
                                return Uni.createFrom().voidItem();
                            }
                            if ("unknown_step".equals(claim.path("reason").asText())) {
                                LOG.errorf(
                                        "poison_message: msg_id=%d of %s references unknown step_uuid=%s",
                                        message.msgId(), queue, step);
                                count("tasker_steps_poison_total", namespace);
                                return archivePoison(
                                        queue, message.msgId(), "unknown step " + step);
                            }
                            LOG.debugf(
                                    "step_uuid=%s not claimable (%s); dropping msg_id=%d",
                                    step, claim.path("reason").asText(), message.msgId());
                            return queues.delete(queue, message.msgId()).replaceWithVoid();
                        });
    }

    private Uni<Void> runClaimed(
            String queue, String namespace, QueueMessage message, JsonNode claim) {
        UUID stepUuid = UUID.fromString(claim.get("step_uuid").asText());
        int attempt = claim.get("attempt").asInt();
        UUID claimToken = UUID.fromString(claim.get("claim_token").asText());
        int lease = claim.get("lease_seconds").asInt();
        String handlerName = claim.get("handler").asText();
        String ids =
                "task_uuid="
                        + claim.path("task_uuid").asText()
                        + " step_uuid="
                        + stepUuid
                        + " correlation_id="
                        + claim.path("correlation_id").asText();
        StepContext context = context(claim, () -> heartbeat(stepUuid, claimToken, attempt, lease));
        long started = System.nanoTime();
        return Uni.createFrom()
                .completionStage(
                        () -> invoke(handlerName, context, claim.get("timeout_seconds").asInt()))
                .chain(
                        result -> {
                            io.micrometer.core.instrument.Timer.builder(
                                            "tasker_step_execution_seconds")
                                    .tag("namespace", namespace)
                                    .publishPercentileHistogram()
                                    .minimumExpectedValue(Duration.ofMillis(1))
                                    .maximumExpectedValue(Duration.ofHours(1))
                                    .register(metrics)
                                    .record(Duration.ofNanos(System.nanoTime() - started));
                            if (result instanceof StepResult.RetryableFailure f
                                    && "timeout".equals(f.type())) {
                                count("tasker_steps_timed_out_total", namespace);
                            }
                            return report(
                                    queue,
                                    namespace,
                                    message,
                                    stepUuid,
                                    claimToken,
                                    attempt,
                                    result,
                                    ids,
                                    handlerName);
                        });
    }

    private CompletableFuture<StepResult> invoke(
            String handlerName, StepContext context, int timeoutSeconds) {
        StepHandler handler = handlers.find(handlerName).orElse(null);
        if (handler == null) {
            return CompletableFuture.completedFuture(
                    StepResult.permanentFailure(
                            "no handler named '" + handlerName + "' is registered on this worker",
                            "unknown_handler"));
        }
        metrics.counter("tasker_handler_invocations_total", "handler", handlerName).increment();
        CompletableFuture<StepResult> outcome = new CompletableFuture<>();
        Future<?> running =
                handlerThreads.submit(
                        () -> {
                            try {
                                StepResult r = handler.handle(context);
                                outcome.complete(
                                        r == null
                                                ? StepResult.permanentFailure(
                                                        "handler "
                                                                + handlerName
                                                                + " returned no result",
                                                        "null_result")
                                                : r);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                outcome.complete(
                                        StepResult.retryableFailure(
                                                "handler interrupted", "interrupted"));
                            } catch (Exception | LinkageError e) {
                                outcome.complete(
                                        StepResult.retryableFailure(
                                                String.valueOf(e.getMessage()),
                                                e.getClass().getSimpleName()));
                            }
                        });
        deadlines.schedule(
                () -> {
                    if (outcome.complete(
                            StepResult.retryableFailure(
                                    "step timed out after " + timeoutSeconds + " s", "timeout"))) {
                        running.cancel(true);
                    }
                },
                timeoutSeconds,
                TimeUnit.SECONDS);
        return outcome;
    }

    private Uni<Void> report(
            String queue,
            String namespace,
            QueueMessage message,
            UUID stepUuid,
            UUID claimToken,
            int attempt,
            StepResult result,
            String ids,
            String handlerName) {
        String outcome;
        String resultJson = null;
        String errorJson = null;
        if (result instanceof StepResult.Success s) {
            outcome = "success";
            resultJson =
                    JsonSupport.write(
                            s.result() == null ? JsonSupport.MAPPER.nullNode() : s.result());
        } else if (result instanceof StepResult.RetryableFailure f) {
            outcome = "retryable_failure";
            ObjectNode e = error(f.message(), f.type(), handlerName);
            if (f.retryAfter() != null) {
                e.put("retry_after_ms", f.retryAfter().toMillis());
            }
            errorJson = JsonSupport.write(e);
        } else {
            StepResult.PermanentFailure f = (StepResult.PermanentFailure) result;
            outcome = "permanent_failure";
            errorJson = JsonSupport.write(error(f.message(), f.type(), handlerName));
        }
        String finalOutcome = outcome;
        Tuple args =
                Tuple.tuple()
                        .addUUID(stepUuid)
                        .addUUID(claimToken)
                        .addString(outcome)
                        .addString(resultJson)
                        .addString(errorJson);
        return pool.preparedQuery(REPORT)
                .execute(args)
                .onFailure()
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(2))
                .atMost(5)
                .map(rows -> rows.iterator().next().getString(0))
                .invoke(
                        verdict ->
                                LogContext.run(
                                        message.message().getValue("task_uuid"),
                                        stepUuid,
                                        message.message().getValue("correlation_id"),
                                        () ->
                                                logVerdict(
                                                        verdict,
                                                        finalOutcome,
                                                        namespace,
                                                        ids,
                                                        attempt)))
                .replaceWithVoid();
    }

    private void logVerdict(
            String verdict, String outcome, String namespace, String ids, int attempt) {
        switch (verdict) {
            case "accepted" -> {
                count("tasker_steps_" + metricOutcome(outcome) + "_total", namespace);
                LOG.debugf("%s attempt=%d reported %s", ids, attempt, outcome);
            }
            case "rejected" -> {
                count("tasker_steps_late_results_rejected_total", namespace);
                LOG.warnf(
                        "late_result_rejected: %s attempt=%d lost its claim before reporting %s",
                        ids, attempt, outcome);
            }
            default -> LOG.infof("%s attempt=%d result discarded (%s)", ids, attempt, verdict);
        }
    }

    private static String metricOutcome(String outcome) {
        return switch (outcome) {
            case "success" -> "succeeded";
            case "retryable_failure" -> "failed_retryable";
            default -> "failed_permanent";
        };
    }

    private Uni<Void> archivePoison(String queue, long msgId, String reason) {
        return pool.preparedQuery(ARCHIVE_POISON)
                .execute(Tuple.of(queue, msgId, reason))
                .replaceWithVoid();
    }

    private void heartbeat(UUID step, UUID claimToken, int attempt, int leaseSeconds) {
        Boolean kept =
                pool.preparedQuery(HEARTBEAT)
                        .execute(Tuple.of(step, claimToken, leaseSeconds))
                        .map(rows -> rows.iterator().next().getBoolean(0))
                        .await()
                        .atMost(Duration.ofSeconds(10));
        if (!Boolean.TRUE.equals(kept)) {
            LOG.warnf("heartbeat for step_uuid=%s attempt=%d found the claim lost", step, attempt);
        }
    }

    private static ObjectNode error(String message, String type, String handler) {
        ObjectNode e = JsonSupport.object();
        e.put("message", message == null ? "" : message);
        e.put("type", type == null ? "error" : type);
        e.put("handler", handler);
        return e;
    }

    private void count(String name, String namespace) {
        metrics.counter(name, "namespace", namespace).increment();
    }

    private static StepContext context(JsonNode claim, Runnable heartbeat) {
        Map<String, JsonNode> deps = new HashMap<>();
        claim.path("dependency_results")
                .fields()
                .forEachRemaining(e -> deps.put(e.getKey(), e.getValue()));
        List<String> parents = new ArrayList<>();
        claim.path("parents").forEach(p -> parents.add(p.asText()));
        return new StepContext(
                UUID.fromString(claim.get("task_uuid").asText()),
                UUID.fromString(claim.get("step_uuid").asText()),
                UUID.fromString(claim.get("correlation_id").asText()),
                claim.path("namespace").asText(),
                claim.path("task_name").asText(),
                claim.path("task_version").asText(),
                claim.path("context"),
                claim.path("step_name").asText(),
                claim.path("config"),
                claim.path("inputs"),
                claim.path("attempt").asInt(),
                claim.path("max_attempts").asInt(),
                parents,
                deps,
                heartbeat);
    }

    private static UUID stepUuid(QueueMessage message) {
        try {
            Object v = message.message() == null ? null : message.message().getValue("step_uuid");
            return v instanceof String s ? UUID.fromString(s) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "worker";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    }
}
