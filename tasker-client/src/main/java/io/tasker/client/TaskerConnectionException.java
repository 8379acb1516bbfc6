package io.tasker.client;

import java.net.URI;

/**
 * The request got no answer: the connection was refused or broken, or the connect or request
 * timeout passed. Whether the orchestrator acted on the request is unknown.
 */
public class TaskerConnectionException extends TaskerRequestException {

    public TaskerConnectionException(String method, URI uri, Throwable cause) {
        super(method, uri, " got no answer: " + describe(cause), cause);
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        String kind = cause.getClass().getSimpleName();
        return message == null || message.isBlank() ? kind : kind + ": " + message;
    }
}
