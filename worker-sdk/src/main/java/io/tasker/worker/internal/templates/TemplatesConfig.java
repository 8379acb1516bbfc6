package io.tasker.worker.internal.templates;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * How the worker registers the templates it ships ({@code tasker/templates/*} on its classpath)
 * with the orchestrator (prefix {@code tasker.worker}, beside the engine's own settings).
 */
@ConfigMapping(prefix = "tasker.worker")
public interface TemplatesConfig {

    /** The orchestrator whose HTTP API receives the templates. */
    Orchestrator orchestrator();

    /** Registration of the shipped templates. */
    Templates templates();

    /** The orchestrator's HTTP API. */
    interface Orchestrator {
        /**
         * Base URL of the orchestrator, e.g. {@code http://localhost:8080}; unset = none (a worker
         * that ships templates then refuses to start unless {@code
         * tasker.worker.templates.register=false}).
         */
        Optional<String> url();

        /**
         * API key sent as {@code Authorization: Bearer <key>} with each registration; unset = no
         * header. Never logged.
         */
        Optional<String> apiKey();
    }

    /** Registration of the shipped templates. */
    interface Templates {
        /** Register the shipped templates at start (default true). */
        @WithDefault("true")
        boolean register();

        /** First wait before trying an unreachable orchestrator again (default 1s). */
        @WithDefault("1s")
        Duration retryInitialBackoff();

        /** Longest wait between two attempts; the wait doubles up to it (default 30s). */
        @WithDefault("30s")
        Duration retryMaxBackoff();
    }
}
