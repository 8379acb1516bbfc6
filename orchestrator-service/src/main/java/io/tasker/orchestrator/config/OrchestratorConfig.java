package io.tasker.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.tasker.orchestrator.auth.AuthConfig;
import io.tasker.queue.PollingConfig;
import java.time.Duration;

/** Every setting of the orchestrator service (prefix {@code tasker}). */
@ConfigMapping(prefix = "tasker")
public interface OrchestratorConfig {

    Templates templates();

    Results results();

    Retry retry();

    Api api();

    Staleness staleness();

    Workers workers();

    Metrics metrics();

    Db db();

    /** Authentication and authorization of the API. */
    AuthConfig auth();

    /** Templates: what one may contain and how lookups are cached (they come only via the API). */
    interface Templates {
        /** What a template may contain; a template beyond any of these is a 400 at registration. */
        Limits limits();

        /** The in-memory caches of template lookups and compiled input schemas. */
        Cache cache();

        /**
         * Bounds of the template caches. Exact versions are immutable, so only "latest" lookups
         * need a short life: another orchestrator may register a newer version at any time.
         */
        interface Cache {
            /**
             * How long a "latest version" lookup (a task created without a version) is reused
             * before the database is asked again (default 5s): a newer version registered by
             * another orchestrator is used after at most this long. 0 disables the reuse.
             */
            @WithDefault("5s")
            Duration latestTtl();

            /**
             * How long an exact template version stays cached after its last use (default 1h).
             * Versions never change, so this only frees the memory of templates no longer used.
             */
            @WithDefault("1h")
            Duration versionIdle();

            /**
             * Template lookups kept per kind, "latest" and exact versions (default 1000 each); the
             * least valuable entry is dropped beyond it.
             */
            @WithDefault("1000")
            int maxEntries();

            /**
             * Compiled input schemas kept, one per template version with tasks being created
             * (default 1000); beyond it the least valuable is dropped and compiled again on its
             * next use.
             */
            @WithDefault("1000")
            int maxSchemas();
        }

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
    interface Results extends PollingConfig {
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

    /** The worker registry: which workers count as live, how long gone ones stay listed. */
    interface Workers {
        /**
         * How recent a worker's presence heartbeat must be for it to be live (default 30s; keep it
         * a few times the workers' tasker.worker.presence.interval). Affects GET /v1/workers and
         * waiting_for_workers.
         */
        @WithDefault("30s")
        Duration liveTimeout();

        /**
         * How long a gone worker (stopped, or silent past the live timeout) stays listed before the
         * prune deletes it (default 1h).
         */
        @WithDefault("1h")
        Duration retention();

        /** Time between prunes of the gone workers (default 60s). */
        @WithDefault("60s")
        Duration pruneInterval();

        /**
         * How long a namespace must have had no live worker before its tasks with steps waiting to
         * be run show waiting_for_workers: true in their execution summary (default 30s).
         */
        @WithDefault("30s")
        Duration waitingAfter();
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

        /**
         * Largest request body in bytes (default 1048576 = 1 MiB); a larger one is a 413 before it
         * is read. Applies to every endpoint, templates included.
         */
        @WithDefault("1048576")
        int maxBodyBytes();

        /**
         * Largest task context in bytes of its serialized JSON (default 262144 = 256 KiB); the
         * context is copied into every claim of the task's steps. A larger one is a 400.
         */
        @WithDefault("262144")
        int maxContextBytes();

        /**
         * Deepest nesting of objects and arrays in a JSON body, the body itself counting as 1
         * (default 64). Deeper is a 400.
         */
        @WithDefault("64")
        int maxJsonDepth();

        /**
         * Most values in one JSON body, counting every object, array, key's value, element and
         * scalar (total over the document, not per object; default 100000). More is a 400.
         */
        @WithDefault("100000")
        int maxJsonNodes();

        /** Longest string value or object key of a JSON body, in characters (default 65536). */
        @WithDefault("65536")
        int maxStringLength();

        /**
         * Most digits a JSON number may have before and, separately, after the decimal point once
         * written without exponent (default 1000; PostgreSQL's numeric takes far more). Bounds
         * {@code 1e999999999}-style numbers before anything expands them. More is a 400.
         */
        @WithDefault("1000")
        int maxNumberDigits();

        /**
         * Messages in a namespace's queue above which task creation in that namespace answers 503
         * with Retry-After (default 100000; 0 = no limit).
         */
        @WithDefault("100000")
        long maxNamespaceBacklog();

        /**
         * Longest age of the per-namespace backlog figures that check uses (default 2s): they are
         * read from pgmq in the background at most this often, only while tasks are created;
         * figures older than three intervals are ignored.
         */
        @WithDefault("2s")
        Duration backlogRefreshInterval();

        /** Retry-After sent with a 503 for a backlog or an exhausted database pool (default 2s). */
        @WithDefault("2s")
        Duration overloadRetryAfter();
    }

    /** The reactive database pool, beyond the Quarkus keys. */
    interface Db {
        /**
         * Requests that may wait for a busy pool's connection (default 256; -1 = unbounded). One
         * more fails at once: a 503 with Retry-After over HTTP. Bounding the queue bounds the wait.
         */
        @WithDefault("256")
        int maxWaitQueueSize();
    }
}
