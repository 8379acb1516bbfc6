package io.tasker.orchestrator.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.queue.PgmqClient;
import io.tasker.queue.QueueMetrics;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Queue depth and oldest-message age per queue, refreshed from {@code pgmq.metrics_all()} every
 * {@code tasker.metrics.queue-refresh-interval} (one query, whatever the number of queues).
 */
@ApplicationScoped
public class QueueGauges {

    private static final Logger LOG = Logger.getLogger(QueueGauges.class);

    private final Vertx vertx;
    private final PgmqClient queues;
    private final MeterRegistry registry;
    private final OrchestratorConfig.Metrics config;
    private final Map<String, AtomicLong> depth = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> oldestAge = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
    private volatile long timer = -1;

    public QueueGauges(Vertx vertx, Pool pool, MeterRegistry registry, OrchestratorConfig config) {
        this.vertx = vertx;
        this.queues = new PgmqClient(pool);
        this.registry = registry;
        this.config = config.metrics();
    }

    void onStart(@Observes StartupEvent event) {
        refresh();
        timer = vertx.setPeriodic(config.queueRefreshInterval().toMillis(), id -> refresh());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    void refresh() {
        queues.metricsAll()
                .subscribe()
                .with(
                        all -> all.forEach(this::update),
                        e -> LOG.debugf("queue metrics refresh failed: %s", e.getMessage()));
    }

    private void update(QueueMetrics m) {
        String q = m.queueName();
        gauge(depth, "tasker_queue_depth", q).set(m.queueLength());
        gauge(oldestAge, "tasker_queue_oldest_message_age_seconds", q)
                .set(m.oldestMsgAgeSec() == null ? 0 : m.oldestMsgAgeSec());
        gauge(sent, "tasker_queue_messages_sent", q).set(m.totalMessages());
    }

    private AtomicLong gauge(Map<String, AtomicLong> values, String name, String queue) {
        return values.computeIfAbsent(
                queue,
                q -> {
                    AtomicLong v = new AtomicLong();
                    Gauge.builder(name, v, AtomicLong::doubleValue)
                            .tag("queue", q)
                            .register(registry);
                    return v;
                });
    }
}
