package io.tasker.orchestrator.template;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.template.TemplateRepository.StoredTemplate;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Template lookups of task creation, by exact version and by "latest". Exact versions are immutable
 * and stay until unused for {@code version-idle}; "latest" lives only {@code latest-ttl}, as
 * another orchestrator may register a newer version. Each kind holds at most {@code max-entries}.
 */
final class TemplateCache {

    private record Name(String namespace, String name) {}

    private record Version(String namespace, String name, String version) {}

    private final Cache<Name, StoredTemplate> latest;
    private final Cache<Version, StoredTemplate> versions;

    TemplateCache(OrchestratorConfig.Templates.Cache config) {
        this(config, Ticker.systemTicker(), null);
    }

    /** With a given clock and maintenance executor, so tests control time and eviction. */
    TemplateCache(OrchestratorConfig.Templates.Cache config, Ticker ticker, Executor executor) {
        Caffeine<Object, Object> latestBuilder =
                Caffeine.newBuilder()
                        .ticker(ticker)
                        .maximumSize(config.maxEntries())
                        .expireAfterWrite(config.latestTtl());
        Caffeine<Object, Object> versionsBuilder =
                Caffeine.newBuilder()
                        .ticker(ticker)
                        .maximumSize(config.maxEntries())
                        .expireAfterAccess(config.versionIdle());
        if (executor != null) {
            latestBuilder.executor(executor);
            versionsBuilder.executor(executor);
        }
        this.latest = latestBuilder.build();
        this.versions = versionsBuilder.build();
    }

    /** The cached template; a null version means the latest registered one. */
    Optional<StoredTemplate> get(String namespace, String name, String version) {
        return Optional.ofNullable(
                version == null
                        ? latest.getIfPresent(new Name(namespace, name))
                        : versions.getIfPresent(new Version(namespace, name, version)));
    }

    void put(String namespace, String name, String version, StoredTemplate template) {
        if (version == null) {
            latest.put(new Name(namespace, name), template);
        } else {
            versions.put(new Version(namespace, name, version), template);
        }
    }

    /**
     * Forgets the "latest" of a template this instance just registered a version of, so its own
     * next lookup sees it at once; exact versions cannot have changed.
     */
    void registered(String namespace, String name) {
        latest.invalidate(new Name(namespace, name));
    }

    /** Runs pending evictions now (tests only: Caffeine otherwise does it along the way). */
    void cleanUp() {
        latest.cleanUp();
        versions.cleanUp();
    }

    long size() {
        return latest.estimatedSize() + versions.estimatedSize();
    }
}
