package io.tasker.queue;

import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The settings of a {@link PollingLoop} and its send notifications, shared by every configuration
 * group that runs one (the orchestrator's result consumer, the worker's step consumer).
 */
public interface PollingConfig {

    /** First back-off after an empty poll (default 50ms). */
    @WithDefault("50ms")
    Duration minPollInterval();

    /** Longest back-off while idle: bounds the delay when a notification is lost (default 2s). */
    @WithDefault("2s")
    Duration maxPollInterval();

    /** LISTEN for send notifications to wake up at once (default true; false = polling only). */
    @WithDefault("true")
    boolean listen();
}
