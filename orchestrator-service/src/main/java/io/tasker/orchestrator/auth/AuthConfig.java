package io.tasker.orchestrator.auth;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Authentication of the task API ({@code tasker.auth.*}, a group of {@link
 * io.tasker.orchestrator.config.OrchestratorConfig}); JWT verification itself is configured with
 * smallrye-jwt's own keys ({@code mp.jwt.verify.*}, {@code smallrye.jwt.path.groups}).
 */
public interface AuthConfig {

    /**
     * Whether requests must authenticate (default true). false lets every request in as {@code
     * anonymous} with every role, and logs a warning at every start: only for a local try-out.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * The server-side secret of the API keys' HMAC-SHA-256, at least 32 characters; required when
     * auth is enabled. Changing it invalidates every stored key (the bootstrap key excepted).
     */
    Optional<String> keySecret();

    /**
     * An admin key ({@code tk_<12 hex>_<secret>}) accepted from configuration, for a fresh install
     * before any key is stored; kept in memory only, rotated by changing the setting (default
     * none).
     */
    Optional<String> bootstrapAdminKey();

    /**
     * How long a verified (or unknown) key is cached before the database is asked again (default
     * 10s). Revocations reach every replica at once by NOTIFY; this bounds the delay when a
     * notification is lost.
     */
    @WithDefault("10s")
    Duration keyCacheTtl();

    /** Most keys (known and unknown prefixes) held in the cache (default 10000). */
    @WithDefault("10000")
    int keyCacheMaxEntries();

    /** Least time between two writes of a key's {@code last_used_at} (default 60s). */
    @WithDefault("60s")
    Duration lastUsedInterval();

    Jwt jwt();

    RateLimit rateLimit();

    interface Jwt {
        /**
         * The JWT claim (a string array) that limits a token to namespaces (default {@code
         * tasker_namespaces}); a token without it may use every namespace.
         */
        @WithDefault("tasker_namespaces")
        String namespacesClaim();
    }

    /**
     * Per-caller limit of write requests (POST, PUT, PATCH, DELETE), counted per orchestrator
     * replica: a token bucket of {@code burst} tokens refilled at {@code writes-per-second}.
     */
    interface RateLimit {
        /** Whether writes are limited (default true). */
        @WithDefault("true")
        boolean enabled();

        /** Sustained writes per second per caller (default 100). */
        @WithDefault("100")
        double writesPerSecond();

        /** Writes a caller may make at once after being idle (default 200). */
        @WithDefault("200")
        int burst();

        /** Most callers whose buckets are held; idle buckets are dropped first (default 10000). */
        @WithDefault("10000")
        int maxCallers();
    }
}
