package io.tasker.orchestrator.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.QueueNames;
import io.tasker.messages.protocol.NoticeOutcome;
import io.tasker.messages.protocol.ProtocolCodec;
import io.tasker.messages.protocol.ProtocolCodec.Decoded;
import io.tasker.messages.protocol.ResultNotice;
import io.tasker.messages.protocol.UnsupportedFormats;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.metrics.LifecycleMetrics;
import io.tasker.queue.DatabaseOptions;
import io.tasker.queue.LogContext;
import io.tasker.queue.PgmqClient;
import io.tasker.queue.PollingLoop;
import io.tasker.queue.QueueMessage;
import io.tasker.queue.QueueWakeups;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Consumes {@code orchestration_step_results}: each notice is processed by one SQL call in its own
 * transaction (step state, retry or failure, newly ready steps enqueued, task evaluated, notice
 * deleted). A crash before commit leaves the notice to reappear after its visibility timeout; a
 * second processing changes nothing, so any number of orchestrators can consume the queue. A notice
 * of a newer format than this release reads is left in the queue for a newer orchestrator.
 */
@ApplicationScoped
// Notices are read by Jackson outside any resource signature.
@RegisterForReflection(targets = {ResultNotice.class, NoticeOutcome.class})
public class ResultConsumer {

    private static final Logger LOG = Logger.getLogger(ResultConsumer.class);

    private static final String ARCHIVE_POISON =
            "SELECT tasker.archive_poison_message($1::text, $2::bigint, $3::text)";
    private static final String PROCESS_BATCH =
            "SELECT r::text FROM tasker.process_step_results($1::uuid[], $2::bigint[]) AS r";
    private static final String PROCESS =
            "SELECT tasker.process_step_result($1::uuid, $2::bigint)::text";

    private final Vertx vertx;
    private final Pool pool;
    private final PgmqClient queues;
    private final OrchestratorConfig.Results config;
    private final DatabaseOptions database;
    private final LifecycleMetrics metrics;
    private final UnsupportedFormats unsupported = new UnsupportedFormats(10_000);
    private volatile PollingLoop loop;
    private volatile QueueWakeups wakeups;

    public ResultConsumer(
            Vertx vertx,
            Pool pool,
            OrchestratorConfig config,
            DatabaseOptions database,
            LifecycleMetrics metrics) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.pool = pool;
        this.queues = new PgmqClient(pool);
        this.config = config.results();
        this.database = database;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info(
                    "result processing is disabled on this instance (tasker.results.enabled=false)");
            return;
        }
        loop =
                new PollingLoop(
                        QueueNames.RESULTS_QUEUE,
                        vertx,
                        this::pollOnce,
                        config.minPollInterval(),
                        config.maxPollInterval());
        loop.start();
        if (config.listen()) {
            PollingLoop l = loop;
            wakeups =
                    new QueueWakeups(vertx, database.connectOptions())
                            .listen(QueueNames.RESULTS_QUEUE, l::wakeUp);
            wakeups.startInBackground(
                    e ->
                            LOG.warnf(
                                    "LISTEN %s not connected (%s); polling until it is",
                                    QueueNames.RESULTS_QUEUE, e.getMessage()));
        }
        LOG.infof(
                "consuming %s (batch %d, concurrency %d, listen %s)",
                QueueNames.RESULTS_QUEUE,
                config.batchSize(),
                config.concurrency(),
                config.listen());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.stop();
        }
        if (wakeups != null) {
            wakeups.close().await().atMost(Duration.ofSeconds(5));
        }
    }

    /** The loop, or null when result processing is disabled. */
    public PollingLoop loop() {
        return loop;
    }

    public boolean listening() {
        return wakeups != null && wakeups.connected();
    }

    Uni<Integer> pollOnce() {
        return queues.read(
                        QueueNames.RESULTS_QUEUE,
                        config.visibilityTimeoutSeconds(),
                        config.batchSize())
                .chain(messages -> handle(messages).map(done -> messages.size()));
    }

    private Uni<Void> handle(List<QueueMessage> messages) {
        if (!config.transactionPerBatch()) {
            return Multi.createFrom()
                    .iterable(messages)
                    .onItem()
                    .transformToUni(this::process)
                    .merge(Math.max(1, config.concurrency()))
                    .collect()
                    .asList()
                    .replaceWithVoid();
        }
        List<Uni<Void>> work = new ArrayList<>();
        List<UUID> steps = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (QueueMessage m : messages) {
            Decoded<ResultNotice> notice = notice(m);
            if (leftForNewerPeer(m, notice)) {
                continue;
            }
            UUID step = stepUuid(notice);
            if (step == null || m.readCt() > config.maxReadCount()) {
                work.add(process(m));
            } else {
                steps.add(step);
                ids.add(m.msgId());
            }
        }
        // Contiguous chunks, one transaction each; every chunk locks its tasks in task order.
        int chunks = Math.min(Math.max(1, config.concurrency()), steps.size());
        for (int c = 0; c < chunks; c++) {
            int from = steps.size() * c / chunks;
            int to = steps.size() * (c + 1) / chunks;
            work.add(processBatch(steps.subList(from, to), ids.subList(from, to)));
        }
        return work.isEmpty()
                ? Uni.createFrom().voidItem()
                : Uni.join().all(work).andCollectFailures().replaceWithVoid();
    }

    private Uni<Void> processBatch(List<UUID> steps, List<Long> ids) {
        Timer.Sample started = metrics.startTimer();
        return pool.preparedQuery(PROCESS_BATCH)
                .execute(Tuple.of(steps.toArray(new UUID[0]), ids.toArray(new Long[0])))
                .invoke(
                        rows -> {
                            for (var row : rows) {
                                JsonNode outcome = JsonSupport.parse(row.getString(0));
                                if ("error".equals(outcome.path("action").asText())) {
                                    String stepUuid = outcome.path("step_uuid").asText();
                                    LogContext.run(
                                            null,
                                            stepUuid,
                                            null,
                                            () ->
                                                    LOG.warnf(
                                                            "result processing failed for step_uuid=%s (will retry"
                                                                    + " after the visibility timeout): %s",
                                                            stepUuid,
                                                            outcome.path("error").asText()));
                                } else {
                                    metrics.resultProcessed(outcome, started);
                                }
                            }
                        })
                .replaceWithVoid()
                .onFailure()
                .recoverWithUni(
                        e -> {
                            LOG.warnf(
                                    "a batch of %d result notices failed (they return after the"
                                            + " visibility timeout): %s",
                                    steps.size(), e.getMessage());
                            return Uni.createFrom().voidItem();
                        });
    }

    private static Decoded<ResultNotice> notice(QueueMessage m) {
        return ProtocolCodec.decodeMessage(
                m.message() == null ? null : m.message().encode(), ResultNotice.class);
    }

    /** True (and warned once per notice) when the notice's format is newer than this release's. */
    private boolean leftForNewerPeer(QueueMessage m, Decoded<ResultNotice> notice) {
        if (!(notice instanceof Decoded.Unsupported<ResultNotice> newer)) {
            return false;
        }
        if (unsupported.firstSight(QueueNames.RESULTS_QUEUE, m.msgId())) {
            LOG.warn(
                    UnsupportedFormats.warning(
                            QueueNames.RESULTS_QUEUE, m.msgId(), newer.version()));
        }
        return true;
    }

    private Uni<Void> process(QueueMessage message) {
        Decoded<ResultNotice> decoded = notice(message);
        if (leftForNewerPeer(message, decoded)) {
            return Uni.createFrom().voidItem();
        }
        UUID step = stepUuid(decoded);
        if (step == null || message.readCt() > config.maxReadCount()) {
            String reason =
                    decoded instanceof Decoded.Malformed<ResultNotice> bad && !bad.namesNoStep()
                            ? bad.reason()
                            : step == null
                                    ? "notice has no valid step_uuid"
                                    : "notice read "
                                            + message.readCt()
                                            + " times without being processed";
            LOG.errorf(
                    "poison_notice: archiving msg_id=%d of %s: %s",
                    message.msgId(), QueueNames.RESULTS_QUEUE, reason);
            return pool.preparedQuery(ARCHIVE_POISON)
                    .execute(Tuple.of(QueueNames.RESULTS_QUEUE, message.msgId(), reason))
                    .replaceWithVoid();
        }
        ResultNotice notice = ((Decoded.Read<ResultNotice>) decoded).message();
        Timer.Sample started = metrics.startTimer();
        return pool.preparedQuery(PROCESS)
                .execute(Tuple.of(step, message.msgId()))
                .invoke(
                        rows -> {
                            metrics.resultProcessed(
                                    JsonSupport.parse(rows.iterator().next().getString(0)),
                                    started);
                            if (LOG.isDebugEnabled()) {
                                LOG.debugf(
                                        "processed result task_uuid=%s step_uuid=%s correlation_id=%s: %s",
                                        notice.taskUuid(),
                                        step,
                                        notice.correlationId(),
                                        rows.iterator().next().getString(0));
                            }
                        })
                .replaceWithVoid()
                .onFailure()
                .recoverWithUni(
                        e -> {
                            LogContext.run(
                                    notice.taskUuid(),
                                    step,
                                    notice.correlationId(),
                                    () ->
                                            LOG.warnf(
                                                    "result processing failed for task_uuid=%s step_uuid=%s"
                                                            + " (will retry after the visibility timeout): %s",
                                                    notice.taskUuid(), step, e.getMessage()));
                            return Uni.createFrom().voidItem();
                        });
    }

    /** The step a readable notice names, or null (a poison notice). */
    private static UUID stepUuid(Decoded<ResultNotice> notice) {
        return notice instanceof Decoded.Read<ResultNotice> read ? read.message().stepUuid() : null;
    }
}
