package io.tasker.orchestrator.queue;

import io.tasker.messages.QueueNames;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.rest.ApiException;
import io.tasker.queue.PgmqClient;
import io.tasker.queue.QueueMetrics;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The backlog of every namespace queue, read from {@code pgmq.metrics_all()} at most once per
 * {@code tasker.api.backlog-refresh-interval}, in the background, only while tasks are being
 * created (an idle orchestrator sends no query for it). Task creation compares with the last
 * figures, so a namespace whose workers are far behind is refused without a query of its own.
 */
@ApplicationScoped
public class NamespaceBacklog {

    private static final Logger LOG = Logger.getLogger(NamespaceBacklog.class);

    private record Figures(Map<String, Long> lengths, long readAtNanos) {}

    private final PgmqClient queues;
    private final OrchestratorConfig.Api config;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile Figures figures = new Figures(Map.of(), Long.MIN_VALUE);
    private volatile long requestedAtNanos = Long.MIN_VALUE;

    public NamespaceBacklog(Pool pool, OrchestratorConfig config) {
        this.queues = new PgmqClient(pool);
        this.config = config.api();
    }

    /** Reads the queue lengths again unless a read is under way; does not wait for it. */
    public void refresh() {
        // A slow metrics query must not pile up behind itself.
        if (!refreshing.compareAndSet(false, true)) {
            return;
        }
        requestedAtNanos = System.nanoTime();
        queues.metricsAll()
                .eventually(() -> refreshing.set(false))
                .subscribe()
                .with(
                        all -> {
                            Map<String, Long> next = new HashMap<>();
                            for (QueueMetrics m : all) {
                                next.put(m.queueName(), m.queueLength());
                            }
                            figures = new Figures(Map.copyOf(next), System.nanoTime());
                        },
                        // The check stays open until a read succeeds (see requireCapacity).
                        e -> LOG.debugf("queue backlog refresh failed: %s", e.getMessage()));
    }

    /** The namespace's queue length at the last read, if its queue was seen. */
    public Optional<Long> lastSeen(String namespace) {
        return Optional.ofNullable(figures.lengths().get(QueueNames.workerQueue(namespace)));
    }

    /**
     * Throws a 503 with Retry-After when the namespace's queue held more than {@code
     * tasker.api.max-namespace-backlog} messages at the last read. Figures older than three
     * intervals (after an idle period, or while reads fail) are not trusted: the request passes and
     * a read is started.
     */
    public void requireCapacity(String namespace) {
        long limit = config.maxNamespaceBacklog();
        if (limit <= 0 || !QueueNames.isValidNamespace(namespace)) {
            return;
        }
        long interval = config.backlogRefreshInterval().toNanos();
        long now = System.nanoTime();
        if (requestedAtNanos == Long.MIN_VALUE || now - requestedAtNanos >= interval) {
            refresh();
        }
        Figures seen = figures;
        if (seen.readAtNanos() == Long.MIN_VALUE || now - seen.readAtNanos() > 3 * interval) {
            return;
        }
        Long backlog = seen.lengths().get(QueueNames.workerQueue(namespace));
        if (backlog != null && backlog > limit) {
            throw ApiException.unavailable(
                    "namespace_backlog_exceeded",
                    "namespace "
                            + namespace
                            + " has "
                            + backlog
                            + " messages waiting, more than the limit of "
                            + limit
                            + " (tasker.api.max-namespace-backlog); retry later",
                    config.overloadRetryAfter());
        }
    }
}
