package io.tasker.orchestrator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A failure with a place in the API: an HTTP status, a stable {@code code}, a human detail and,
 * when there are several problems, every one of them. Turned into problem+json by {@link
 * ProblemMapper}.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final String title;
    private final List<String> errors;
    private final Map<String, Object> extensions;
    private Long retryAfterSeconds;

    public ApiException(int status, String code, String title, String detail) {
        this(status, code, title, detail, List.of(), Map.of());
    }

    public ApiException(
            int status,
            String code,
            String title,
            String detail,
            List<String> errors,
            Map<String, Object> extensions) {
        super(detail);
        this.status = status;
        this.code = code;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.extensions = Map.copyOf(extensions);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public List<String> errors() {
        return errors;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }

    public static ApiException badRequest(String code, String detail, List<String> errors) {
        return new ApiException(400, code, "Bad request", detail, errors, Map.of());
    }

    /**
     * Fails with a 400 {@code invalid_request} ({@code detail}) unless the body is a JSON object.
     */
    public static void requireObject(JsonNode body, String detail) {
        if (body == null || !body.isObject()) {
            throw badRequest("invalid_request", detail, List.of("body must be an object"));
        }
    }

    /**
     * Fails with a 400 {@code code} that lists every problem found in {@code subject} (a request or
     * document), unless there is none.
     */
    public static void requireNoProblems(String code, String subject, List<String> problems) {
        if (!problems.isEmpty()) {
            throw badRequest(
                    code, "the " + subject + " has " + problems.size() + " problem(s)", problems);
        }
    }

    /**
     * Parses a JSON request body and checks it against the API's limits (see {@link JsonBodies}),
     * or fails with a 400 ({@code malformed_json}, the broken limit and its JSON path) or a 413.
     */
    public static JsonNode parseJsonBody(String body) {
        return JsonBodies.current().parse(body);
    }

    /**
     * A 503: the service cannot take the request now; the client should retry after {@code
     * retryAfter} (sent as the {@code Retry-After} header, in whole seconds).
     */
    public static ApiException unavailable(String code, String detail, Duration retryAfter) {
        return retryLater(
                503, code, "Service unavailable", detail, (retryAfter.toMillis() + 999) / 1000);
    }

    /**
     * A 429: the caller sent more requests than its limit allows; it may retry after {@code
     * retryAfterSeconds} (sent as the {@code Retry-After} header).
     */
    public static ApiException tooManyRequests(String code, String detail, long retryAfterSeconds) {
        return retryLater(429, code, "Too many requests", detail, retryAfterSeconds);
    }

    /** A retryable failure with a {@code Retry-After} of at least one second. */
    private static ApiException retryLater(
            int status, String code, String title, String detail, long retryAfterSeconds) {
        ApiException e =
                new ApiException(status, code, title, detail, List.of(), Map.of("retryable", true));
        e.retryAfterSeconds = Math.max(1L, retryAfterSeconds);
        return e;
    }

    /** Seconds for the {@code Retry-After} header, or null for none. */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static ApiException notFound(String code, String detail) {
        return new ApiException(404, code, "Not found", detail);
    }

    public static ApiException conflict(
            String code, String detail, Map<String, Object> extensions) {
        return new ApiException(409, code, "Conflict", detail, List.of(), extensions);
    }
}
