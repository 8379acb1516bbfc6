package io.tasker.client;

import java.net.URI;
import java.util.Objects;

/**
 * A failure of one HTTP request to the orchestrator: it names the request's method and URI. The
 * subclasses say whether an answer came ({@link TaskerApiException}) or none did ({@link
 * TaskerConnectionException}).
 */
public abstract class TaskerRequestException extends TaskerClientException {

    private final String method;
    private final URI uri;

    protected TaskerRequestException(String method, URI uri, String message, Throwable cause) {
        super(method + " " + uri + message, cause);
        this.method = Objects.requireNonNull(method, "method");
        this.uri = Objects.requireNonNull(uri, "uri");
    }

    /** The request's HTTP method. */
    public String method() {
        return method;
    }

    /** The request's URI. */
    public URI uri() {
        return uri;
    }
}
