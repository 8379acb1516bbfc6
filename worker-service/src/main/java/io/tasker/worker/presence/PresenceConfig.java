package io.tasker.worker.presence;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The worker's presence heartbeat in the worker registry (prefix {@code tasker.worker.presence}).
 */
@ConfigMapping(prefix = "tasker.worker.presence")
public interface PresenceConfig {

    /**
     * Whether this worker records itself in the registry (default true). Without it the
     * orchestrator lists it nowhere and may show its namespaces' tasks as waiting for workers.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * Time between presence heartbeats (default 5s): one SQL statement each. Keep it well below the
     * orchestrator's tasker.workers.live-timeout.
     */
    @WithDefault("5s")
    Duration interval();

    /**
     * How recent another worker's heartbeat must be for this worker to count it as live when it
     * looks for workers with another handler set on its namespaces (default 30s, 1s to 24h).
     */
    @WithDefault("30s")
    Duration liveTimeout();
}
