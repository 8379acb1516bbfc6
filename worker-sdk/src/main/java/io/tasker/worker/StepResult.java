package io.tasker.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** The outcome of one attempt of a step. */
public sealed interface StepResult {

    /** The step succeeded; {@code result} is stored and given to dependent steps. */
    record Success(JsonNode result) implements StepResult {}

    /**
     * The attempt failed but may succeed later. {@code retryAfter}, when set, replaces the
     * template's backoff for the next attempt (still capped by its max_backoff_ms).
     */
    record RetryableFailure(String message, String type, Duration retryAfter)
            implements StepResult {}

    /** The step cannot succeed: no further attempt is made. */
    record PermanentFailure(String message, String type) implements StepResult {}

    static StepResult success(JsonNode result) {
        return new Success(result);
    }

    static StepResult retryableFailure(String message, String type) {
        return new RetryableFailure(message, type, null);
    }

    static StepResult retryableFailure(String message, String type, Duration retryAfter) {
        return new RetryableFailure(message, type, retryAfter);
    }

    static StepResult permanentFailure(String message, String type) {
        return new PermanentFailure(message, type);
    }

    /**
     * Reads an HTTP {@code Retry-After} value: delta seconds or an HTTP date. Returns null when it
     * cannot be read, so the template's backoff applies.
     */
    static Duration parseRetryAfter(String header, java.time.Clock clock) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String v = header.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }
}
