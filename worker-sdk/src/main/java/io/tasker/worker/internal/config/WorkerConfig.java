package io.tasker.worker.internal.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.tasker.queue.PollingConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every setting of the worker SDK (prefix {@code tasker.worker}). */
@ConfigMapping(prefix = "tasker.worker")
public interface WorkerConfig extends PollingConfig {

    /** Namespaces whose queues this worker serves (required: no default). */
    List<String> namespaces();

    /** Identity recorded on claims; default host name and process id. */
    Optional<String> id();

    /** Steps executed at once by this worker, across its namespaces (default 16). */
    @WithDefault("16")
    int maxConcurrentSteps();

    /** Messages read per poll of one queue (default 10). */
    @WithDefault("10")
    int batchSize();

    /** Seconds a read message stays hidden until its claim sets the real lease (default 30). */
    @WithDefault("30")
    int readVisibilitySeconds();

    /** Seconds added to a step's timeout to form its lease (default 10). */
    @WithDefault("10")
    int leaseGraceSeconds();

    /**
     * On shutdown, how long in-flight steps may take to finish before they are abandoned (default
     * 30s).
     */
    @WithDefault("30s")
    Duration shutdownDrainTimeout();

    /** A message read this many times is archived as poison and its step failed (default 10). */
    @WithDefault("10")
    int maxReadCount();

    /**
     * Largest step result a handler may return, in bytes of its UTF-8 JSON (default 1048576 = 1
     * MiB). Results are copied into every descendant step's claim; a larger result fails the step
     * permanently with error type {@code result_too_large}.
     */
    @WithDefault("1048576")
    long maxResultBytes();
}
