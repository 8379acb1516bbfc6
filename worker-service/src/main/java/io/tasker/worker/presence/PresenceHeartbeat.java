package io.tasker.worker.presence;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import io.smallrye.mutiny.Uni;
import io.tasker.worker.config.WorkerConfig;
import io.tasker.worker.execution.StepPipeline;
import io.tasker.worker.handler.HandlerRegistry;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The worker service's presence in the registry: a heartbeat every {@code
 * tasker.worker.presence.interval} with its id (the one its claims carry), host, namespaces,
 * handler names and SDK version, and a stop at shutdown, after the in-flight steps drained and
 * before the pool closes.
 */
@ApplicationScoped
public class PresenceHeartbeat {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final WorkerPresence presence;
    private final boolean enabled;

    public PresenceHeartbeat(
            Pool pool,
            WorkerConfig worker,
            PresenceConfig config,
            HandlerRegistry handlers,
            StepPipeline pipeline,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
                    String applicationVersion) {
        this.enabled = config.enabled();
        List<String> namespaces = new ArrayList<>();
        worker.namespaces().forEach(ns -> namespaces.add(ns.trim()));
        this.presence =
                new WorkerPresence(
                        new PresenceCalls(pool, config.liveTimeout()),
                        new Registration(
                                pipeline.workerId(),
                                host(),
                                namespaces,
                                new ArrayList<>(handlers.names()),
                                sdkVersion(applicationVersion),
                                startedAt()));
    }

    /**
     * The first heartbeat runs as the scheduler starts, so the warning about other handler sets
     * comes at start-up. A heartbeat still running when the next is due makes that one skip.
     */
    @Scheduled(
            identity = "tasker-worker-presence",
            every = "${tasker.worker.presence.interval:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = PresenceHeartbeat.Disabled.class)
    Uni<Void> heartbeat() {
        return presence.beat();
    }

    /** After StepConsumer's drain (a lower priority runs later), while the pool is still open. */
    void onStop(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) ShutdownEvent event) {
        if (enabled) {
            presence.stop(STOP_TIMEOUT);
        }
    }

    public WorkerPresence presence() {
        return presence;
    }

    /**
     * The version of the worker library: the jar manifest's Implementation-Version, else the
     * application's version.
     */
    static String sdkVersion(String applicationVersion) {
        String version = PresenceHeartbeat.class.getPackage().getImplementationVersion();
        return version != null ? version : applicationVersion;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static OffsetDateTime startedAt() {
        return OffsetDateTime.ofInstant(
                Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()),
                ZoneOffset.UTC);
    }

    /**
     * Skips every heartbeat of a worker started with {@code tasker.worker.presence.enabled=false}.
     */
    @Singleton
    public static class Disabled implements Scheduled.SkipPredicate {

        private final boolean enabled;

        public Disabled(PresenceConfig config) {
            this.enabled = config.enabled();
        }

        @Override
        public boolean test(ScheduledExecution execution) {
            return !enabled;
        }
    }
}
