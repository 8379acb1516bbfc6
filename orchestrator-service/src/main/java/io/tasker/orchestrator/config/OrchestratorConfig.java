package io.tasker.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Every setting of the orchestrator service (prefix {@code tasker}). */
@ConfigMapping(prefix = "tasker")
public interface OrchestratorConfig {

    Templates templates();

    Results results();

    Retry retry();

    Api api();

    Staleness staleness();

    Metrics metrics();

    /** Templates loaded at start. */
    interface Templates {
        /**
         * Directory whose {@code *.yaml}/{@code *.yml}/{@code *.json} files are registered at
         * start; unset = none.
         */
        Optional<String> path();

        /** What a template may contain; a template beyond any of these is a 400 at registration. */
        Limits limits();

        /** Bounds on a template document, its step graph and its input schema. */
        interface Limits {
            /**
             * Bytes of a template body, JSON or YAML (default 524288 = 512 KiB); a larger body is a
             * 413. Also the YAML code-point limit.
             */
            @WithDefault("524288")
            int maxTemplateBytes();

            /** Steps per template (default 256). */
            @WithDefault("256")
            int maxSteps();

            /** Entries of one step's {@code depends_on} (default 32). */
            @WithDefault("32")
            int maxDependenciesPerStep();

            /**
             * Characters of a namespace (default 29). The namespace is part of the pgmq queue and
             * table names (63-byte identifiers), so values above 29 have no effect.
             */
            @WithDefault("29")
            int maxNamespaceLength();

            /** Characters of a template name (default 63, also the most the database accepts). */
            @WithDefault("63")
            int maxNameLength();

            /** Characters of a step name (default 63, also the most the name rule accepts). */
            @WithDefault("63")
            int maxStepNameLength();

            /** Characters of a step's handler name (default 128). */
            @WithDefault("128")
            int maxHandlerNameLength();

            /**
             * Digits of each MAJOR, MINOR and PATCH number of a version (default 9). Versions are
             * sorted as integers, so values above 9 have no effect.
             */
            @WithDefault("9")
            int maxVersionComponentDigits();

            /** Bytes of the input_schema written as compact JSON (default 65536 = 64 KiB). */
            @WithDefault("65536")
            int maxInputSchemaBytes();

            /**
             * Characters of one regular expression in an input schema ({@code pattern}, a {@code
             * patternProperties} key) (default 512).
             */
            @WithDefault("512")
            int maxPatternLength();

            /**
             * Time all regular expressions together may spend matching while one task context is
             * validated (default 200ms); beyond it task creation is a 400.
             */
            @WithDefault("200ms")
            Duration patternMatchBudget();

            /** Nesting depth of a YAML template document (default 64). */
            @WithDefault("64")
            int maxYamlDepth();
        }
    }

    /** The consumer of {@code orchestration_step_results}. */
    interface Results {
        /** Whether this instance processes step results (default true). */
        @WithDefault("true")
        boolean enabled();

        /** Notices read per poll (default 50). */
        @WithDefault("50")
        int batchSize();

        /** Notices processed at once, each in its own transaction (default 8). */
        @WithDefault("8")
        int concurrency();

        /**
         * Seconds a read notice stays invisible before another orchestrator may take it (default
         * 30).
         */
        @WithDefault("30")
        int visibilityTimeoutSeconds();

        /** First back-off after an empty poll (default 50ms). */
        @WithDefault("50ms")
        Duration minPollInterval();

        /**
         * Longest back-off while idle: bounds the delay when a notification is lost (default 2s).
         */
        @WithDefault("2s")
        Duration maxPollInterval();

        /**
         * LISTEN for send notifications to wake up at once (default true; false = polling only).
         */
        @WithDefault("true")
        boolean listen();

        /**
         * Process the notices of one read in a few transactions (one SQL call each, up to {@code
         * concurrency} in parallel) instead of one transaction per notice (default true).
         */
        @WithDefault("true")
        boolean transactionPerBatch();

        /**
         * A notice read this many times without being processed is archived as poison (default 10).
         */
        @WithDefault("10")
        int maxReadCount();
    }

    /** Defaults for step retry policies that templates do not set. */
    interface Retry {
        /** Attempts per step, counting the first (default 3). */
        @WithDefault("3")
        int maxAttempts();

        /** exponential, linear or fixed (default exponential). */
        @WithDefault("exponential")
        String backoff();

        /** Base delay in milliseconds (default 1000). */
        @WithDefault("1000")
        long backoffBaseMs();

        /** Delay ceiling in milliseconds (default 30000). */
        @WithDefault("30000")
        long maxBackoffMs();

        /** Random spread of each delay, in percent (default 10). */
        @WithDefault("10")
        int jitterPercent();

        /** Step timeout in seconds when a template gives none (default 30). */
        @WithDefault("30")
        int timeoutSeconds();
    }

    /** The periodic sweep that moves tasks past their lifecycle limit to the DLQ. */
    interface Staleness {
        /** Whether this instance sweeps (default true; several instances may sweep safely). */
        @WithDefault("true")
        boolean enabled();

        /** Time between sweeps (default 60s). */
        @WithDefault("60s")
        Duration interval();

        /** Tasks moved per sweep at most (default 100). */
        @WithDefault("100")
        int batchSize();
    }

    /** Metrics collection. */
    interface Metrics {
        /** How often queue depth and age gauges are refreshed from pgmq (default 15s). */
        @WithDefault("15s")
        Duration queueRefreshInterval();
    }

    /** HTTP API limits. */
    interface Api {
        /** Page size of list endpoints when none is given (default 50). */
        @WithDefault("50")
        int defaultPageSize();

        /** Largest page size accepted (default 500). */
        @WithDefault("500")
        int maxPageSize();
    }
}
