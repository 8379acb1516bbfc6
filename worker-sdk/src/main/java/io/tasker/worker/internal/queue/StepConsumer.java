package io.tasker.worker.internal.queue;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.QueueNames;
import io.tasker.queue.DatabaseOptions;
import io.tasker.queue.PgmqClient;
import io.tasker.queue.PollingLoop;
import io.tasker.queue.QueueWakeups;
import io.tasker.worker.internal.config.WorkerConfig;
import io.tasker.worker.internal.execution.Slots;
import io.tasker.worker.internal.execution.StepPipeline;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * One polling loop per served namespace queue. A poll reserves free execution slots (shared by all
 * the queues) before it reads and reads at most that many messages, so the worker never holds more
 * leases than it can run; a freed slot wakes the loops that found none.
 */
@ApplicationScoped
public class StepConsumer {

    private static final Logger LOG = Logger.getLogger(StepConsumer.class);

    private final Vertx vertx;
    private final PgmqClient queues;
    private final StepPipeline pipeline;
    private final WorkerConfig config;
    private final DatabaseOptions database;
    private final Clock clock;
    private final Map<String, PollingLoop> loops = new LinkedHashMap<>();
    private final Set<String> starved = ConcurrentHashMap.newKeySet();
    private volatile QueueWakeups wakeups;
    private volatile boolean stopping;

    public StepConsumer(
            Vertx vertx,
            Pool pool,
            StepPipeline pipeline,
            WorkerConfig config,
            DatabaseOptions database,
            Clock clock) {
        this.vertx = vertx;
        this.queues = new PgmqClient(pool);
        this.pipeline = pipeline;
        this.config = config;
        this.database = database;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) {
        List<String> queueNames = new ArrayList<>();
        for (String ns : config.namespaces()) {
            queueNames.add(QueueNames.workerQueue(ns.trim()));
        }
        // Queues exist once a template of their namespace is registered; creating them here too
        // lets a worker start before the orchestrator without failing its first polls.
        for (String q : queueNames) {
            queues.createQueue(q)
                    .subscribe()
                    .with(
                            ok -> LOG.debugf("queue %s ready", q),
                            e ->
                                    LOG.warnf(
                                            "cannot create queue %s yet (%s); polling retries until the"
                                                    + " orchestrator has migrated the database",
                                            q, e.getMessage()));
        }
        for (int i = 0; i < queueNames.size(); i++) {
            String queue = queueNames.get(i);
            String namespace = config.namespaces().get(i).trim();
            loops.put(
                    queue,
                    new PollingLoop(
                            queue,
                            vertx,
                            () -> pollOnce(queue, namespace),
                            config.minPollInterval(),
                            config.maxPollInterval()));
        }
        pipeline.slots().onFreed(this::wakeStarved);
        loops.values().forEach(PollingLoop::start);
        if (config.listen()) {
            QueueWakeups w = new QueueWakeups(vertx, database.connectOptions());
            loops.forEach((queue, loop) -> w.listen(queue, loop::wakeUp));
            wakeups = w;
            w.startInBackground(
                    e ->
                            LOG.warnf(
                                    "LISTEN not connected (%s); polling until it is",
                                    e.getMessage()));
        }
        LOG.infof(
                "worker %s serving %s with handlers %s (max %d steps in flight, batch %d)",
                pipeline.workerId(),
                queueNames,
                pipeline.handlers().names(),
                config.maxConcurrentSteps(),
                config.batchSize());
    }

    /**
     * Stops reading, flips the cancellation of running attempts, then waits for in-flight steps up
     * to the drain timeout.
     */
    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        loops.values().forEach(PollingLoop::stop);
        pipeline.cancelRunning("worker_draining");
        if (wakeups != null) {
            wakeups.close().await().atMost(Duration.ofSeconds(5));
        }
        Instant deadline = clock.instant().plus(config.shutdownDrainTimeout());
        while (pipeline.inFlight() > 0 && clock.instant().isBefore(deadline)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (pipeline.inFlight() > 0) {
            LOG.warnf(
                    "shutdown: %d step(s) still running after %s; their leases will return them to the queue",
                    pipeline.inFlight(), config.shutdownDrainTimeout());
        } else {
            LOG.info("shutdown: all in-flight steps finished");
        }
    }

    public Map<String, PollingLoop> loops() {
        return loops;
    }

    public boolean listening() {
        return wakeups != null && wakeups.connected();
    }

    /**
     * Reserves slots before reading (never more than are free across all served queues), reads at
     * most that many messages, and gives back what the read did not use.
     */
    private Uni<Integer> pollOnce(String queue, String namespace) {
        if (stopping) {
            return Uni.createFrom().item(0);
        }
        Slots slots = pipeline.slots();
        // Marked before trying, so a slot freed in between still wakes this loop.
        starved.add(queue);
        int reserved = slots.tryReserve(config.batchSize());
        if (reserved == 0) {
            return Uni.createFrom().item(0);
        }
        starved.remove(queue);
        return queues.read(queue, config.readVisibilitySeconds(), reserved)
                .onFailure()
                .invoke(e -> slots.release(reserved))
                .invoke(
                        messages -> {
                            slots.release(reserved - messages.size());
                            messages.forEach(
                                    m ->
                                            pipeline.execute(queue, namespace, m)
                                                    .subscribe()
                                                    .with(done -> wakeAll(), e -> wakeAll()));
                        })
                .map(List::size);
    }

    /** Wakes the loops that found no free slot; the others are not waiting for one. */
    private void wakeStarved() {
        for (String queue : starved) {
            PollingLoop loop = loops.get(queue);
            if (loop != null && starved.remove(queue)) {
                loop.wakeUp();
            }
        }
    }

    private void wakeAll() {
        if (!stopping) {
            loops.values().forEach(PollingLoop::wakeUp);
        }
    }
}
