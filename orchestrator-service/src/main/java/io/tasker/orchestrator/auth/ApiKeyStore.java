package io.tasker.orchestrator.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.AuthenticationFailedException;
import io.smallrye.mutiny.Uni;
import io.tasker.orchestrator.auth.ApiKeyRepository.StoredKey;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.queue.DatabaseOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Verifies API keys: the prefix finds the stored key (cached for {@code key-cache-ttl}), then the
 * HMAC of the presented key is compared in constant time. Changes of a key (revocation, expiry,
 * roles) arrive as NOTIFY on channel {@code tasker_api_keys} and drop it from the cache at once, so
 * every replica refuses a revoked key within a notification's delay, and within the TTL at worst.
 */
@ApplicationScoped
public class ApiKeyStore {

    /** The identity a verified key stands for. */
    public record KeyIdentity(String name, Set<String> roles, Set<String> namespaces) {}

    static final String CHANNEL = "tasker_api_keys";
    static final String BOOTSTRAP_NAME = "bootstrap-admin";

    private static final Logger LOG = Logger.getLogger(ApiKeyStore.class);

    // Compared against when the prefix is unknown, so that unknown and wrong keys cost the same.
    private static final byte[] NO_KEY = new byte[32];

    private final Pool pool;
    private final Vertx vertx;
    private final DatabaseOptions database;
    private final AuthConfig config;
    private final ApiKeyCodec codec;
    private final Cache<String, Optional<StoredKey>> keys;
    private final Cache<String, Boolean> recentlyTouched;
    private final String bootstrapPrefix;
    private final byte[] bootstrapHmac;
    private volatile PgSubscriber subscriber;

    public ApiKeyStore(
            Pool pool, Vertx vertx, DatabaseOptions database, OrchestratorConfig config) {
        this.pool = pool;
        this.vertx = vertx;
        this.database = database;
        this.config = config.auth();
        AuthConfig auth = config.auth();
        this.codec = auth.keySecret().map(ApiKeyCodec::new).orElse(null);
        this.keys =
                Caffeine.newBuilder()
                        .maximumSize(auth.keyCacheMaxEntries())
                        .expireAfterWrite(auth.keyCacheTtl())
                        .build();
        this.recentlyTouched =
                Caffeine.newBuilder()
                        .maximumSize(auth.keyCacheMaxEntries())
                        .expireAfterWrite(auth.lastUsedInterval())
                        .build();
        String bootstrap = auth.bootstrapAdminKey().filter(k -> !k.isBlank()).orElse(null);
        this.bootstrapPrefix =
                bootstrap == null ? null : ApiKeyCodec.prefix(bootstrap).orElse(null);
        this.bootstrapHmac = bootstrap == null || codec == null ? null : codec.hmac(bootstrap);
    }

    /**
     * Refuses to start with auth enabled and no usable key secret or a malformed bootstrap key;
     * warns at every start with auth disabled; then listens for key changes.
     */
    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.warn(
                    "AUTHENTICATION IS DISABLED (tasker.auth.enabled=false): anyone who can reach"
                            + " the API may create, cancel and resolve any task. Only for a local"
                            + " try-out.");
            return;
        }
        requireUsableSettings(config.keySecret(), config.bootstrapAdminKey());
        subscriber =
                PgSubscriber.subscriber(vertx, database.connectOptions())
                        .reconnectPolicy(
                                retries -> Math.min(10_000L, 100L << Math.min(retries, 7)));
        subscriber
                .channel(CHANNEL)
                // (Re)subscribed: changes may have been missed while disconnected.
                .subscribeHandler(keys::invalidateAll)
                .handler(keys::invalidate);
        subscriber
                .connect()
                .subscribe()
                .with(
                        ok -> {},
                        e ->
                                LOG.warnf(
                                        "LISTEN %s not connected (%s): key changes reach this"
                                                + " replica within tasker.auth.key-cache-ttl",
                                        CHANNEL, e.getMessage()));
    }

    /**
     * Fails with a message naming the setting unless the key secret is long enough and the
     * bootstrap admin key, when set, has the key format.
     */
    static void requireUsableSettings(Optional<String> keySecret, Optional<String> bootstrapKey) {
        String secret = keySecret.orElse("");
        if (secret.length() < ApiKeyCodec.MIN_SECRET_LENGTH) {
            throw new IllegalStateException(
                    "tasker.auth.key-secret (TASKER_AUTH_KEY_SECRET) must be set to at least "
                            + ApiKeyCodec.MIN_SECRET_LENGTH
                            + " characters when authentication is enabled"
                            + (secret.isEmpty() ? " (it is not set)" : " (it is too short)")
                            + "; or set tasker.auth.enabled=false for a local try-out");
        }
        String bootstrap = bootstrapKey.filter(k -> !k.isBlank()).orElse(null);
        if (bootstrap != null && ApiKeyCodec.prefix(bootstrap).isEmpty()) {
            throw new IllegalStateException(
                    "tasker.auth.bootstrap-admin-key (TASKER_AUTH_BOOTSTRAP_ADMIN_KEY) must be a"
                            + " key of the form tk_<12 hex>_<32 base64url characters>");
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.close().await().atMost(Duration.ofSeconds(5));
        }
    }

    /** Whether a credential is required at all. */
    public boolean enabled() {
        return config.enabled();
    }

    /**
     * The identity of a presented key, or a failed {@link AuthenticationFailedException} for a
     * malformed, unknown, wrong, revoked or expired one (the caller learns no more than that).
     */
    public Uni<KeyIdentity> verify(String key) {
        Optional<String> prefix = ApiKeyCodec.prefix(key);
        if (prefix.isEmpty() || codec == null) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        byte[] presented = codec.hmac(key);
        if (prefix.get().equals(bootstrapPrefix)) {
            return ApiKeyCodec.same(presented, bootstrapHmac)
                    ? Uni.createFrom()
                            .item(new KeyIdentity(BOOTSTRAP_NAME, Set.of(Roles.ADMIN), null))
                    : Uni.createFrom().failure(new AuthenticationFailedException());
        }
        return stored(prefix.get()).map(found -> check(prefix.get(), presented, found));
    }

    private Uni<Optional<StoredKey>> stored(String prefix) {
        Optional<StoredKey> cached = keys.getIfPresent(prefix);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return ApiKeyRepository.find(pool, prefix).invoke(found -> keys.put(prefix, found));
    }

    private KeyIdentity check(String prefix, byte[] presented, Optional<StoredKey> found) {
        boolean match =
                ApiKeyCodec.same(presented, found.map(StoredKey::hmac).orElse(NO_KEY))
                        && found.isPresent();
        if (!match) {
            throw new AuthenticationFailedException();
        }
        StoredKey key = found.get();
        if (key.revoked()
                || (key.expiresAt() != null && !key.expiresAt().isAfter(OffsetDateTime.now()))) {
            throw new AuthenticationFailedException();
        }
        touch(prefix);
        return new KeyIdentity(key.name(), key.roles(), key.namespaces());
    }

    /** Records the use, at most once per {@code last-used-interval}, without waiting for it. */
    private void touch(String prefix) {
        if (recentlyTouched.asMap().putIfAbsent(prefix, Boolean.TRUE) == null) {
            ApiKeyRepository.touch(pool, prefix)
                    .subscribe()
                    .with(
                            ok -> {},
                            e -> LOG.warnf("last_used_at of key %s not written: %s", prefix, e));
        }
    }

    /** The HMAC of a new key, for storing it. */
    byte[] hmac(String key) {
        return codec.hmac(key);
    }

    /** Drops a key from this replica's cache (the NOTIFY does it on the others). */
    void forget(String prefix) {
        keys.invalidate(prefix);
    }
}
