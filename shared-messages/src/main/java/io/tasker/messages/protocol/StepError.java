package io.tasker.messages.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Why an attempt failed, as a worker reports it. {@code retry_after_ms}, on a retryable failure,
 * replaces the template's backoff for the next attempt (still capped by its {@code
 * max_backoff_ms}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepError(
        @JsonProperty("message") String message,
        @JsonProperty("type") String type,
        @JsonProperty("handler") String handler,
        @JsonProperty("retry_after_ms") @Nullable Long retryAfterMs) {}
