package io.tasker.client;

import java.net.URI;

/**
 * The request got no answer: the connection was refused or broken, or the connect or request
 * timeout passed. Whether the orchestrator acted on the request is unknown.
 */
public class TaskerConnectionException extends TaskerClientException {

    private final String method;
    private final URI uri;

    public TaskerConnectionException(String method, URI uri, Throwable cause) {
        super(method + " " + uri + " got no answer: " + describe(cause), cause);
        this.method = method;
        this.uri = uri;
    }

    public String method() {
        return method;
    }

    public URI uri() {
        return uri;
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        String kind = cause.getClass().getSimpleName();
        return message == null || message.isBlank() ? kind : kind + ": " + message;
    }
}
