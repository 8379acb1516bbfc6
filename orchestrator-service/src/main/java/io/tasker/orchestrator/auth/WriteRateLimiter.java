package io.tasker.orchestrator.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.function.LongSupplier;

/**
 * A token bucket per caller, in this replica's memory: {@code burst} tokens, refilled at {@code
 * perSecond}; a write takes one. Buckets of callers idle long enough to be full again are dropped
 * (and the least recently used beyond {@code maxCallers}).
 */
final class WriteRateLimiter {

    private static final class Bucket {
        double tokens;
        long updatedNanos;

        Bucket(double tokens, long updatedNanos) {
            this.tokens = tokens;
            this.updatedNanos = updatedNanos;
        }
    }

    private final double perSecond;
    private final int burst;
    private final LongSupplier nanoTime;
    private final Cache<String, Bucket> buckets;

    WriteRateLimiter(double perSecond, int burst, int maxCallers, LongSupplier nanoTime) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException(
                    "tasker.auth.rate-limit: writes-per-second must be > 0 and burst >= 1");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
        long refillNanos = (long) Math.ceil(burst / perSecond * 1e9);
        this.buckets =
                Caffeine.newBuilder()
                        .maximumSize(maxCallers)
                        .expireAfterAccess(java.time.Duration.ofNanos(refillNanos))
                        .build();
    }

    /**
     * Takes a token for the caller: 0 when the write may go ahead, otherwise the whole seconds
     * after which a token will be there (for {@code Retry-After}).
     */
    long acquire(String caller) {
        long now = nanoTime.getAsLong();
        Bucket bucket = buckets.get(caller, c -> new Bucket(burst, now));
        synchronized (bucket) {
            double elapsed = Math.max(0, now - bucket.updatedNanos) / 1e9;
            bucket.tokens = Math.min(burst, bucket.tokens + elapsed * perSecond);
            bucket.updatedNanos = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - bucket.tokens) / perSecond));
        }
    }
}
