package io.tasker.orchestrator.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WriteRateLimiterTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Test
    void a_caller_gets_its_burst_then_waits_for_the_next_token() {
        WriteRateLimiter limiter = new WriteRateLimiter(2.0, 3, 100, nanos::get);
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isZero();
        // The 4th write at the same instant: one token comes after 0.5 s, rounded up to 1 s.
        assertThat(limiter.acquire("a")).isEqualTo(1);
        // Another caller has its own bucket.
        assertThat(limiter.acquire("b")).isZero();
    }

    @Test
    void a_token_is_back_exactly_after_one_refill_interval_and_not_before() {
        WriteRateLimiter limiter = new WriteRateLimiter(1.0, 1, 100, nanos::get);
        assertThat(limiter.acquire("a")).isZero();
        nanos.addAndGet(999_000_000L);
        assertThat(limiter.acquire("a")).isEqualTo(1);
        nanos.addAndGet(1_000_000L);
        assertThat(limiter.acquire("a")).isZero();
    }

    @Test
    void an_idle_caller_never_holds_more_than_the_burst() {
        WriteRateLimiter limiter = new WriteRateLimiter(10.0, 2, 100, nanos::get);
        nanos.addAndGet(3_600_000_000_000L);
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isEqualTo(1);
    }

    @Test
    void retry_after_covers_a_slow_refill() {
        WriteRateLimiter limiter = new WriteRateLimiter(0.1, 1, 100, nanos::get);
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isEqualTo(10);
    }

    @Test
    void a_limit_that_lets_nothing_through_is_refused() {
        assertThatThrownBy(() -> new WriteRateLimiter(0, 1, 100, nanos::get))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WriteRateLimiter(1, 0, 100, nanos::get))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
