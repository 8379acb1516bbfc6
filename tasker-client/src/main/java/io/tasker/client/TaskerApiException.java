package io.tasker.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.api.Problem;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The orchestrator answered with an error status. {@link #problem()} is the decoded {@code
 * application/problem+json} body (its {@code code} is stable, see {@link #code()}); an answer that
 * carries no problem document (a proxy's error page, say) gets one made up from its status and the
 * start of its body, with a null code.
 */
public class TaskerApiException extends TaskerRequestException {

    private final int status;
    private final Problem problem;
    private final HttpHeaders headers;

    public TaskerApiException(
            String method, URI uri, int status, Problem problem, HttpHeaders headers) {
        super(method, uri, message(status, problem), null);
        this.status = status;
        this.problem = problem;
        this.headers = headers;
    }

    static TaskerApiException of(
            String method, URI uri, int status, HttpHeaders headers, byte[] body) {
        return new TaskerApiException(method, uri, status, decode(uri, status, body), headers);
    }

    /** The HTTP status of the answer. */
    public int status() {
        return status;
    }

    /** The problem document of the answer, never null. */
    public Problem problem() {
        return problem;
    }

    /** The problem's stable code ({@code task_not_found}, {@code duplicate_task}, ...), or null. */
    public String code() {
        return problem.code();
    }

    /** The answer's headers. */
    public HttpHeaders headers() {
        return headers;
    }

    /**
     * How long the orchestrator asks clients to wait before trying again (the {@code Retry-After}
     * header, in seconds or as an HTTP date), when it says so: with 503 answers under overload.
     */
    public Optional<Duration> retryAfter() {
        return headers.firstValue("Retry-After").flatMap(TaskerApiException::parseRetryAfter);
    }

    static Optional<Duration> parseRetryAfter(String value) {
        String v = value.strip();
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    private static Problem decode(URI uri, int status, byte[] body) {
        try {
            JsonNode json = JsonSupport.MAPPER.readTree(body);
            if (json instanceof ObjectNode o && (o.has("code") || o.has("type"))) {
                return Problem.fromJson(o);
            }
        } catch (java.io.IOException | RuntimeException notJson) {
            // Not a problem document: described below from what there is.
        }
        String text = Transport.excerpt(body);
        return new Problem(
                "about:blank",
                "HTTP " + status,
                status,
                text.isEmpty() ? null : text,
                uri.getRawPath(),
                null,
                status == 502 || status == 503 || status == 504,
                List.of(),
                Map.of());
    }

    private static String message(int status, Problem p) {
        StringBuilder s = new StringBuilder(": ").append(status);
        if (p.code() != null) {
            s.append(' ').append(p.code());
        }
        if (p.detail() != null) {
            s.append(": ").append(p.detail());
        }
        if (!p.errors().isEmpty()) {
            s.append(' ').append(p.errors());
        }
        return s.toString();
    }
}
