package io.tasker.worker;

import java.time.Duration;

/**
 * Thrown by a handler when the attempt failed but a later one may succeed. {@link #retryAfter},
 * when set (e.g. from an HTTP {@code Retry-After}, see {@link StepResult#parseRetryAfter}),
 * replaces the template's backoff for the next attempt (still capped by its max_backoff_ms).
 */
public class RetryableStepException extends RuntimeException {

    private final String type;
    private final Duration retryAfter;

    /**
     * A retryable failure of type {@code retryable_failure}, retried after the template's backoff.
     */
    public RetryableStepException(String message) {
        this(message, "retryable_failure", null);
    }

    public RetryableStepException(String message, Duration retryAfter) {
        this(message, "retryable_failure", retryAfter);
    }

    public RetryableStepException(String message, String type, Duration retryAfter) {
        super(message, null, false, false);
        this.type = type;
        this.retryAfter = retryAfter;
    }

    public String type() {
        return type;
    }

    /** When to try again, or null for the template's backoff. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
